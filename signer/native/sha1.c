// SHA-1 of a few octets for NSEC3 hashes (RFC 5155 §5), from OpenSSL as linked into Node, with
// as little as possible between JavaScript and the digest. signer/nsec3-sha1.ts falls back to
// node:crypto when this is not built.
//
// Why: every random-label NXDOMAIN or wildcard answer hashes one query name. node:crypto's
// one-shot hash() looks the algorithm up, allocates and frees a digest context and converts its
// arguments on every call: about 4,000 instructions around a 900-instruction compression
// (callgrind), 176 ns a name against 82–95 ns here (bench/nsec3-hash.ts prints both).
//
// Why the low-level SHA1_Init/Update/Final, deprecated since OpenSSL 3.0: they run the same
// block function as the EVP interface without its per-call provider dispatch. Measured with
// bench/nsec3-hash.ts, interleaved with node:crypto: 93–96 ns a name against 124 ns through
// a prefetched EVP_MD and a reused context, and 390 ns through the one-shot SHA1(), which in
// OpenSSL 3 fetches the algorithm on every call. Node 20 links OpenSSL 3.0, which has them.
//
// Contract with JavaScript:
//   arena: ArrayBuffer of ARENA octets; the caller writes the message at its start.
//   digest(n) -> SHA-1 of arena[0, n) as a 20-character latin1 string (n ≤ ARENA).
// One arena per JavaScript environment (worker thread), kept as the environment's instance data
// and freed with it.
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/sha.h>
#include <stdlib.h>

// A name (≤ 255 octets) and a salt (≤ 255): the longest NSEC3 hash input.
#define ARENA 512
#define SHA1_LEN 20

typedef struct {
  unsigned char *arena;
  napi_ref arenaRef;
} Instance;

static void free_instance(napi_env env, void *data, void *hint) {
  free(data);
}

static napi_value digest(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t n = 0;
  Instance *in = NULL;
  unsigned char out[SHA1_LEN];
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_uint32(env, argv[0], &n) != napi_ok || n > ARENA) {
    napi_throw_range_error(env, NULL, "digest(n): n must be an integer from 0 to 512");
    return NULL;
  }
  napi_get_instance_data(env, (void **)&in);
  SHA_CTX c;
  if (SHA1_Init(&c) != 1 || SHA1_Update(&c, in->arena, n) != 1 || SHA1_Final(out, &c) != 1) {
    napi_throw_error(env, NULL, "SHA-1 failed");
    return NULL;
  }
  napi_create_string_latin1(env, (const char *)out, SHA1_LEN, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  Instance *in = calloc(1, sizeof(Instance));
  napi_value arena, fn;
  void *data = NULL;
  if (in == NULL) { napi_throw_error(env, NULL, "out of memory"); return NULL; }
  napi_create_arraybuffer(env, ARENA, &data, &arena);
  in->arena = data;
  // A strong reference keeps the arena alive for as long as `in` points into it: until the
  // environment ends, whatever JavaScript lets go of.
  napi_create_reference(env, arena, 1, &in->arenaRef);
  napi_set_instance_data(env, in, free_instance, NULL);
  napi_set_named_property(env, exports, "arena", arena);
  napi_create_function(env, "digest", NAPI_AUTO_LENGTH, digest, NULL, &fn);
  napi_set_named_property(env, exports, "digest", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
