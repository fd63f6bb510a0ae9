// Holding a presented chain against a TLSA RRset (RFC 6698 §2.1, RFC 7671 §5): which records match, and why the others do not.
import { rootCertificates } from 'node:tls';
import { X509Certificate as X509 } from 'node:crypto';
import { matchingDigest, selectedBytes } from '../dane/association.js';

export interface TlsaRecord {
  usage: number;
  selector: number;
  matching: number;
  data: Buffer;
  /** Presentation form: `3 1 1 <hex>`. */
  text: string;
}

export function tlsaRecord(rdata: Buffer): TlsaRecord {
  const data = rdata.subarray(3);
  return { usage: rdata[0], selector: rdata[1], matching: rdata[2], data, text: `${rdata[0]} ${rdata[1]} ${rdata[2]} ${data.toString('hex')}` };
}

export interface MatchContext {
  /** The chain as the server sent it, leaf first (chain.ts). */
  chain: readonly X509[];
  /**
   * The reference identifiers a certificate name must cover (RFC 7671 §5.1, RFC 6125): the
   * TLSA base domain, and for SRV services also the service domain (RFC 7673 §4).
   */
  names: readonly string[];
  now: Date;
  /** Trust anchors for PKIX-TA(0)/PKIX-EE(1); default: Node's bundled Mozilla roots. */
  roots?: readonly X509[];
}

export interface RecordOutcome {
  record: TlsaRecord;
  matched: boolean;
  /** The depth in the sent chain of the certificate it matched (0: the leaf). */
  depth?: number;
  reason: string;
}

/** Does this record's association data name `cert`? */
export function certMatches(r: TlsaRecord, cert: X509): boolean {
  const sel = selectedBytes(cert, r.selector);
  const digest = sel && matchingDigest(sel, r.matching);
  return !!digest && digest.equals(r.data);
}

/** Whether a record is one a client can use at all (RFC 7671 §4.1: unusable records are ignored). */
export function unusable(r: TlsaRecord): string | undefined {
  if (r.usage > 3) return `usage ${r.usage} is not one RFC 6698 defines`;
  if (r.selector > 1) return `selector ${r.selector} is not one RFC 6698 defines`;
  if (r.matching > 2) return `matching type ${r.matching} is not one RFC 6698 defines`;
  const want = r.matching === 1 ? 32 : r.matching === 2 ? 64 : undefined;
  if (want !== undefined && r.data.length !== want) return `the digest is ${r.data.length} octets, not ${want}`;
  return undefined;
}

export function evaluateRecord(r: TlsaRecord, ctx: MatchContext): RecordOutcome {
  const no = (reason: string): RecordOutcome => ({ record: r, matched: false, reason });
  const bad = unusable(r);
  if (bad) return no(`unusable: ${bad}`);
  const leaf = ctx.chain[0];
  if (!leaf) return no('no certificate was presented');
  switch (r.usage) {
    case 3:
      // RFC 7671 §5.1: DANE-EE matches the leaf's key or certificate; names and expiry do not count.
      return certMatches(r, leaf) ? { record: r, matched: true, depth: 0, reason: 'DANE-EE: the leaf matches' } : no('DANE-EE: the leaf does not match');
    case 2: {
      // RFC 7671 §5.2: the trust anchor must be in the chain the server sent (an issuer, not
      // the leaf), the chain from the leaf up to it must verify, and the leaf must carry the name.
      const depth = ctx.chain.findIndex((c, i) => i > 0 && certMatches(r, c));
      if (depth < 0) return no('DANE-TA: no issuer certificate in the sent chain matches');
      const broken = pathProblem(ctx.chain.slice(0, depth + 1), ctx.now);
      if (broken) return no(`DANE-TA: matches depth ${depth}, but ${broken}`);
      const name = nameProblem(leaf, ctx.names);
      if (name) return no(`DANE-TA: matches depth ${depth}, but ${name}`);
      return { record: r, matched: true, depth, reason: `DANE-TA: depth ${depth} matches and the chain to it verifies` };
    }
    case 1: case 0: {
      // RFC 6698 §2.1.1: PKIX-EE/PKIX-TA add a constraint to ordinary PKIX validation.
      const path = pkixPath(ctx);
      if (typeof path === 'string') return no(`${r.usage === 1 ? 'PKIX-EE' : 'PKIX-TA'}: PKIX validation fails: ${path}`);
      const name = nameProblem(leaf, ctx.names);
      if (name) return no(`${r.usage === 1 ? 'PKIX-EE' : 'PKIX-TA'}: ${name}`);
      if (r.usage === 1) return certMatches(r, leaf) ? { record: r, matched: true, depth: 0, reason: 'PKIX-EE: the leaf matches and validates' } : no('PKIX-EE: the leaf does not match');
      const depth = path.findIndex((c, i) => i > 0 && certMatches(r, c));
      return depth > 0 ? { record: r, matched: true, depth, reason: `PKIX-TA: depth ${depth} of the validated path matches` } : no('PKIX-TA: no CA certificate of the validated path matches');
    }
  }
  return no('unusable');
}

