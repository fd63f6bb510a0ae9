// Parse listener addresses: "127.0.0.1:5300", "[::1]:5300", ":5300".

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListenAddress(text: string, what = 'address'): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]*)):([0-9]{1,5})$/.exec(text.trim());
  if (!m) throw new Error(`bad ${what} ${JSON.stringify(text)}: expected ADDR:PORT or [IPv6]:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`bad ${what} ${JSON.stringify(text)}: port out of range`);
  const host = m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]);
  return { host, port };
}

/**
 * Who sent a message: its address as text, or a function that spells it out when asked. The
 * batched UDP path passes the function: nearly every query is answered without anyone asking,
 * and spelling out a source address per datagram (a call into the addon, a new string) was a
 * cost every answer paid.
 */
export type Remote = string | (() => string);

export function remoteText(r: Remote): string {
  return typeof r === 'string' ? r : r();
}

export function formatAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
