// IXFR (RFC 1995): the client's serial from the request, and the reply as journal difference sequences.
import { NameError, readWireName } from '../../zones/model/name.js';
import type { JournalRR, StepContent } from '../../zones/journal-step.js';
import { RRType } from '../../zones/model/types.js';
import { makeRRset, type RRset } from '../../zones/model/rrset.js';
import { soaSerial } from '../../zones/model/rdata/index.js';
import type { Query } from '../wire/parse.js';
import { rrEntry, type RREntry } from '../wire/response.js';
import { isServable } from '../../signer/policy.js';
import { sigTimes } from '../../signer/kept-sigs.js';

/** One serial step: the old SOA first in `removed`, the new SOA first in `added` (RFC 1995 §4). */
export interface JournalStep extends StepContent { from: number; to: number }

/** The SOA serial the client holds: the SOA in the authority section (RFC 1995 §3). */
export function clientSerial(msg: Buffer, q: Query): number | undefined {
  // The query parser checked the owners and lengths; the SOA's own names are read here, and a bad one is FORMERR (undefined).
  try { return requestSoaSerial(msg, q); } catch (e) { if (e instanceof NameError || e instanceof RangeError) return undefined; throw e; }
}

function requestSoaSerial(msg: Buffer, q: Query): number | undefined {
  let off = q.bodyOffset;
  for (let i = 0; i < q.ancount + q.nscount; i++) {
    const { next } = readWireName(msg, off);
    const type = msg.readUInt16BE(next);
    const rdlen = msg.readUInt16BE(next + 8);
    if (i >= q.ancount && type === RRType.SOA) {
      // The SOA's names may be compressed against the whole message: read them in place.
      const m = readWireName(msg, next + 10);
      const r = readWireName(msg, m.next);
      return r.next + 4 <= next + 10 + rdlen ? msg.readUInt32BE(r.next) : undefined;
    }
    off = next + 10 + rdlen;
  }
  return undefined;
}

/** RFC 1982: is serial a at or after b? */
export function serialAtLeast(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

function entry(rr: JournalRR): RREntry {
  return rrEntry(rr.name, makeRRset(rr.name, rr.type, rr.ttl, [rr.rdata]));
}

/**
 * The incremental reply: current SOA, then per step the old SOA and what it removed, the
 * new SOA and what it added, then the current SOA again (RFC 1995 §4).
 */
export function* ixfrEntries(current: RRset, steps: readonly JournalStep[]): Iterable<RREntry> {
  yield rrEntry(current.name, current);
  for (const s of steps) {
    for (const rr of s.removed) yield entry(rr);
    for (const rr of s.added) yield entry(rr);
  }
  yield rrEntry(current.name, current);
}

/**
 * Whether every RRSIG the steps add is inside its validity window at `now` (RFC 4035 §5.3.1).
 * Steps keep the signatures of their commit; once the clock passed one's expiration (the
 * re-sign overdue, or the clock stepped) or stands before its inception (the clock stepped
 * back), the secondary must get the zone whole, signed as of now, instead (RFC 1995 §4).
 */
export function stepsServable(steps: readonly JournalStep[], now: number): boolean {
  for (const s of steps) {
    for (const rr of s.added) {
      if (rr.type === RRType.RRSIG && !isServable(sigTimes(rr.rdata), now)) return false;
    }
  }
  return true;
}

export function currentSerial(soa: RRset): number {
  return soaSerial(soa.rdatas[0]);
}
