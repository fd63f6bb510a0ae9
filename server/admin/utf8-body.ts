// Request bodies as strict UTF-8: fastify decodes leniently (a bad byte becomes U+FFFD and is stored as such),
// so both APIs read bodies as bytes and refuse one that is not UTF-8.
const strict = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or undefined when it is not UTF-8. */
export function decodeUtf8Body(body: Buffer): string | undefined {
  try { return strict.decode(body); } catch { return undefined; }
}

export const NOT_UTF8 = 'the body is not valid UTF-8 (RFC 8259 §8.1: JSON text exchanged between systems is UTF-8)';
