// BlockTable: records kept as written in one reply and copied into the next, pointers moved; kept only when safe, served only while fresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockTable } from '../server/query/fast/block-table.js';
import { Writer } from '../server/wire/message-writer.js';
import { nameToWire } from '../zones/model/name.js';

const APEX = 'example.com.';
const APEX_LENGTH = nameToWire(APEX).length;

/** A writer holding a 12-octet header and the question `qname` A IN: what BlockReply.begin leaves. */
function afterQuestion(qname: string): { w: Writer; nameLength: number } {
  const w = new Writer(Buffer.alloc(1024), 1024);
  const name = nameToWire(qname);
  w.off = 12;
  w.bytes(name);
  w.bytes(Buffer.from([0, 1, 0, 1]));
  return { w, nameLength: name.length };
}

/**
 * Two records as the encoder writes a cover after the question: `label.<apex>` NSEC3 (owner
 * pointing at the apex, or at `ownerTarget`) and its RRSIG (owner pointing back at it).
 */
function cover(start: number, ownerTarget: number): Buffer {
  const rr = (type: number, rdata: number[]) => [type >> 8, type & 0xff, 0, 1, 0, 0, 0x0e, 0x10, 0, rdata.length, ...rdata];
  return Buffer.from([
    3, 0x61, 0x62, 0x63, 0xc0 | (ownerTarget >> 8), ownerTarget & 0xff, ...rr(50, [1, 0, 0, 0]),
    0xc0 | (start >> 8), start & 0xff, ...rr(46, [9, 8, 7]),
  ]);
}

/** Keep a cover written after the question `qname`, as BlockReply.records would hand it over. */
function keep(t: BlockTable, key: number, qname: string, opts: { generation?: number; now?: number; ownerTarget?: number } = {}): void {
  const { nameLength } = afterQuestion(qname);
  const start = 12 + nameLength + 4;
  const apexAt = 12 + nameLength - APEX_LENGTH;
  t.keeper(key, 1, opts.generation ?? 5, opts.now ?? 1000, APEX_LENGTH).kept(cover(start, opts.ownerTarget ?? apexAt), 2, start, nameLength);
}

test('a kept cover is copied after a question of another length with its pointers moved: the apex into the new question, the RRSIG owner onto the copy', () => {
  const t = new BlockTable(16);
  keep(t, 3, 'short.example.com.');
  for (const qname of ['a.example.com.', 'a-much-longer-label.example.com.', 'short.example.com.']) {
    const slot = t.find(3, 1, 5, 1000);
    assert.ok(slot >= 0, 'found');
    const { w, nameLength } = afterQuestion(qname);
    const start = w.off;
    assert.equal(t.placeInto(w, nameLength, slot), 2, 'two records');
    assert.deepEqual(w.buf.subarray(start, w.off), cover(start, 12 + nameLength - APEX_LENGTH), `${qname}: the bytes a fresh write would give`);
  }
  assert.equal(t.hits, 3);
});

test('records that point into the question anywhere but the apex, or that are too big, are not kept', () => {
  const t = new BlockTable(16);
  // The NSEC3 owner pointing at the question name itself (a query for that very owner name):
  // copied into another reply, it would name that reply's question instead.
  keep(t, 3, 'abc.example.com.', { ownerTarget: 12 });
  assert.equal(t.find(3, 1, 5, 1000), -1);
  assert.equal(t.kept, 0);
  const small = new BlockTable(16, 20);
  keep(small, 3, 'abc.example.com.');
  assert.equal(small.find(3, 1, 5, 1000), -1, 'larger than a slot');
  keep(t, 3, 'abc.example.com.');
  assert.equal(t.kept, 1, 'the same records pointing at the apex are kept');
});

test('a slot answers only for its key and owner, while no commit was made and for at most a minute; a colliding key replaces it', () => {
  const t = new BlockTable(16);
  keep(t, 3, 'abc.example.com.', { generation: 5, now: 1000 });
  assert.ok(t.find(3, 1, 5, 1000) >= 0);
  assert.ok(t.find(3, 1, 5, 1060) >= 0, 'a minute old');
  assert.equal(t.find(3, 1, 5, 1061), -1, 'older than a minute');
  assert.equal(t.find(3, 1, 5, 999), -1, 'a clock that stepped back');
  assert.equal(t.find(3, 1, 6, 1000), -1, 'a commit since');
  assert.equal(t.find(3, 2, 5, 1000), -1, 'another owner (another zone\'s chain)');
  assert.equal(t.find(4, 1, 5, 1000), -1, 'another key');
  keep(t, 3 + 16, 'abc.example.com.');
  assert.equal(t.find(3, 1, 5, 1000), -1, 'replaced by a key landing on the same slot');
  assert.ok(t.find(19, 1, 5, 1000) >= 0);
});

test('records with up to six compression pointers are kept and copied with all of them moved; more are not kept', () => {
  /** `n` NSEC3-like records after the question `qname`, each owner a label and a pointer to the apex. */
  const records = (n: number, qname: string): { bytes: Buffer; start: number; nameLength: number } => {
    const { nameLength } = afterQuestion(qname);
    const apexAt = 12 + nameLength - APEX_LENGTH;
    const one = [1, 0x61 + 0, 0xc0 | (apexAt >> 8), apexAt & 0xff, 0, 50, 0, 1, 0, 0, 0x0e, 0x10, 0, 2, 1, 0];
    return { bytes: Buffer.from(Array.from({ length: n }, () => one).flat()), start: 12 + nameLength + 4, nameLength };
  };
  const t = new BlockTable(16);
  for (const [key, n] of [[1, 6], [2, 7]]) {
    const r = records(n, 'short.example.com.');
    t.keeper(key, 1, 5, 1000, APEX_LENGTH).kept(r.bytes, n, r.start, r.nameLength);
  }
  assert.equal(t.find(2, 1, 5, 1000), -1, 'seven pointers: not kept');
  const slot = t.find(1, 1, 5, 1000);
  assert.ok(slot >= 0, 'six pointers: kept');
  const { w, nameLength } = afterQuestion('a-longer-label.example.com.');
  const start = w.off;
  assert.equal(t.placeInto(w, nameLength, slot), 6);
  assert.deepEqual(w.buf.subarray(start, w.off), records(6, 'a-longer-label.example.com.').bytes, 'every pointer moved to the new question\'s apex');
});