/** Every record of an RRset held against a chain. */
export function evaluateRRset(records: readonly TlsaRecord[], ctx: MatchContext): RecordOutcome[] {
  return records.map((r) => evaluateRecord(r, ctx));
}

/** Why chain[0..n] is not a valid chain of signatures and validity at `now` (the top is the anchor, whose validity is not checked: RFC 7671 §5.2.1). */
function pathProblem(path: readonly X509[], now: Date): string | undefined {
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i], parent = path[i + 1];
    if (!child.checkIssued(parent)) return `depth ${i} was not issued by depth ${i + 1}`;
    if (!child.verify(parent.publicKey)) return `the signature on depth ${i} does not verify with depth ${i + 1}'s key`;
    if (i > 0 && !child.ca) return `depth ${i} is an intermediate but not a CA certificate`;
    const expired = validityProblem(child, now);
    if (expired) return `depth ${i} ${expired}`;
  }
  return undefined;
}

function validityProblem(c: X509, now: Date): string | undefined {
  if (now < new Date(c.validFrom)) return `is not valid before ${new Date(c.validFrom).toISOString()}`;
  if (now > new Date(c.validTo)) return `expired ${new Date(c.validTo).toISOString()}`;
  return undefined;
}

/** Why the leaf does not carry any reference identifier (RFC 6125 through X509Certificate.checkHost, wildcards included). */
function nameProblem(leaf: X509, names: readonly string[]): string | undefined {
  const plain = names.map((n) => n.replace(/\.$/, ''));
  if (plain.some((n) => leaf.checkHost(n) !== undefined)) return undefined;
  return `the leaf certificate names none of ${plain.join(', ')}`;
}

let bundled: X509[] | undefined;
const defaultRoots = () => (bundled ??= rootCertificates.map((pem) => new X509(pem)));

/**
 * A PKIX path (RFC 5280 §6, reduced to signatures, issuer names, CA flags and validity):
 * the sent chain from the leaf as far as it verifies, ending in a trust anchor, which the
 * server may or may not have sent. Returns the path, leaf first and anchor last, or why none.
 */
function pkixPath(ctx: MatchContext): X509[] | string {
  const roots = ctx.roots ?? defaultRoots();
  const isRoot = (c: X509) => roots.some((r) => r.raw.equals(c.raw));
  const path: X509[] = [ctx.chain[0]];
  for (let i = 0; ; i++) {
    const cur = path[path.length - 1];
    const expired = validityProblem(cur, ctx.now);
    if (expired) return `depth ${i} ${expired}`;
    if (isRoot(cur)) return path;
    const anchor = roots.find((r) => cur.checkIssued(r) && cur.verify(r.publicKey));
    if (anchor) { path.push(anchor); return path; }
    const next = ctx.chain[i + 1];
    if (!next || !cur.checkIssued(next) || !cur.verify(next.publicKey) || !next.ca) return `no path from depth ${i} to a trusted root`;
    path.push(next);
  }
}
