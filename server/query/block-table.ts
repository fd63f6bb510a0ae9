// Records as written in one reply, kept flat by key, for copying into the next replies that need them.
import type { Writer } from './message-writer.js';
import { place, pointersIn, type Keeper, type Placeable } from './encode.js';
import { reusable } from './response-cache.js';

/** Per slot, in one Float64Array row: key, owner, generation, made, length, records, base name length, own start, pointer count, pointers. */
const KEY = 0, OWNER = 1, GENERATION = 2, MADE = 3, LENGTH = 4, RECORDS = 5, BASE = 6, START = 7, POINTERS = 8, FIRST_POINTER = 9;
const ROW = 16;
const MAX_POINTERS = ROW - FIRST_POINTER;

/**
 * A random-label flood's replies each carry one NSEC3 record and its RRSIGs chosen by the
 * query: the cover of its next closer name (missing-name-reply.ts). Written from its entry,
 * a cover costs reads of the entry, its RRset, its wire pieces and their buffer — on the
 * server each a cache miss, since the next query wants another cover. Here the bytes as
 * written once sit in one buffer and their bookkeeping in one row of one Float64Array, so a
 * reply finds and copies them with two reads near each other.
 *
 * Direct-mapped: a key picks one slot, and a key that lands on a taken slot replaces it (the
 * caller writes its records afresh and keeps them, so a miss costs what it did before this
 * table, plus a copy). A slot answers only for its key and owner (the caller's names for what
 * the records are, and whose), and under the reply cache's rule (`reusable`: no commit
 * anywhere since, at most a minute old). Bounded: `slots` × (SLOT_BYTES + a row).
 */
export class BlockTable implements Placeable {
  private readonly rows: Float64Array;
  private readonly data: Buffer;
  private readonly mask: number;
  /** Records copied from here, and kept (observable in tests). */
  hits = 0;
  kept = 0;

  constructor(slots = 1 << 15, private readonly slotBytes = 512) {
    const n = 1 << Math.ceil(Math.log2(Math.max(1, slots)));
    this.rows = new Float64Array(n * ROW);
    for (let s = 0; s < n; s++) this.rows[s * ROW + KEY] = -1;
    this.data = Buffer.alloc(n * slotBytes);
    this.mask = n - 1;
  }

  /** The slot holding `key` for `owner`, fresh under `reusable`; -1 when none does. */
  find(key: number, owner: number, generation: number, now: number): number {
    const slot = key & this.mask;
    const r = this.rows, at = slot * ROW;
    if (r[at + KEY] !== key || r[at + OWNER] !== owner || !reusable(r[at + GENERATION], r[at + MADE], generation, now)) return -1;
    return slot;
  }

  placeInto(w: Writer, nameLength: number, slot: number): number {
    const r = this.rows, at = slot * ROW;
    const from = slot * this.slotBytes;
    if (!place(w, this.data.subarray(from, from + r[at + LENGTH]), r, at + FIRST_POINTER, r[at + POINTERS], r[at + BASE], r[at + START], nameLength)) return -1;
    this.hits++;
    return r[at + RECORDS];
  }

  /**
   * Where to hand the records written for `key` (BlockReply.records), to keep them. Their
   * pointers may name only `apexLength` octets at the end of the question name (the zone's
   * apex, whatever the question) or their own bytes; records that point anywhere else (the
   * question name, or a block before them) are not kept.
   */
  keeper(key: number, owner: number, generation: number, now: number, apexLength: number): Keeper {
    return { kept: (bytes, records, start, nameLength) => this.keep(key, owner, generation, now, apexLength, bytes, records, start, nameLength) };
  }

  private keep(key: number, owner: number, generation: number, now: number, apexLength: number,
    bytes: Buffer, records: number, start: number, nameLength: number): void {
    if (bytes.length > this.slotBytes) return;
    const pointers = pointersIn(bytes, records);
    if (pointers.length > MAX_POINTERS) return;
    const apexAt = 12 + nameLength - apexLength;
    for (const p of pointers) {
      const to = ((bytes[p] & 0x3f) << 8) | bytes[p + 1];
      if (to < start && to !== apexAt) return;
    }
    const slot = key & this.mask;
    const r = this.rows, at = slot * ROW;
    r[at + KEY] = key;
    r[at + OWNER] = owner;
    r[at + GENERATION] = generation;
    r[at + MADE] = now;
    r[at + LENGTH] = bytes.length;
    r[at + RECORDS] = records;
    r[at + BASE] = nameLength;
    r[at + START] = start;
    r[at + POINTERS] = pointers.length;
    for (let i = 0; i < pointers.length; i++) r[at + FIRST_POINTER + i] = pointers[i];
    bytes.copy(this.data, slot * this.slotBytes);
    this.kept++;
  }
}
