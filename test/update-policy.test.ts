// Update policies over the API and the CLI: add, list, remove, the errors they give, and a key kept while a policy names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { apiServer } from './helpers/api.js';
import { cli, runCli, tmpDir, fixturePath } from './helpers/server.js';

const P = '/api/v1/zones/example.com/update-policy';

test('API: add, list, remove update policies; bad input is a 4xx naming the field; admin only', async () => {
  const t = apiServer();
  assert.equal((await t.call('POST', '/api/v1/tsig', { name: 'acme' })).statusCode, 201);
  const added = await t.call('POST', P, { key: 'acme', name: '_acme-challenge.www', subtree: true, types: ['txt'] });
  assert.equal(added.statusCode, 201, added.body);
  const a = added.json() as Record<string, unknown>;
  assert.deepEqual([a.zone, a.key, a.name, a.subtree, a.types], ['example.com.', 'acme.', '_acme-challenge.www.example.com.', true, ['TXT']]);
  const whole = await t.call('POST', P, { key: 'acme.' });
  assert.deepEqual([whole.json().name, whole.json().subtree, whole.json().types], ['example.com.', true, []], 'no name: the whole zone');
  assert.deepEqual((await t.call('GET', P)).json().map((p: { id: number }) => p.id), [added.json().id, whole.json().id]);
  for (const [body, status, field] of [
    [{ key: 'nobody' }, 400, 'key'], [{ key: 'acme', types: ['RRSIG'] }, 400, 'types[0]'], [{ key: 'acme', types: ['BOGUS'] }, 400, 'types[0]'],
    [{ key: 'acme', name: 'www.example.org.' }, 400, 'name'], [{ key: 'acme', extra: 1 }, 400, 'body.extra'],
  ] as const) {
    const r = await t.call('POST', P, body);
    assert.equal(r.statusCode, status, r.body);
    assert.equal(r.json().field, field);
  }
  assert.equal((await t.call('POST', '/api/v1/zones/nope.example/update-policy', { key: 'acme' })).statusCode, 404);
  const scoped = t.token({ admin: false, zone: 'example.com.', names: ['www.example.com.'], types: [1] });
  assert.equal((await t.call('GET', P, undefined, scoped)).statusCode, 403);
  // The key is in use while a policy names it.
  assert.equal((await t.call('DELETE', '/api/v1/tsig/acme')).statusCode, 409);
  assert.equal((await t.call('DELETE', `${P}/${added.json().id}`)).statusCode, 204);
  assert.equal((await t.call('DELETE', `${P}/${added.json().id}`)).statusCode, 404);
  assert.equal((await t.call('DELETE', `${P}/${whole.json().id}`)).statusCode, 204);
  assert.equal((await t.call('DELETE', '/api/v1/tsig/acme')).statusCode, 204);
  const audit = (await t.call('GET', '/api/v1/audit?zone=example.com')).json().entries.map((e: { action: string }) => e.action);
  assert.deepEqual(audit.filter((a: string) => a.startsWith('update-policy')), ['update-policy.remove', 'update-policy.remove', 'update-policy.add', 'update-policy.add']);
});

test('CLI: update-policy add, list, remove; tsig add still prints the secret as its last line', (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  const out = cli(['tsig', 'add', 'certbot', '--algorithm', 'hmac-md5', '--db', db]).trim().split('\n');
  assert.equal(Buffer.from(out[out.length - 1], 'base64').length, 16, 'the last line is the secret');
  assert.match(cli(['update-policy', 'add', 'example.com', '--key', 'certbot', '--name', '_acme-challenge.www', '--type', 'TXT', '--db', db]),
    /^added update policy 1: key certbot\. may change _acme-challenge\.www\.example\.com\., TXT$/m);
  assert.match(cli(['update-policy', 'list', 'example.com', '--db', db]), /^1\texample\.com\.\tcertbot\.\t_acme-challenge\.www\.example\.com\.\tTXT$/m);
  for (const [args, msg] of [
    [['add', 'example.com', '--db', db], /needs --key/], [['add', 'example.com', '--key', 'nobody', '--db', db], /no TSIG key nobody\./],
    [['add', 'nope.example', '--key', 'certbot', '--db', db], /no such zone/], [['add', 'example.com', '--key', 'certbot', '--subtree', '--db', db], /--subtree goes with --name/],
    [['remove', 'x', '--db', db], /needs the policy ID/], [['remove', '9', '--db', db], /no update policy 9/],
  ] as const) {
    const r = runCli(['update-policy', ...args]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, msg);
  }
  assert.match(cli(['update-policy', 'remove', '1', '--db', db]), /removed update policy 1/);
  assert.equal(cli(['update-policy', 'list', '--db', db]).trim().split('\n').length, 1, 'only the header');
});
