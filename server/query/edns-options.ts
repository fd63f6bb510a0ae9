// What the server does with each EDNS option a query carries: the one place that says so, for both the full path and the fast path.

/**
 * How a known option is treated. Today every known option is `ignored`: the reply is the one
 * the query would get without it, and the reply's OPT echoes none (wire/encode.ts, writeOpt).
 * An option the server starts to act on gets a use of its own here; the fast path then stops
 * taking queries that carry it (`fastPathMayIgnore`), until its reply key holds what the
 * option changes.
 */
export type OptionUse = 'ignored';

export interface KnownOption {
  name: string;
  use: OptionUse;
  /** Why the reply is the same without it. */
  why: string;
}

/**
 * The option codes the server knows (IANA "DNS EDNS0 Option Codes (OPT)"). Every other code is
 * unknown: the full path ignores it as RFC 6891 §6.1.2 asks, but a query carrying one takes the
 * full path, so that no reply made without looking at an option is ever reused for one whose
 * option someone decided to act on.
 */
export const KNOWN_OPTIONS: ReadonlyMap<number, KnownOption> = new Map<number, KnownOption>([
  [3, { name: 'NSID', use: 'ignored', why: 'RFC 5001: a server that does not identify itself answers without the option' }],
  [5, { name: 'DAU', use: 'ignored', why: 'RFC 6975: a validator reports the algorithms it supports; an authoritative answer does not change' }],
  [6, { name: 'DHU', use: 'ignored', why: 'RFC 6975: as DAU, for DS hash algorithms' }],
  [7, { name: 'N3U', use: 'ignored', why: 'RFC 6975: as DAU, for NSEC3 hash algorithms' }],
  [8, { name: 'edns-client-subnet', use: 'ignored', why: 'RFC 7871: we give every client the same answer, so there is no scope to report' }],
  [9, { name: 'EXPIRE', use: 'ignored', why: 'RFC 7314: for secondaries refreshing a zone; a primary may answer without it' }],
  [10, { name: 'COOKIE', use: 'ignored', why: 'RFC 7873: a server that does not implement cookies answers without a server cookie' }],
  [12, { name: 'Padding', use: 'ignored', why: 'RFC 7830, RFC 8467: padding hides sizes on encrypted transports; we serve plain DNS only' }],
  [14, { name: 'edns-key-tag', use: 'ignored', why: 'RFC 8145: a resolver reports its trust anchors to the zone operator; answers do not change' }],
  [15, { name: 'Extended DNS Error', use: 'ignored', why: 'RFC 8914: an error report belongs in responses; in a query it means nothing' }],
]);

/** Codes below 32 whose use is `ignored`, as a bit mask: the fast path asks once per option of every query it takes. */
const IGNORED_MASK = [...KNOWN_OPTIONS].reduce((m, [code, o]) => (o.use === 'ignored' && code < 32 ? m | (1 << code) : m), 0);

/** Whether a reply made without looking at option `code` is the reply to a query that carries it: known and ignored. */
export function fastPathMayIgnore(code: number): boolean {
  return code < 32 && ((IGNORED_MASK >>> code) & 1) === 1;
}
