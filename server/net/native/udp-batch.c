// Batched UDP for the DNS listener: recvmmsg up to BATCH datagrams, answer them in one call into
// JavaScript, sendmmsg the replies. Linux only; server/net/udp-batch.ts falls back to node:dgram.
//
// Why: node:dgram pays, per datagram, a 'message' event with a fresh rinfo object, a recv buffer,
// a send request object, its completion callback and two syscalls. For a DNS server those costs are
// most of a query (bench/README.md: the trivial responder's time is ~56% in the send path alone).
// Here one readable event costs two syscalls and one JS call for up to BATCH queries.
//
// Contract with JavaScript:
//   open(host, port, ipv6, reusePort, onBatch) -> { handle, port (as bound), arena: ArrayBuffer, lens: ArrayBuffer }
//     onBatch(n) is called with datagram i in arena[i*slot, i*slot + lens[i]) (lens[i] = -1: the
//     datagram did not fit and is dropped); it returns an array whose element i is the reply Buffer
//     for datagram i, or anything else for no reply. The arena is reused by the next batch, so a
//     handler must copy what it keeps.
//   remote(handle, i) -> the source address of datagram i, as text
//   prefix(handle, i) -> the source's network as a number, as server/net/rrl.ts prefixKey computes
//     it from the text (IPv4 /24 as a.b.c in 24 bits; IPv6 /56 hashed), without making the text
//   stats(handle) -> { received, sent, dropped }
//   close(handle)
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

// 64 datagrams per syscall is where the per-batch costs stop mattering; a slot holds the largest
// UDP payload, as node:dgram's 64 KiB receive buffer does (only the bytes received are touched).
#define BATCH 64
#define SLOT 65536
// Batches per readable event before yielding to the event loop, so TCP, transfers, the admin API
// and timers are served during a flood (the poll is level-triggered and fires again at once).
#define ROUNDS 8

typedef struct {
  napi_env env;
  napi_ref self;     // the object holding the arena: alive while the socket is open
  napi_ref callback;
  napi_async_context actx;
  uv_poll_t poll;
  int fd;
  int closed;
  uint8_t *arena;
  int32_t *lens;
  struct mmsghdr in[BATCH];
  struct iovec in_iov[BATCH];
  struct sockaddr_storage addr[BATCH];
  struct mmsghdr out[BATCH];
  struct iovec out_iov[BATCH];
  double received, sent, dropped;
} batch_socket;

static const char *errno_code(int err) {
  switch (err) {
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EACCES: return "EACCES";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EMFILE: return "EMFILE";
    default: return "EIO";
  }
}

// Throws an Error shaped like Node's system errors (code, syscall), so callers handle both paths alike.
static void throw_errno(napi_env env, const char *syscall, int err) {
  char text[256];
  snprintf(text, sizeof text, "%s %s: %s", syscall, errno_code(err), strerror(err));
  napi_value msg, error, code, sc;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_string_utf8(env, errno_code(err), NAPI_AUTO_LENGTH, &code);
  napi_set_named_property(env, error, "code", code);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, error, "syscall", sc);
  napi_throw(env, error);
}

