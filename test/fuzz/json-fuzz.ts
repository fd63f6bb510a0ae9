// The JSON-body fuzzer: mutated request bodies (types swapped, keys dropped or added, deep nesting, bad UTF-8, cut
// text) to the REST and PowerDNS-compatible APIs through fastify's inject. Every answer must be below 500.
import type { FastifyInstance } from 'fastify';
import type { Rng } from './rng.js';

export interface JsonSeed { method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET'; url: string; body?: unknown }

const SWAPS: unknown[] = [null, true, 0, -1, 1.5, Number.MAX_VALUE, -0, 2 ** 53 + 1, '', 'x'.repeat(70_000), 'é\u0000\ud800', [], {}, [null], { '__proto__': { admin: true } },
  'TXT', 'SOA', 'example.com.', '..', '*', '@', '\\000', '192.0.2.1', 'a'.repeat(64) + '.example.com.', '3 1 1 00', 'constructor', 'NaN'];

function mutateValue(v: unknown, rng: Rng, depth = 0): unknown {
  if (rng.chance(0.15) || depth > 6) return rng.pick(SWAPS);
  if (Array.isArray(v)) {
    const a = v.map((x) => (rng.chance(0.3) ? mutateValue(x, rng, depth + 1) : x));
    if (rng.chance(0.2)) a.push(mutateValue(a[0], rng, depth + 1));
    if (rng.chance(0.1) && a.length) a.splice(rng.int(a.length), 1);
    if (rng.chance(0.03)) return Array.from({ length: 5000 }, () => a[0]);
    return a;
  }
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    for (const k of keys) if (rng.chance(0.3)) o[k] = mutateValue(o[k], rng, depth + 1);
    if (keys.length && rng.chance(0.15)) delete o[rng.pick(keys)];
    if (rng.chance(0.1)) o[rng.pick(['extra', 'ttl', 'records', 'type', 'name', 'changetype', 'content', 'kind', '__proto__'])] = rng.pick(SWAPS);
    return o;
  }
  return rng.chance(0.5) ? rng.pick(SWAPS) : v;
}

/** A body: the mutated value as JSON, sometimes damaged as text or bytes. */
export function mutateBody(body: unknown, rng: Rng): Buffer {
  const text = JSON.stringify(mutateValue(body, rng)) ?? 'null';
  const bytes = Buffer.from(text, 'utf8');
  switch (rng.int(8)) {
    case 0: return bytes.subarray(0, rng.int(bytes.length));
    case 1: { const b = Buffer.from(bytes); b[rng.int(b.length)] = rng.pick([0x80, 0xc0, 0xff, 0xed, 0xf4, 0x00, 0x22, 0x5c]); return b; }
    case 2: return Buffer.from('['.repeat(rng.chance(0.5) ? 5000 : 100_000) + ']'.repeat(10), 'utf8');
    case 3: return Buffer.concat([bytes, Buffer.from(rng.pick([',', '}', ' {"a":1}', '\u0000']))]);
    case 4: return Buffer.from(text.replace(/\d+/, '1e400'));
    default: return bytes;
  }
}

export interface JsonFuzzResult { sent: number; byStatus: Record<number, number>; failures: string[] }

export async function fuzzJsonBodies(app: FastifyInstance, headers: Record<string, string>, seeds: readonly JsonSeed[], n: number, rng: Rng): Promise<JsonFuzzResult> {
  const r: JsonFuzzResult = { sent: 0, byStatus: {}, failures: [] };
  for (let i = 0; i < n && r.failures.length < 20; i++) {
    const seed = rng.pick(seeds);
    const payload = seed.body === undefined ? undefined : mutateBody(seed.body, rng);
    const contentType = rng.chance(0.9) ? 'application/json' : rng.pick(['text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', '']);
    const res = await app.inject({ method: seed.method, url: seed.url, headers: { ...headers, ...(payload ? { 'content-type': contentType } : {}) }, ...(payload ? { payload } : {}) });
    r.sent++;
    r.byStatus[res.statusCode] = (r.byStatus[res.statusCode] ?? 0) + 1;
    if (res.statusCode >= 500) r.failures.push(`${seed.method} ${seed.url} → ${res.statusCode} ${res.body.slice(0, 300)}\n--- body ---\n${payload?.subarray(0, 600).toString('latin1')}`);
  }
  return r;
}

const RR = '/api/v1/zones/example.com/rrsets';
/** Seeds for the REST API (the in-process test server's zones: example.com). */
export const REST_SEEDS: JsonSeed[] = [
  { method: 'PUT', url: `${RR}/www.example.com./A`, body: { ttl: 300, records: ['192.0.2.1', '192.0.2.2'] } },
  { method: 'PUT', url: `${RR}/t.example.com./TXT`, body: { ttl: 300, records: ['"hello" "world"'] } },
  { method: 'PUT', url: `${RR}/_443._tcp.www.example.com./TLSA`, body: { ttl: 300, records: ['3 1 1 8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1'] } },
  { method: 'PUT', url: `${RR}/example.com./SOA`, body: { ttl: 300, records: ['ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300'] } },
  { method: 'PATCH', url: RR, body: { changes: [{ name: 'p.example.com.', type: 'A', ttl: 60, records: ['192.0.2.9'] }, { name: 'q.example.com.', type: 'TXT', records: [] }] } },
  { method: 'POST', url: '/api/v1/zones', body: { name: 'fuzz.test.', records: '$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n', signed: true } },
  { method: 'POST', url: '/api/v1/tokens', body: { zone: 'example.com', names: ['www'], subtree: false, types: ['A'], label: 'fuzz' } },
  { method: 'POST', url: '/api/v1/tsig', body: { name: 'k1', algorithm: 'hmac-sha256' } },
  { method: 'POST', url: '/api/v1/zones/example.com/update-policy', body: { key: 'k1', name: 'www', subtree: true, types: ['A'] } },
  { method: 'POST', url: '/api/v1/zones/example.com/secondaries', body: { address: '192.0.2.53:53', tsig: 'k1' } },
  { method: 'POST', url: '/api/v1/zones/example.com/tlsa', body: { name: '_25._tcp.mail', usage: 3, selector: 1, matchingType: 1, data: '00'.repeat(32) } },
  { method: 'POST', url: '/api/v1/catalogs', body: { name: 'cat.fuzz.', signed: false } },
  { method: 'PUT', url: '/api/v1/catalogs/cat.fuzz./members/example.com.', body: { group: 'g' } },
];

const PZ = '/api/v1/servers/localhost/zones';
/** Seeds for the PowerDNS-compatible API. */
export const PDNS_SEEDS: JsonSeed[] = [
  { method: 'PATCH', url: `${PZ}/example.com.`, body: { rrsets: [{ name: 'www.example.com.', type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: '192.0.2.1', disabled: false }] }] } },
  { method: 'PATCH', url: `${PZ}/example.com.`, body: { rrsets: [{ name: '_acme-challenge.example.com.', type: 'TXT', ttl: 60, changetype: 'REPLACE', records: [{ content: '"token"', disabled: false }] }, { name: 'old.example.com.', type: 'A', changetype: 'DELETE' }] } },
  { method: 'POST', url: PZ, body: { name: 'pdns.test.', kind: 'Native', nameservers: ['ns1.pdns.test.'], rrsets: [{ name: 'pdns.test.', type: 'TXT', ttl: 300, records: [{ content: '"x"', disabled: false }] }] } },
];
