// Test helpers for the PowerDNS-compatible API: an in-process server (zones + DNS path + its fastify app), X-API-Key headers, JSON shapes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { zonesFromText, type TestServer } from './dns.js';
import { fixture } from './api.js';
import { buildPdnsApi } from '../../server/pdns-api/app.js';
import { Metrics } from '../../server/metrics/metrics.js';
import { Store } from '../../zones/store/sqlite.js';
import { createToken, type TokenSpec } from '../../server/admin/tokens.js';
import { cli, fixturePath, pollUntil, startServer, tmpDir, type RunningServer } from './server.js';

export const ZONES = '/api/v1/servers/localhost/zones';
export const Z = `${ZONES}/example.com.`;

export interface PdnsTest extends TestServer {
  app: FastifyInstance;
  /** Zones the API asked to NOTIFY, in order. */
  notified: string[];
  /** X-API-Key header of an admin token labelled "pdns-admin". */
  admin: Record<string, string>;
  /** X-API-Key header of a new token with this scope. */
  key(spec: TokenSpec): Record<string, string>;
  /** inject: an object body is sent as JSON, a string as it is; admin key unless headers are given. */
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export function pdnsServer(zones: Record<string, string> = { 'example.com': fixture('example.com.zone') }): PdnsTest {
  const s = zonesFromText(zones);
  const notified: string[] = [];
  const app = buildPdnsApi({
    store: s.store, zones: s.zones, pipeline: s.pipeline, dnssec: s.dnssec, metrics: new Metrics(), log: () => {},
    now: () => s.clock.now, notify: (apex) => notified.push(apex),
  });
  const key = (spec: TokenSpec) => ({ 'x-api-key': createToken(s.store, spec, s.clock.now).secret });
  const admin = key({ admin: true, label: 'pdns-admin' });
  const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = admin) =>
    app.inject({
      method: method as 'GET', url,
      headers: typeof body === 'string' ? { 'content-type': 'application/json', ...headers } : headers,
      ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
    });
  return { ...s, app, notified, admin, key, call };
}

/** A PATCH body with one REPLACE per [name, type, contents] (ttl 300). */
export function replace(...sets: [string, string, string[]][]) {
  return { rrsets: sets.map(([name, type, contents]) => ({ name, type, ttl: 300, changetype: 'REPLACE', records: contents.map((content) => ({ content, disabled: false })) })) };
}

/**
 * The shape of a JSON value: objects as their keys (sorted) with the shape of each value,
 * arrays as the merged shape of their elements, anything else as its typeof. Two APIs agree
 * on a response's form when their shapes are equal, whatever the values.
 */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) {
    const merged: Record<string, unknown> = {};
    let scalar: unknown;
    for (const e of v) {
      const s = shape(e);
      if (s && typeof s === 'object' && !Array.isArray(s)) Object.assign(merged, s);
      else scalar = s;
    }
    return [Object.keys(merged).length ? sortKeys(merged) : scalar ?? 'empty'];
  }
  if (v !== null && typeof v === 'object') return sortKeys(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])));
  return v === null ? 'null' : typeof v;
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

export interface RRsetOut { name: string; type: string; ttl: number; records: { content: string; disabled: boolean }[]; comments: unknown[] }

/** "name TYPE ttl content…" lines, sorted: RRsets compared by value. */
export function rrsetLines(rrsets: RRsetOut[]): string[] {
  return rrsets.map((r) => `${r.name} ${r.type} ${r.ttl} ${r.records.map((x) => x.content).sort().join(' | ')}`).sort();
}

/**
 * `daneprime serve` as a child with the PowerDNS API on a free loopback port, the fixture
 * zones imported and an admin token made; stopped and removed when `t` ends.
 */
export async function startPdnsServer(t: { after(fn: () => unknown): void }, opts: { workers?: number; zones?: string[]; env?: Record<string, string>; before?: (db: string) => void } = {}):
  Promise<{ srv: RunningServer; db: string; dir: string; url: string; key: string; dnsPort: number }> {
  const { dir, cleanup } = tmpDir('daneprime-pdns-');
  t.after(cleanup);
  const db = join(dir, 'x.db');
  for (const z of opts.zones ?? ['example.com']) cli(['zone', 'import', fixturePath(`${z}.zone`), '--db', db]);
  const key = cli(['token', 'create', '--admin', '--label', 'pdns-admin', '--db', db]).trim();
  opts.before?.(db);
  const workers = opts.workers ?? 1;
  const srv = await startServer(db, { env: { DANEPRIME_WORKERS: String(workers), DANEPRIME_PDNS_API: '127.0.0.1:0', ...opts.env } });
  t.after(async () => { await srv.stop(); });
  const { value: ready } = await pollUntil(() => (srv.stderr().match(/serving \d+ zone/g) ?? []).length === workers, 10_000);
  assert.ok(ready, `all ${workers} worker(s) serve:\n${srv.stderr()}`);
  const url = /pdns-api: listening on (http:\/\/\S+)/.exec(srv.stderr())![1];
  return { srv, db, dir, url, key, dnsPort: srv.port };
}

/** One HTTP request to a running PowerDNS API: status and parsed JSON body (undefined when empty). */
export async function pdnsFetch(url: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(url + path, {
    method, headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, text };
}

/** The audit log of a zone in a database a running server uses (read through the store, oldest first). */
export function auditOf(db: string, zone: string): { label: string | null; action: string; before: unknown; after: unknown }[] {
  const store = new Store(db);
  try {
    return store.audit({ zone, limit: 1000 }).reverse().map((a) => ({
      label: a.token_label, action: a.action, before: a.before && JSON.parse(a.before), after: a.after && JSON.parse(a.after),
    }));
  } finally {
    store.close();
  }
}
