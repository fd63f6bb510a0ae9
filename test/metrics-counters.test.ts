// The query counters through both paths (reply-cache hits, ready NXDOMAIN replies, the full path): zone, transport, family, type, rcode, DO, timing; and two processes' snapshots summed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zonesFromText, buildQuery, CapturingResponder } from './helpers/dns.js';
import { fixture } from './helpers/api.js';
import { handleMessage } from '../server/query/handle.js';
import { FastPath } from '../server/query/fast/fast-path.js';
import { Metrics } from '../server/metrics/metrics.js';
import { TIMED_EVERY } from '../server/metrics/query-stats.js';
import { mergeSnapshots, type CounterSnapshot } from '../server/metrics/snapshot.js';

const find = (s: CounterSnapshot, name: string, labels: Record<string, string>) =>
  s.counters[name]?.find((r) => JSON.stringify(Object.entries(r.labels).sort()) === JSON.stringify(Object.entries(labels).sort()))?.value;

test('every query is counted once by zone, transport, family and type, whichever path answers it', () => {
  const s = zonesFromText({ 'example.com': fixture('example.com.zone') });
  const metrics = new Metrics();
  s.ctx.observe = metrics.observe;
  s.ctx.fastPath = new FastPath();
  const send = (name: string, type: string, o: { tcp?: boolean; v6?: boolean; dnssecOk?: boolean } = {}) => {
    const r = new CapturingResponder(o.tcp ? 'tcp' : 'udp', o.v6 ? '2001:db8::1' : '::ffff:192.0.2.1');
    handleMessage(s.ctx, buildQuery(name, type, { dnssecOk: o.dnssecOk }), r);
    assert.equal(r.replies.length, 1);
  };
  // Repeats: the first by the full path, the rest from the reply cache.
  for (let i = 0; i < 5; i++) send('www.example.com', 'A');
  // Random missing names with DO: ready NXDOMAIN replies after the first.
  for (let i = 0; i < 4; i++) send(`nx${i}.example.com`, 'A', { dnssecOk: true });
  send('www.example.com', 'AAAA', { tcp: true, v6: true });
  send('www.example.com', 'TYPE65400');
  send('www.example.org', 'A');
  const snap = metrics.snapshot();
  const req = (zone: string, proto: string, family: string, type: string) => find(snap, 'daneprime_dns_requests_total', { zone, proto, family, type });
  assert.equal(req('example.com.', 'udp', '1', 'A'), 9);
  assert.equal(req('example.com.', 'tcp', '2', 'AAAA'), 1);
  assert.equal(req('example.com.', 'udp', '1', 'other'), 1);
  assert.equal(req('other', 'udp', '1', 'A'), 1);
  assert.equal(find(snap, 'daneprime_dns_responses_total', { zone: 'example.com.', rcode: 'NXDOMAIN' }), 4);
  assert.equal(find(snap, 'daneprime_dns_responses_total', { zone: 'example.com.', rcode: 'NOERROR' }), 7);
  assert.equal(find(snap, 'daneprime_dns_responses_total', { zone: 'other', rcode: 'REFUSED' }), 1);
  assert.equal(find(snap, 'daneprime_dns_do_requests_total', { zone: 'example.com.' }), 4);
  assert.ok((s.ctx.fastPath as FastPath).cache.hits >= 4 && (s.ctx.fastPath as FastPath).missing.served >= 3, 'both ready-reply kinds answered some');
  // One query in TIMED_EVERY is timed, the first included.
  for (let i = 0; i < 3 * TIMED_EVERY; i++) send('www.example.com', 'A');
  const h = metrics.snapshot().histograms.daneprime_dns_request_duration_seconds[0];
  assert.equal(h.buckets.reduce((a, b) => a + b, 0), Math.ceil((12 + 3 * TIMED_EVERY) / TIMED_EVERY));
  assert.ok(h.sum > 0);
});

test('snapshots of two processes sum series by series', () => {
  const a = new Metrics(), b = new Metrics();
  a.observeUpdate(0, 1, 'example.com.');
  b.observeUpdate(0, 1, 'example.com.');
  b.observeUpdate(5, 0, undefined);
  a.edits = 2; b.edits = 3;
  const m = mergeSnapshots([a.snapshot(), b.snapshot()]);
  assert.equal(find(m, 'daneprime_dns_updates_total', { zone: 'example.com.', rcode: 'NOERROR' }), 2);
  assert.equal(find(m, 'daneprime_dns_updates_total', { zone: 'other', rcode: 'REFUSED' }), 1);
  assert.equal(find(m, 'daneprime_zone_edits_total', {}), 5);
});
