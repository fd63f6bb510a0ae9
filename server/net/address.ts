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
