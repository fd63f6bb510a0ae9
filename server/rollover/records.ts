// The next TLSA records of a rollover: one per usage/selector/matching combination in use (RFC 7671 §9), from a certificate, a public key, a CSR or given data.
import { X509Certificate, createPublicKey } from 'node:crypto';
import { matchingDigest, selectedBytes } from '../dane/association.js';
import { tlsaRecord, unusable, type TlsaRecord } from '../checks/tlsa-match.js';

/** A request that cannot start or end a rollover; `field` names the input at fault, `status` the HTTP status. */
export class RolloverError extends Error {
  constructor(message: string, readonly field: string, readonly status: 400 | 404 | 409 = 400) { super(message); }
}

/** What the next key is given as: exactly one. PEM texts; `data` hex. */
export interface NextKeySource {
  certificate?: string;
  spki?: string;
  csr?: string;
  data?: string;
  /** With `data` (or to pick one combination): the record's parameters; they must be a combination in use. */
  usage?: number;
  selector?: number;
  matching?: number;
}

export const SOURCE_FIELDS = ['certificate', 'spki', 'csr', 'data'] as const;

/** A DER element: its tag, where its content starts, and where it ends. */
function derElement(buf: Buffer, off: number): { tag: number; start: number; end: number } {
  const tag = buf[off];
  let len = buf[off + 1];
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 3) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i];
    start += n;
  }
  if (tag === undefined || start + len > buf.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

/**
 * The SubjectPublicKeyInfo of a PKCS #10 request (RFC 2986 §4.1): CertificationRequest →
 * CertificationRequestInfo → version, subject, subjectPKInfo. Parsed by hand: Node has no CSR
 * parser, and the key is all a TLSA record of selector 1 needs.
 */
export function csrSpki(pem: string): Buffer {
  const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]+?)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(pem);
  if (!m) throw new RolloverError('no PEM CERTIFICATE REQUEST block found', 'csr');
  try {
    const der = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
    const req = derElement(der, 0);
    const info = derElement(der, req.start);
    const version = derElement(der, info.start);
    const subject = derElement(der, version.end);
    const spki = derElement(der, subject.end);
    if (req.tag !== 0x30 || info.tag !== 0x30 || version.tag !== 0x02 || subject.tag !== 0x30 || spki.tag !== 0x30) throw new Error('not a PKCS #10 request');
    const bytes = der.subarray(subject.end, spki.end);
    // Through Node's parser, so the key is known to be a key.
    return createPublicKey({ key: bytes, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' });
  } catch (err) {
    throw new RolloverError(`csr does not parse: ${(err as Error).message}`, 'csr');
  }
}

function certificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new RolloverError('no PEM CERTIFICATE block found', 'certificate');
  return blocks.map((b, i) => {
    try { return new X509Certificate(b); } catch (err) { throw new RolloverError(`certificate ${i} does not parse: ${(err as Error).message}`, 'certificate'); }
  });
}

/** The field that was given, or a 400 when not exactly one was. */
export function sourceField(src: NextKeySource): (typeof SOURCE_FIELDS)[number] {
  const given = SOURCE_FIELDS.filter((f) => src[f] !== undefined);
  if (given.length !== 1) throw new RolloverError(`give exactly one of ${SOURCE_FIELDS.join(', ')}`, given[1] ?? 'certificate');
  return given[0];
}

/**
 * The next records for a TLSA RRset: for each usage/selector/matching combination in use, the
 * record the next key makes. Trust-anchor usages (0, 2) take the last certificate of a given
 * chain; when that record is already published (the same CA) it is not a next record.
 */
export function nextRecords(current: readonly TlsaRecord[], src: NextKeySource): TlsaRecord[] {
  const field = sourceField(src);
  let combos: Pick<TlsaRecord, 'usage' | 'selector' | 'matching'>[] = [...new Map(current.map((r) => [`${r.usage} ${r.selector} ${r.matching}`, r])).values()].filter((r) => !unusable(r));
  if (!combos.length && current.length) throw new RolloverError('the service has no usable TLSA record: nothing says which usage, selector and matching type the next record takes', 'name');
  // No TLSA RRset yet: the first records, 3 1 1 unless given (RFC 7671 §5.1's recommendation).
  if (!current.length) combos = [{ usage: src.usage ?? 3, selector: src.selector ?? 1, matching: src.matching ?? 1 }];
  let wanted = combos;
  if (src.usage !== undefined || src.selector !== undefined || src.matching !== undefined) {
    wanted = combos.filter((r) => (src.usage ?? r.usage) === r.usage && (src.selector ?? r.selector) === r.selector && (src.matching ?? r.matching) === r.matching);
    if (!wanted.length) {
      const which = src.matching !== undefined ? 'matching' : src.selector !== undefined ? 'selector' : 'usage';
      throw new RolloverError(`${src.usage ?? '*'} ${src.selector ?? '*'} ${src.matching ?? '*'} is not a combination in use (in use: ${combos.map((r) => `${r.usage} ${r.selector} ${r.matching}`).join(', ')}); a next record takes a matching type that is published (RFC 7671 §9)`, which);
    }
  }
  const published = new Set(current.map((r) => r.text));
  const out: TlsaRecord[] = [];
  if (field === 'data') {
    if (!/^([0-9a-fA-F]{2})+$/.test(src.data!)) throw new RolloverError('data must be an even number of hex digits', 'data');
    if (wanted.length > 1) throw new RolloverError(`several combinations are in use (${wanted.map((r) => `${r.usage} ${r.selector} ${r.matching}`).join(', ')}): give usage, selector and matching with data, or a certificate or key`, 'data');
    const r = wanted[0];
    const rec = tlsaRecord(Buffer.concat([Buffer.from([r.usage, r.selector, r.matching]), Buffer.from(src.data!, 'hex')]));
    const bad = unusable(rec);
    if (bad) throw new RolloverError(`data does not fit ${r.usage} ${r.selector} ${r.matching}, the combination in use: ${bad}`, 'data');
    out.push(rec);
  } else {
    const chain = field === 'certificate' ? certificates(src.certificate!) : undefined;
    let spki: Buffer | undefined;
    if (field === 'spki') {
      try { spki = createPublicKey(src.spki!).export({ type: 'spki', format: 'der' }); } catch (err) { throw new RolloverError(`spki is not a PEM public key: ${(err as Error).message}`, 'spki'); }
    } else if (field === 'csr') spki = csrSpki(src.csr!);
    for (const r of wanted) {
      let bytes: Buffer | undefined;
      if (chain) bytes = selectedBytes(r.usage === 0 || r.usage === 2 ? chain[chain.length - 1] : chain[0], r.selector);
      else if (r.selector === 1) bytes = spki;
      else throw new RolloverError(`a public key cannot make a record of selector 0 (the full certificate), which ${r.usage} ${r.selector} ${r.matching} uses: give the certificate`, field);
      const digest = bytes && matchingDigest(bytes, r.matching);
      if (!digest) throw new RolloverError(`cannot compute ${r.usage} ${r.selector} ${r.matching}`, field);
      const rec = tlsaRecord(Buffer.concat([Buffer.from([r.usage, r.selector, r.matching]), digest]));
      // The same trust anchor under a new leaf: already published, nothing to roll.
      if ((r.usage === 0 || r.usage === 2) && published.has(rec.text)) continue;
      out.push(rec);
    }
  }
  const fresh = out.filter((r) => !published.has(r.text));
  if (!fresh.length) throw new RolloverError('the next key is the current one: every record it makes is already published', field);
  return fresh;
}
