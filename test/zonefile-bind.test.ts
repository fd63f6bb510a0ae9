// Agreement with real tools: BIND's named-compilezone (and Knot's kzonecheck) must read our fixtures
// the way our parser does, compared as sets of (owner, TTL, type, canonical RDATA).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseZoneFile, parseZoneText } from '../zones/io/zonefile-parse.js';
import { writeZoneText } from '../zones/io/zonefile-write.js';
import { canonicalRdata } from '../zones/model/rdata/index.js';
import { typeToText, type Rec } from '../zones/model/types.js';
import { requireTool } from './helpers/tools.js';

// Fixtures are read from the source tree (dist/test/… → test/fixtures).
const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures');
const ZONES: { file: string; origin: string }[] = [
  { file: 'rich.zone', origin: 'example.com.' },
  { file: 'ttl-rfc1035.zone', origin: 'example.org.' },
];

function keySet(recs: Rec[]): string[] {
  return recs.map((r) => `${r.name} ${r.ttl} ${typeToText(r.type)} ${canonicalRdata(r.type, r.rdata).toString('hex')}`).sort();
}

/** BIND's view of a zone file: its canonical text output, read back with our parser. */
function bindRecords(file: string, origin: string): Rec[] {
  const dir = mkdtempSync(join(tmpdir(), 'dp-bind-'));
  try {
    const out = join(dir, 'out.zone');
    const r = spawnSync('named-compilezone', [
      '-i', 'none', '-k', 'ignore', '-n', 'ignore', '-m', 'ignore', '-r', 'ignore', '-M', 'ignore', '-S', 'ignore',
      '-T', 'ignore', '-W', 'ignore', '-f', 'text', '-F', 'text', '-s', 'full', '-o', out, origin, file,
    ], { encoding: 'utf8', cwd: FIXTURES });
    assert.equal(r.status, 0, `named-compilezone failed:\n${r.stdout}\n${r.stderr}`);
    return parseZoneText(readFileSync(out, 'utf8'), { origin, fileName: 'named-compilezone-output' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const z of ZONES) {
  test(`named-compilezone agrees with parseZoneFile on ${z.file}`, (t) => {
    if (!requireTool('named-compilezone', t)) return;
    const ours = parseZoneFile(join(FIXTURES, z.file), { origin: z.origin });
    assert.ok(ours.length > 5, 'fixture parsed to records');
    assert.deepEqual(keySet(ours), keySet(bindRecords(join(FIXTURES, z.file), z.origin)));
  });

  test(`named-compilezone accepts our written form of ${z.file} unchanged`, (t) => {
    if (!requireTool('named-compilezone', t)) return;
    const ours = parseZoneFile(join(FIXTURES, z.file), { origin: z.origin });
    const dir = mkdtempSync(join(tmpdir(), 'dp-write-'));
    try {
      const written = join(dir, 'written.zone');
      writeFileSync(written, writeZoneText(z.origin, ours));
      assert.deepEqual(keySet(bindRecords(written, z.origin)), keySet(ours));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('kzonecheck accepts the rich fixture', (t) => {
  if (!requireTool('kzonecheck', t)) return;
  const r = spawnSync('kzonecheck', ['-o', 'example.com.', join(FIXTURES, 'rich.zone')], { encoding: 'utf8', cwd: FIXTURES });
  // kzonecheck also runs semantic checks (e.g. RRSIG without DNSKEY match); only syntax errors count here.
  assert.doesNotMatch(`${r.stdout}${r.stderr}`, /syntax|parser|malformed/i);
});
