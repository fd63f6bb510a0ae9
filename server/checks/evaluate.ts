// One endpoint's verdict and warnings from what its probe saw and the service's TLSA RRset.
import type { ProbeOutcome } from './probe.js';
import { evaluateRRset, type TlsaRecord } from './tlsa-match.js';
import { certJson } from './chain.js';
import type { EndpointJson } from './types.js';

/** A certificate under usages 0/1/2 that expires within this many days gets a warning. */
export const EXPIRY_WARNING_DAYS = 14;

export interface EvaluateContext {
  records: readonly TlsaRecord[];
  names: readonly string[];
  now: Date;
}

export function evaluateEndpoint(address: string, p: ProbeOutcome, ctx: EvaluateContext): EndpointJson {
  if (p.failure) {
    return { address, verdict: p.failure.verdict, reason: p.failure.reason, tls: null, chain: [], matched: [], warnings: [] };
  }
  const outcomes = evaluateRRset(ctx.records, { chain: p.chain, names: ctx.names, now: ctx.now });
  const matched = outcomes.filter((o) => o.matched);
  const warnings = [...tlsWarnings(p), ...expiryWarnings(p, ctx)];
  // RFC 7671 §8.1: a rollover without an outage needs the next key published first.
  if (matched.length && ctx.records.length && matched.length === ctx.records.length) {
    warnings.push('every TLSA record matches the current certificate: there is no record for a next key, so a key rollover means an outage (RFC 7671 §8.1)');
  }
  const endpoint: EndpointJson = {
    address, verdict: matched.length ? 'match' : 'mismatch', tls: p.tls ? { version: p.tls.version, cipher: p.tls.cipher, group: p.tls.group } : null,
    chain: p.chain.map(certJson), matched: matched.map((o) => o.record.text), warnings,
  };
  if (!matched.length) {
    endpoint.reason = ctx.records.length ? `no TLSA record matches: ${outcomes.map((o) => `${o.record.usage} ${o.record.selector} ${o.record.matching}: ${o.reason}`).join('; ')}` : 'the service has no TLSA records';
  }
  return endpoint;
}

/** The XMPP TLS recommendations (draft-saintandre-xmpp-tls; RFC 7525): TLS 1.2 or later, AEAD suites, forward secrecy; no plaintext injected after STARTTLS. */
function tlsWarnings(p: ProbeOutcome): string[] {
  const out: string[] = [];
  const t = p.tls!;
  if (t.version !== 'TLSv1.2' && t.version !== 'TLSv1.3') out.push(`TLS version ${t.version} is below TLS 1.2`);
  if (!t.aead) out.push(`cipher suite ${t.cipher} is not AEAD`);
  if (!t.forwardSecrecy) out.push(`cipher suite ${t.cipher} has no forward secrecy (no ephemeral key exchange)`);
  if (p.plaintextAfterStartTls) out.push('the server sent plaintext after its STARTTLS go-ahead');
  return out;
}

/** Under usages 0/1/2 the certificates' validity counts; DANE-EE(3) ignores it (RFC 7671 §5.1). */
function expiryWarnings(p: ProbeOutcome, ctx: EvaluateContext): string[] {
  if (!ctx.records.some((r) => r.usage <= 2)) return [];
  const soon = ctx.now.getTime() + EXPIRY_WARNING_DAYS * 86400_000;
  const out: string[] = [];
  p.chain.forEach((c, depth) => {
    const until = new Date(c.validTo).getTime();
    if (until < soon) out.push(`certificate at depth ${depth} (${c.subject.split('\n').join(', ')}) ${until < ctx.now.getTime() ? 'expired' : 'expires'} ${new Date(until).toISOString()}`);
  });
  return out;
}
