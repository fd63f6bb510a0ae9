// Input limits on the write paths: an RRset too large for any DNS message is refused with a 400 naming the field; long names in paths get our error shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiServer } from './helpers/api.js';
import { pdnsServer, Z } from './helpers/pdns-api.js';
import { MAX_RRSET_OCTETS } from '../zones/commit-plan.js';
import { RRType } from '../zones/model/types.js';

test('an RRset of 1,000 × 10 KB TXT records is refused (400, field named, nothing written); one that fits a message is taken', async () => {
  const s = apiServer();
  const chunk = '"' + 'x'.repeat(250) + '"';
  const record = Array.from({ length: 40 }, () => chunk).join(' ');
  const huge = await s.call('PUT', '/api/v1/zones/example.com/rrsets/huge.example.com./TXT', { ttl: 300, records: Array.from({ length: 1000 }, () => record) });
  assert.equal(huge.statusCode, 400, huge.body);
  assert.equal(huge.json().field, 'records');
  assert.match(huge.json().detail, new RegExp(`at most ${MAX_RRSET_OCTETS}`));
  assert.equal(s.zones.get('example.com.')!.rrset('huge.example.com.', RRType.TXT), undefined, 'nothing written');
  const fits = await s.call('PUT', '/api/v1/zones/example.com/rrsets/huge.example.com./TXT', { ttl: 300, records: Array.from({ length: 5 }, (_, i) => `"${i}" ${record}`) });
  assert.equal(fits.statusCode, 200, fits.body);
});

test('the PowerDNS-compatible API refuses the same RRset with 422 naming it', async () => {
  const p = pdnsServer();
  const content = Array.from({ length: 40 }, () => '"' + 'y'.repeat(250) + '"').join(' ');
  const r = await p.call('PATCH', Z, { rrsets: [{ name: 'huge.example.com.', type: 'TXT', ttl: 300, changetype: 'REPLACE', records: Array.from({ length: 1000 }, (_, i) => ({ content: `"${i}" ${content}`, disabled: false })) }] });
  assert.equal(r.statusCode, 422, r.body);
  assert.match(r.json().error, /^rrsets\[0\]/);
});

test('an owner name of 200 characters in a path is read, not cut off with a 414', async () => {
  const s = apiServer();
  const long = `${Array.from({ length: 4 }, () => 'a'.repeat(45)).join('.')}.example.com.`;
  const r = await s.call('PUT', `/api/v1/zones/example.com/rrsets/${long}/TXT`, { ttl: 300, records: ['"long"'] });
  assert.equal(r.statusCode, 200, r.body);
  const tooLong = await s.call('GET', `/api/v1/zones/example.com/rrsets/${'b'.repeat(300)}.example.com./TXT`);
  assert.equal(tooLong.statusCode, 400, tooLong.body);
  assert.ok(tooLong.json().error && tooLong.json().detail, 'our {error, field, detail} shape');
});