static void send_replies(batch_socket *s, napi_env env, napi_value replies, int n) {
  bool is_array = false;
  if (napi_is_array(env, replies, &is_array) != napi_ok || !is_array) return;
  int k = 0;
  for (int i = 0; i < n; i++) {
    napi_value r;
    bool is_buffer = false;
    void *data;
    size_t len;
    if (napi_get_element(env, replies, i, &r) != napi_ok) continue;
    if (napi_is_buffer(env, r, &is_buffer) != napi_ok || !is_buffer) continue;
    if (napi_get_buffer_info(env, r, &data, &len) != napi_ok || len == 0) continue;
    s->out_iov[k].iov_base = data;
    s->out_iov[k].iov_len = len;
    memset(&s->out[k].msg_hdr, 0, sizeof(struct msghdr));
    s->out[k].msg_hdr.msg_name = &s->addr[i];
    s->out[k].msg_hdr.msg_namelen = s->in[i].msg_hdr.msg_namelen;
    s->out[k].msg_hdr.msg_iov = &s->out_iov[k];
    s->out[k].msg_hdr.msg_iovlen = 1;
    k++;
  }
  // The reply Buffers stay alive until this returns: the caller's handle scope holds the array.
  int done = 0;
  while (done < k) {
    int sent = sendmmsg(s->fd, s->out + done, k - done, MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      // sendmmsg fails only for the first message of the rest: a full send buffer (EAGAIN) or a
      // peer the kernel will not send to. That reply is lost, as a router could lose it; UDP
      // clients retry. Counted, so a flood that outruns the socket shows in stats().
      s->dropped++;
      done++;
      continue;
    }
    done += sent;
    s->sent += sent;
  }
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  batch_socket *s = (batch_socket *)poll->data;
  if (status < 0 || s->closed) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, self, argv[1], ret;
  napi_get_reference_value(env, s->callback, &callback);
  napi_get_reference_value(env, s->self, &self);
  for (int round = 0; round < ROUNDS && !s->closed; round++) {
    for (int i = 0; i < BATCH; i++) s->in[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    int n = recvmmsg(s->fd, s->in, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) break;
    s->received += n;
    for (int i = 0; i < n; i++) {
      s->lens[i] = (s->in[i].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int32_t)s->in[i].msg_len;
    }
    napi_create_int32(env, n, &argv[0]);
    // make_callback, not call_function: it runs process.nextTick and promise jobs afterwards, as
    // any Node I/O callback does.
    napi_status st = napi_make_callback(env, s->actx, self, callback, 1, argv, &ret);
    if (st == napi_pending_exception) {
      napi_value exception;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception); // 'uncaughtException', as a throwing 'message' listener would
      break;
    }
    if (st == napi_ok && !s->closed) send_replies(s, env, ret, n);
    if (n < BATCH) break;
  }
  napi_close_handle_scope(env, scope);
}

static void on_closed(uv_handle_t *handle) {
  free(handle->data);
}

// uv_close stops the poll and drops the fd from epoll before it returns; closing the fd right
// after (not in on_closed) frees the port at once, so close() then bind() on it works.
static void close_poll_and_fd(batch_socket *s) {
  uv_close((uv_handle_t *)&s->poll, on_closed);
  close(s->fd);
}

static void shut(batch_socket *s, napi_env env) {
  s->closed = 1;
  napi_async_destroy(env, s->actx);
  napi_delete_reference(env, s->callback);
  napi_delete_reference(env, s->self);
  close_poll_and_fd(s);
}

// The environment is going away (process exit, worker thread end) with the socket still open.
static void on_env_cleanup(void *arg) {
  batch_socket *s = (batch_socket *)arg;
  if (s->closed) return;
  s->closed = 1;
  close_poll_and_fd(s);
}

static int parse_address(const char *host, int port, bool ipv6, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  if (ipv6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    *len = sizeof *a;
    return inet_pton(AF_INET6, host, &a->sin6_addr) == 1;
  }
  struct sockaddr_in *a = (struct sockaddr_in *)ss;
  a->sin_family = AF_INET;
  a->sin_port = htons((uint16_t)port);
  *len = sizeof *a;
  return inet_pton(AF_INET, host, &a->sin_addr) == 1;
}

#define TRY(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "udp-batch: " #call " failed"); goto fail; } } while (0)

