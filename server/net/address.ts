// Parse listener addresses: "127.0.0.1:5300", "[::1]:5300", ":5300".

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListenAddress(text: string, what = 'address'): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(text.trim());
  if (!m) throw new Error(`bad ${what} ${JSON.stringify(text)}: expected ADDR:PORT or [IPv6]:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`bad ${what} ${JSON.stringify(text)}: port out of range`);
  const host = m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]);
  return { host, port };
}

export function formatAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * A listener that could not be opened (port taken, address not on this host, no permission):
 * the protocol, the address and the system's reason, as one line for the operator.
 */
export class ListenError extends Error {
  /** The system's error code (EADDRINUSE…), as on the error it wraps. */
  readonly code: string | undefined;
  constructor(readonly what: string, readonly at: ListenAddress, cause: unknown) {
    const e = cause as NodeJS.ErrnoException;
    super(`cannot listen on ${what} ${formatAddress(at)}: ${listenReason(e)}`);
    this.code = e.code;
  }
}

/** The system's reason without Node's "listen EADDRINUSE: … 0.0.0.0:53" prefix (the address is said once, by ListenError). */
function listenReason(e: NodeJS.ErrnoException): string {
  const reasons: Record<string, string> = {
    EADDRINUSE: 'address already in use', EADDRNOTAVAIL: 'address not available on this host',
    EACCES: 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)', EAFNOSUPPORT: 'address family not supported',
  };
  const reason = (e.code && reasons[e.code]) ?? String(e.message ?? e).replace(/^(listen|bind)\s+\S+:?\s*/, '');
  return e.code ? `${reason} (${e.code})` : reason;
}

/** Whether `host` names this machine's loopback only (127.0.0.0/8, ::1, localhost): traffic there never leaves the host. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
