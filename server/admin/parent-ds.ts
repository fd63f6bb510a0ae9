// Whether the parent serves a DS matching the zone's active KSKs: one DS query (RD set) to the resolver the operator configured (`--ds-resolver`).
import type { Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { rdataToText } from '../../zones/model/rdata/index.js';
import { queryDs } from '../keys/ds-check.js';
import type { ListenAddress } from '../net/address.js';
import { formatAddress } from '../net/address.js';

export type ParentDsState = 'match' | 'mismatch' | 'missing' | 'unknown';

export interface ParentDs {
  /** match: some DS the parent serves points at an active KSK; mismatch: DS served, none does; missing: no DS; unknown: no resolver or no usable answer. */
  state: ParentDsState;
  resolver: string | null;
  /** The DS records the resolver returned, in presentation form. */
  served: string[];
  detail: string;
}

/** Digests compare case-insensitively; the presentation form may split them. */
const norm = (ds: string): string => ds.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Ask `resolver` for the DS RRset of `apex` (over UDP, then TCP when truncated) and hold it
 * against `wanted`, the DS of the zone's active KSKs. Never throws: what went wrong is the
 * detail of an `unknown` state.
 */
export async function parentDs(apex: Name, wanted: readonly string[], resolver: ListenAddress | undefined, timeoutMs = 1500): Promise<ParentDs> {
  if (!resolver) return { state: 'unknown', resolver: null, served: [], detail: 'no resolver configured (serve --ds-resolver ADDR:PORT)' };
  const at = formatAddress(resolver);
  const answer = await queryDs(apex, { address: resolver.host, port: resolver.port }, true, timeoutMs);
  if (!answer) return { state: 'unknown', resolver: at, served: [], detail: `no answer from ${at} in ${2 * timeoutMs} ms` };
  const served = answer.rdatas.map((d) => rdataToText(RRType.DS, d));
  if (!served.length) return { state: 'missing', resolver: at, served, detail: `the parent serves no DS for ${apex}` };
  const ours = new Set(wanted.map(norm));
  const matching = served.filter((d) => ours.has(norm(d))).length;
  return matching
    ? { state: 'match', resolver: at, served, detail: `${matching} of ${served.length} DS served by the parent point at an active KSK` }
    : { state: 'mismatch', resolver: at, served, detail: `the parent serves ${served.length} DS, none for an active KSK: validation of ${apex} fails` };
}