static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  char host[INET6_ADDRSTRLEN + 1];
  size_t host_len;
  int32_t port, rcvbuf;
  bool ipv6, reuse_port;
  napi_valuetype cb_type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) {
    napi_throw_type_error(env, NULL, "udp-batch: open(host, port, ipv6, reusePort, onBatch, receiveBuffer)");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_len) != napi_ok ||
      napi_get_value_int32(env, argv[1], &port) != napi_ok || port < 0 || port > 65535 ||
      napi_get_value_bool(env, argv[2], &ipv6) != napi_ok ||
      napi_get_value_bool(env, argv[3], &reuse_port) != napi_ok ||
      napi_typeof(env, argv[4], &cb_type) != napi_ok || cb_type != napi_function ||
      napi_get_value_int32(env, argv[5], &rcvbuf) != napi_ok || rcvbuf < 0) {
    napi_throw_type_error(env, NULL, "udp-batch: open(host: string, port: 0-65535, ipv6: boolean, reusePort: boolean, onBatch: function, receiveBuffer: bytes >= 0)");
    return NULL;
  }
  struct sockaddr_storage ss;
  socklen_t ss_len;
  if (!parse_address(host, port, ipv6, &ss, &ss_len)) {
    napi_throw_type_error(env, NULL, "udp-batch: host is not a numeric address of the given family");
    return NULL;
  }
  int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) { throw_errno(env, "socket", errno); return NULL; }
  int one = 1;
  // An IPv6 socket takes IPv6 only, so [::]:53 and 0.0.0.0:53 bind side by side (with
  // net.ipv6.bindv6only=0, Linux's default, a wildcard IPv6 bind would also claim the IPv4 port).
  if (ipv6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) {
    int err = errno; close(fd); throw_errno(env, "setsockopt", err); return NULL;
  }
  // Cluster workers each bind their own socket and the kernel spreads flows across them.
  if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) {
    int err = errno; close(fd); throw_errno(env, "setsockopt", err); return NULL;
  }
  // Queries that arrive while JavaScript is busy (a GC pause, a long batch) wait in the receive
  // buffer; the default (~208 KB, a few hundred small datagrams) overflows within milliseconds
  // at 100k q/s. SO_RCVBUFFORCE passes net.core.rmem_max with CAP_NET_ADMIN; without it the
  // kernel caps SO_RCVBUF there. Failing both keeps the default: slower to recover, not broken.
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  int granted = 0;
  socklen_t granted_len = sizeof granted;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &granted_len) < 0) granted = -1;
  if (bind(fd, (struct sockaddr *)&ss, ss_len) < 0) {
    int err = errno; close(fd); throw_errno(env, "bind", err); return NULL;
  }
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) < 0) {
    int err = errno; close(fd); throw_errno(env, "getsockname", err); return NULL;
  }
  int bound_port = ntohs(ipv6 ? ((struct sockaddr_in6 *)&bound)->sin6_port : ((struct sockaddr_in *)&bound)->sin_port);
  batch_socket *s = calloc(1, sizeof *s);
  if (!s) { close(fd); napi_throw_error(env, "ENOMEM", "udp-batch: out of memory"); return NULL; }
  s->env = env;
  s->fd = fd;
  napi_value obj, handle, arena, lens, resource_name, port_value, rcvbuf_value;
  TRY(napi_create_object(env, &obj));
  TRY(napi_create_arraybuffer(env, (size_t)BATCH * SLOT, (void **)&s->arena, &arena));
  TRY(napi_create_arraybuffer(env, BATCH * sizeof(int32_t), (void **)&s->lens, &lens));
  TRY(napi_create_external(env, s, NULL, NULL, &handle));
  TRY(napi_set_named_property(env, obj, "handle", handle));
  TRY(napi_set_named_property(env, obj, "arena", arena));
  TRY(napi_set_named_property(env, obj, "lens", lens));
  TRY(napi_create_int32(env, bound_port, &port_value));
  TRY(napi_set_named_property(env, obj, "port", port_value));
  TRY(napi_create_int32(env, granted, &rcvbuf_value));
  TRY(napi_set_named_property(env, obj, "receiveBuffer", rcvbuf_value));
  for (int i = 0; i < BATCH; i++) {
    s->in_iov[i].iov_base = s->arena + (size_t)i * SLOT;
    s->in_iov[i].iov_len = SLOT;
    s->in[i].msg_hdr.msg_iov = &s->in_iov[i];
    s->in[i].msg_hdr.msg_iovlen = 1;
    s->in[i].msg_hdr.msg_name = &s->addr[i];
  }
  TRY(napi_create_reference(env, obj, 1, &s->self));
  TRY(napi_create_reference(env, argv[4], 1, &s->callback));
  TRY(napi_create_string_utf8(env, "DANEPRIME_UDP_BATCH", NAPI_AUTO_LENGTH, &resource_name));
  TRY(napi_async_init(env, obj, resource_name, &s->actx));
  uv_loop_t *loop;
  TRY(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init_socket(loop, &s->poll, fd) != 0) { napi_throw_error(env, NULL, "udp-batch: uv_poll_init_socket failed"); goto fail; }
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  napi_add_env_cleanup_hook(env, on_env_cleanup, s);
  return obj;
