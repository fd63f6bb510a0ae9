// Shared test fixtures for the signer tests: RRSIG time text, presentation helpers, published vectors.

/** RRSIG timestamp text YYYYMMDDHHmmss (RFC 4034 §3.2) → 32-bit field value. */
export function rrsigTimeFromText(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) throw new Error(`bad RRSIG time ${s}`);
  return (Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000) >>> 0;
}

/** 32-bit RRSIG time → YYYYMMDDHHmmss (valid for the 1970–2106 window, which is all tests need). */
export function rrsigTimeToText(t: number): string {
  return new Date(t * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** RFC 6605 §6.1: the P-256 example (also reproduced by several DNS libraries' test suites). */
export const RFC6605 = {
  zone: 'example.net.',
  dnskeyB64: 'GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==',
  privateKeyB64: 'GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=',
  keyTag: 55648,
  dsDigestHex: 'b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17',
  rrsig: {
    owner: 'www.example.net.', a: '192.0.2.1', ttl: 3600, labels: 3,
    expiration: '20100909100439', inception: '20100812100439',
    sigB64: 'qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==',
  },
};

/** RFC 4034 §5.4: an RSA/SHA-1 DNSKEY whose key tag the RFC gives as 60485. */
export const RFC4034_DSKEY = {
  rdata: Buffer.concat([Buffer.from([0x01, 0x00, 3, 5]), Buffer.from(
    'AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==',
    'base64')]),
  keyTag: 60485,
};
