// Registry.find: the longest-matching hosted zone (RFC 1034 §4.3.2 step 2), as zones at several depths come and go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zonesFromText } from './helpers/dns.js';
import { TEST_ACTOR } from './helpers/dns.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';

const soa = (apex: string) => `$TTL 300\n@ SOA ns.${apex} h.${apex} 1 7200 3600 1209600 300\n@ NS ns.${apex}\nns A 192.0.2.1\n`;

/**
 * find tests each apex in turn while a few zones are held, and probes its map by suffix past
 * that (registry.ts, FEW_ZONES): every case runs both ways, the second with ten more zones
 * under .test. that no query here names.
 */
const modes = [
  { label: 'few zones', fillers: {} },
  { label: 'many zones', fillers: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`filler${i}.test.`, soa(`filler${i}.test.`)])) },
];

for (const { label, fillers } of modes) {
  /** A registry holding `zones` (and this mode's fillers), and the apex `find` picks for a name. */
  const hosting = (zones: Record<string, string>) => {
    const s = zonesFromText({ ...fillers, ...zones }, { signed: false });
    return { s, apexOf: (name: string) => s.zones.find(name)?.apex };
  };

  test(`find (${label}): the deepest hosted apex above the name, after zones at other depths are added and deleted`, () => {
    const { s, apexOf } = hosting({ 'example.com.': soa('example.com.'), 'a.b.example.com.': soa('a.b.example.com.'), 'example.org.': soa('example.org.') });
    assert.equal(apexOf('example.com.'), 'example.com.');
    assert.equal(apexOf('x.y.z.example.com.'), 'example.com.');
    assert.equal(apexOf('b.example.com.'), 'example.com.');
    assert.equal(apexOf('a.b.example.com.'), 'a.b.example.com.');
    assert.equal(apexOf('www.a.b.example.com.'), 'a.b.example.com.');
    assert.equal(apexOf('www.example.org.'), 'example.org.');
    assert.equal(apexOf('example.net.'), undefined);
    assert.equal(apexOf('com.'), undefined);
    assert.equal(apexOf('.'), undefined);

    // Deleting the only zone four labels deep: names below it fall back to the parent zone.
    s.pipeline.commit({ kind: 'delete', apex: 'a.b.example.com.' }, TEST_ACTOR);
    assert.equal(apexOf('www.a.b.example.com.'), 'example.com.');
    // Deleting one of two zones at one depth leaves the other found.
    s.pipeline.commit({ kind: 'delete', apex: 'example.org.' }, TEST_ACTOR);
    assert.equal(apexOf('www.example.org.'), undefined);
    assert.equal(apexOf('www.example.com.'), 'example.com.');
    // A zone at a new depth is found once committed.
    s.pipeline.commit({ kind: 'import', apex: 'deep.x.y.example.com.', records: parseZoneText(soa('deep.x.y.example.com.'), { origin: 'deep.x.y.example.com.' }), settings: { signed: false } }, TEST_ACTOR);
    assert.equal(apexOf('www.deep.x.y.example.com.'), 'deep.x.y.example.com.');
    assert.equal(apexOf('x.y.example.com.'), 'example.com.');
  });

  test(`find (${label}): a name with escaped characters is matched label by label, never at an escaped dot`, () => {
    const { apexOf } = hosting({ 'example.com.': soa('example.com.'), 'b\\.c.example.com.': soa('b\\.c.example.com.') });
    // One label "x.example" under com.: an escaped dot ends no label, so example.com. is no suffix of it.
    assert.equal(apexOf('x\\.example.com.'), undefined);
    assert.equal(apexOf('a\\.b.example.com.'), 'example.com.');
    assert.equal(apexOf('www.b\\.c.example.com.'), 'b\\.c.example.com.');
    assert.equal(apexOf('b.c.example.com.'), 'example.com.', 'the unescaped spelling is another name');
    assert.equal(apexOf('a\\\\.example.com.'), 'example.com.', 'an escaped backslash before a real dot');
  });

  test(`find (${label}): a hosted root zone holds every name no deeper zone does`, () => {
    const { apexOf } = hosting({ '.': soa('.').replace(/ns\.\./g, 'ns.').replace(/h\.\./g, 'h.'), 'example.com.': soa('example.com.') });
    assert.equal(apexOf('.'), '.');
    assert.equal(apexOf('org.'), '.');
    assert.equal(apexOf('www.example.org.'), '.');
    assert.equal(apexOf('www.example.com.'), 'example.com.');
    assert.equal(apexOf('x\\.y.'), '.');
  });
}