fail:
  // Only reached before the poll started; references die with the failed object.
  close(fd);
  free(s);
  return NULL;
}

static batch_socket *unwrap(napi_env env, napi_callback_info info, napi_value *argv, size_t want) {
  size_t argc = want;
  void *p;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want ||
      napi_get_value_external(env, argv[0], &p) != napi_ok) {
    napi_throw_type_error(env, NULL, "udp-batch: expected a socket handle");
    return NULL;
  }
  return (batch_socket *)p;
}

static napi_value close_socket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  batch_socket *s = unwrap(env, info, argv, 1);
  if (!s || s->closed) return NULL;
  napi_remove_env_cleanup_hook(env, on_env_cleanup, s);
  shut(s, env);
  return NULL;
}

static napi_value remote_address(napi_env env, napi_callback_info info) {
  napi_value argv[2], text;
  batch_socket *s = unwrap(env, info, argv, 2);
  int32_t i;
  if (!s || napi_get_value_int32(env, argv[1], &i) != napi_ok || i < 0 || i >= BATCH) return NULL;
  char buf[INET6_ADDRSTRLEN] = "";
  struct sockaddr_storage *a = &s->addr[i];
  if (a->ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)a)->sin_addr, buf, sizeof buf);
  else if (a->ss_family == AF_INET6) inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a)->sin6_addr, buf, sizeof buf);
  napi_create_string_latin1(env, buf, NAPI_AUTO_LENGTH, &text);
  return text;
}

// Response rate limiting asks this for every reply: a number costs no string and no inet_ntop.
static napi_value remote_prefix(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  batch_socket *s = unwrap(env, info, argv, 2);
  int32_t i;
  if (!s || napi_get_value_int32(env, argv[1], &i) != napi_ok || i < 0 || i >= BATCH) return NULL;
  struct sockaddr_storage *a = &s->addr[i];
  uint32_t v = 0;
  const unsigned char *b = NULL;
  if (a->ss_family == AF_INET) b = (const unsigned char *)&((struct sockaddr_in *)a)->sin_addr;
  else if (a->ss_family == AF_INET6) {
    const unsigned char *b6 = ((struct sockaddr_in6 *)a)->sin6_addr.s6_addr;
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (memcmp(b6, mapped, 12) == 0) b = b6 + 12;
    else {
      uint32_t h = 0x811c9dc5u;
      for (int k = 0; k < 4; k++) {
        uint32_t g = ((uint32_t)b6[2 * k] << 8) | b6[2 * k + 1];
        h = (h ^ (k == 3 ? g >> 8 : g)) * 16777619u;
      }
      v = h | 0x01000000u;
    }
  }
  if (b) v = ((uint32_t)b[0] << 16) | ((uint32_t)b[1] << 8) | b[2];
  napi_create_uint32(env, v, &out);
  return out;
}

static napi_value socket_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1], o, v;
  batch_socket *s = unwrap(env, info, argv, 1);
  if (!s) return NULL;
  napi_create_object(env, &o);
  napi_create_double(env, s->received, &v); napi_set_named_property(env, o, "received", v);
  napi_create_double(env, s->sent, &v); napi_set_named_property(env, o, "sent", v);
  napi_create_double(env, s->dropped, &v); napi_set_named_property(env, o, "dropped", v);
  return o;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "open", NULL, open_socket, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, close_socket, NULL, NULL, NULL, napi_default, NULL },
    { "remote", NULL, remote_address, NULL, NULL, NULL, napi_default, NULL },
    { "prefix", NULL, remote_prefix, NULL, NULL, NULL, napi_default, NULL },
    { "stats", NULL, socket_stats, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value v;
  napi_create_int32(env, BATCH, &v); napi_set_named_property(env, exports, "batch", v);
  napi_create_int32(env, SLOT, &v); napi_set_named_property(env, exports, "slot", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
