// The wire cache bounds how many RRsets hold pieces; it must not itself keep RRsets alive that no zone holds any more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { zonesFromText, rawAsk, buildQuery, decode, type AnyRR } from './helpers/dns.js';

const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
const label = () => randomBytes(6).toString('hex');

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
