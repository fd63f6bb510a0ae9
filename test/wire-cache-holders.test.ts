// The wire cache bounds how many RRsets hold pieces; it must not itself keep RRsets alive that no zone holds any more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { zonesFromText, rawAsk, buildQuery, decode, type AnyRR } from './helpers/dns.js';
import { RRsetWireCache } from '../server/wire/rr-wire.js';
import { makeRRset, type RRset } from '../zones/model/rrset.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText } from '../zones/model/rdata/index.js';

const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
const APEX = 'example.com.';
const label = () => randomBytes(6).toString('hex');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Collect garbage once the current job is over (a WeakRef made in it keeps its target until then). */
async function collect(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
}

/**
 * Pieces for `n` RRsets that nothing else names; weak references to them. A function of its
 * own: an async test's suspended frame would keep its last loop variable alive.
 */
function encodeAndDrop(wire: RRsetWireCache, n: number): WeakRef<RRset>[] {
  const refs: WeakRef<RRset>[] = [];
  for (let i = 0; i < n; i++) {
    const r = makeRRset(`h${i}.${APEX}`, RRType.A, 300, [Buffer.from([192, 0, 2, i])]);
    wire.get(r, 300, APEX);
    refs.push(new WeakRef(r));
  }
  return refs;
}

test('RRsets the zone let go are not kept alive by the wire cache', async () => {
  const wire = new RRsetWireCache(1000);
  const kept = makeRRset(`kept.${APEX}`, RRType.A, 300, [Buffer.from([192, 0, 2, 1])]);
  wire.get(kept, 300, APEX);
  const refs = encodeAndDrop(wire, 200);
  await collect();
  const alive = refs.flatMap((r, i) => (r.deref() !== undefined ? [i] : []));
  assert.deepEqual(alive, [], 'RRsets only the cache named were collected');
  assert.ok(kept.encoded !== undefined, 'an RRset still in use keeps its pieces');
});

test('an RRset replaced by an edit is collected even while its slot in the cache is not reused', async () => {
  const s = zonesFromText({ 'example.com': fixture });
  const ask = () => decode(rawAsk(s.ctx, buildQuery('www.example.com', 'A', { dnssecOk: true }))!).answers as AnyRR[];
  ask();
  const before = new WeakRef([...s.zones.get(APEX)!.allRRsets()].find((r) => r.name === `www.${APEX}` && r.type === RRType.A)!);
  assert.ok(before.deref()!.encoded !== undefined, 'the answer held its pieces');
  s.edit(APEX, [{ name: `www.${APEX}`, type: RRType.A, rdatas: [rdataFromText(RRType.A, '192.0.2.77', APEX)] }]);
  assert.equal(ask().find((a) => a.type === 'A')!.data, '192.0.2.77');
  await collect();
  assert.equal(before.deref(), undefined, 'the replaced RRset is gone');
});

test('a synthesised CNAME (DNAME, RFC 6672) is written once, never held: random names below a DNAME add no held pieces', () => {
  const s = zonesFromText({ 'example.com': fixture });
  s.ctx.fastPath = undefined;
  const wire = s.ctx.wire!;
  const ask = () => {
    const answers = decode(rawAsk(s.ctx, buildQuery(`${label()}.dn.example.com`, 'A', { dnssecOk: true }))!).answers as AnyRR[];
    assert.ok(answers.some((a) => a.type === 'CNAME'), 'a CNAME was synthesised');
  };
  // The first answers meet the zone's own RRsets (DNAME, SOA, NSEC3 covers): those are held.
  for (let i = 0; i < 300; i++) ask();
  const made = wire.made;
  for (let i = 0; i < 300; i++) ask();
  assert.ok(wire.made - made < 10, `pieces made ${wire.made - made} times for 300 synthesised CNAMEs`);
});
