// Write RRsets into a message: the owner once (or a pointer to it), then each record from the RRset's wire pieces; never a partial RRset.
import type { Name } from '../../zones/model/name.js';
import type { RREntry } from './response.js';
import { rrsetWire, nameWire, SLOT, type RRBody, type RRsetWire, type RRsetWireCache } from './rr-wire.js';
import { OVERFLOW, type Writer } from './message-writer.js';

/** One record's TYPE…RDATA, compressing the RDATA names its type allows (see rr-wire.ts). */
function writeBody(w: Writer, body: RRBody): void {
  w.bytes(body.head);
  const lenAt = w.off;
  w.u16(0);
  for (const p of body.parts) {
    if (Buffer.isBuffer(p)) w.bytes(p);
    else w.nameWire(p);
  }
  w.buf.writeUInt16BE(w.off - lenAt - 2, lenAt);
}

/**
 * Writes an RRset and its RRSIGs; returns the number of RRs written. The records come from
 * wire pieces, cached per RRset on the query path and made on the spot otherwise, so both
 * paths write the same bytes by construction.
 */
function writeEntry(w: Writer, e: RREntry, wire: RRsetWireCache | undefined, now: number): number {
  const rrset = e.rrset;
  const ttl = e.ttl ?? rrset.ttl;
  const apex = e.zone?.apex;
  let rw: RRsetWire;
  if (e.sigs || !wire || e.once) rw = rrsetWire(rrset, ttl, apex, e.sigs ?? (e.signer ? e.signer.signatures(rrset, now).sigs : undefined));
  else rw = e.signer ? wire.getSigned(rrset, ttl, apex, e.signer, now) : wire.get(rrset, ttl, apex);
  // Held pieces may carry RRSIGs from a DO=1 answer; this entry gets them only if it is signed.
  const signed = e.sigs !== undefined || e.signer !== undefined;
  const records = rw.count + (signed ? rw.sigCount : 0);
  const run = rw.run;
  const to = run === undefined ? 0 : signed ? run.length : rw.sigsAt;
  // The owner is spelled (or pointed to) once; every later record points at it. Cheapest
  // first: the owner itself already in the message (the qname, say), then the run's own owner
  // part pointing at the apex, else the owner spelled out label by label.
  let at = w.offsetOf(e.owner);
  if (at !== undefined) {
    w.u16(0xc000 | at);
  } else if (run !== undefined && rw.recordsAt > 0 && e.owner === rrset.name) {
    const apexAt = w.offsetOf(rw.apex!);
    if (apexAt !== undefined) {
      w.ownerRun(run, to, rw.prefix, apexAt, e.owner);
      return records;
    }
  }
  if (at === undefined) at = e.owner === rrset.name ? w.nameWire(rw.owner ??= nameWire(rrset.name)) : w.name(e.owner);
  if (at === undefined) {
    // The owner lies past a pointer's reach (a TCP message over 16 KB): spell it out per record.
    writeSpelledOut(w, e.owner, rw, to, signed);
  } else if (run !== undefined) {
    w.records(run, rw.recordsAt, to, at, true);
  } else {
    for (let i = 0; i < rw.count; i++) { if (i > 0) w.u16(0xc000 | at); writeBody(w, rw.bodies![i]); }
    if (signed && rw.sigRecords) w.records(rw.sigRecords, 0, rw.sigRecords.length, at, false);
  }
  return records;
}

/** The records of `rw` up to `to` in its run (or its bodies and, when signed, its RRSIGs) with the owner written out before each one but the first. */
function writeSpelledOut(w: Writer, owner: Name, rw: RRsetWire, to: number, signed: boolean): void {
  const each = (run: Buffer, from: number, end: number, firstHasSlot: boolean): void => {
    for (let at = from, first = true; at < end; first = false) {
      if (!first || firstHasSlot) { at += SLOT; w.name(owner); }
      const next = at + 10 + run.readUInt16BE(at + 8);
      w.bytes(run.subarray(at, next));
      at = next;
    }
  };
  if (rw.run) { each(rw.run, rw.recordsAt, to, false); return; }
  for (let i = 0; i < rw.count; i++) { if (i > 0) w.name(owner); writeBody(w, rw.bodies![i]); }
  if (signed && rw.sigRecords) each(rw.sigRecords, 0, rw.sigRecords.length, true);
}

/** Write entries until one does not fit; returns [count written, whether all fit]. */
export function writeSection(w: Writer, entries: readonly RREntry[], wire: RRsetWireCache | undefined, now: number): [number, boolean] {
  let count = 0;
  for (const e of entries) {
    const mark = w.off;
    try {
      count += writeEntry(w, e, wire, now);
    } catch (err) {
      if (err !== OVERFLOW) throw err;
      w.off = mark; // never a partial RRset
      return [count, false];
    }
  }
  return [count, true];
}
