// lexicon (provider powerdns) against the PowerDNS-compatible API: create, list, delete a TXT record; kdig sees it served and signed, then gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import { startPdnsServer, pdnsFetch, auditOf } from './helpers/pdns-api.js';

const NAME = '_acme-challenge.lex.example.com';

function kdigShort(port: number, name: string, type: string): string[] {
  const r = spawnSync('kdig', [`@127.0.0.1`, '-p', String(port), name, type, '+dnssec', '+short', '+retry=0', '+time=2'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean);
}

test('lexicon powerdns: create, list and delete a TXT record; served with its RRSIG meanwhile', async (t) => {
  for (const tool of ['lexicon', 'kdig']) if (!requireTool(tool, t)) return;
  const { url, key, dnsPort, dir, db } = await startPdnsServer(t);
  mkdirSync(join(dir, 'tld'));
  const lexicon = (...args: string[]) => {
    const [action, ...rest] = args;
    const r = spawnSync('lexicon', ['powerdns', action, 'example.com', 'TXT', ...rest, '--auth-token', key, '--pdns-server', url, '--output', 'JSON'], {
      encoding: 'utf8', timeout: 30_000,
      // Loopback only: lexicon's public-suffix lookup (tldextract) would fetch the list from the
      // Internet; through a proxy that refuses at once it falls back to its bundled copy.
      env: { ...process.env, TLDEXTRACT_CACHE_PATH: join(dir, 'tld'), HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1,localhost' },
    });
    assert.equal(r.status, 0, `lexicon ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout) as unknown;
  };

  assert.equal(lexicon('create', '--name', NAME, '--content', 'hello from lexicon', '--ttl', '120'), true);
  assert.equal(lexicon('create', '--name', NAME, '--content', 'second value'), true);
  const listed = lexicon('list', '--name', NAME) as { name: string; content: string; ttl: number }[];
  assert.deepEqual(listed.map((r) => [r.name, r.content, r.ttl]).sort(), [[NAME, 'hello from lexicon', 120], [NAME, 'second value', 120]]);
  const served = kdigShort(dnsPort, NAME, 'TXT');
  assert.deepEqual(served.filter((l) => !l.startsWith('TXT ')).sort(), ['"hello from lexicon"', '"second value"']);
  assert.match(served.find((l) => l.startsWith('TXT ')) ?? '', /^TXT 13 4 120 \d{14} \d{14} \d+ example\.com\. /, 'signed');

  assert.equal(lexicon('delete', '--name', NAME, '--content', 'hello from lexicon'), true);
  assert.deepEqual(kdigShort(dnsPort, NAME, 'TXT').filter((l) => !l.startsWith('TXT ')), ['"second value"']);
  assert.equal(lexicon('delete', '--name', NAME), true);
  assert.deepEqual(kdigShort(dnsPort, NAME, 'TXT'), []);
  assert.deepEqual(lexicon('list', '--name', NAME), []);

  // Four writes: four serials, each in the audit log under the token's label.
  const zone = await pdnsFetch(url, key, 'GET', '/api/v1/servers/localhost/zones/example.com.?rrsets=false');
  assert.equal((zone.json as { serial: number }).serial, 2024010105);
  const txt = auditOf(db, 'example.com.').filter((a) => a.action === 'pdns.patch' && JSON.stringify(a.before ?? a.after).includes(NAME));
  assert.equal(txt.length, 4);
  assert.ok(txt.every((a) => a.label === 'pdns-admin'));
});
