// Whether the parent serves a DS matching the zone's active KSKs: one DS query (RD set) to the resolver the operator configured (`--ds-resolver`).
import type { Name } from '../../zones/model/name.js';
import { readWireName } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { rdataToText } from '../../zones/model/rdata/index.js';
import { Rcode } from '../wire/parse.js';
import { queryOnce } from '../xfr/monitor.js';
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

const RD = 0x0100;
const RCODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Rcode).map(([k, v]) => [v, k]));

/** The DS RDATA (presentation form) in a reply's answer section for `apex`. */
function answeredDs(msg: Buffer, apex: Name): string[] {
  const out: string[] = [];
  const qd = msg.readUInt16BE(4), an = msg.readUInt16BE(6);
  let off = 12;
  for (let i = 0; i < qd; i++) off = readWireName(msg, off).next + 4;
  for (let i = 0; i < an; i++) {
    const owner = readWireName(msg, off);
    off = owner.next;
    const type = msg.readUInt16BE(off), rdlen = msg.readUInt16BE(off + 8);
    if (type === RRType.DS && owner.name === apex) out.push(rdataToText(RRType.DS, msg.subarray(off + 10, off + 10 + rdlen)));
    off += 10 + rdlen;
  }
  return out;
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
  const target = { address: resolver.host, port: resolver.port };
  let reply = await queryOnce(apex, RRType.DS, RD, target, 'udp', timeoutMs);
  if (reply && (reply[2] & 0x02)) reply = await queryOnce(apex, RRType.DS, RD, target, 'tcp', timeoutMs);
  if (!reply) return { state: 'unknown', resolver: at, served: [], detail: `no answer from ${at} in ${2 * timeoutMs} ms` };
  const rcode = reply[3] & 0xf;
  if (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN) {
    return { state: 'unknown', resolver: at, served: [], detail: `${at} answered ${RCODE_NAMES[rcode] ?? `rcode ${rcode}`}` };
  }
  let served: string[];
  try { served = answeredDs(reply, apex); } catch { return { state: 'unknown', resolver: at, served: [], detail: `${at} sent a malformed reply` }; }
  if (!served.length) return { state: 'missing', resolver: at, served, detail: `the parent serves no DS for ${apex}` };
  const ours = new Set(wanted.map(norm));
  const matching = served.filter((d) => ours.has(norm(d))).length;
  return matching
    ? { state: 'match', resolver: at, served, detail: `${matching} of ${served.length} DS served by the parent point at an active KSK` }
    : { state: 'mismatch', resolver: at, served, detail: `the parent serves ${served.length} DS, none for an active KSK: validation of ${apex} fails` };
}
