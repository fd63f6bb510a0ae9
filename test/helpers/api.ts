// Test helpers for the admin API: an in-process server (zones + DNS path + fastify app) and token headers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { zonesFromText, type TestServer } from './dns.js';
import { buildApi } from '../../server/admin/app.js';
import { Metrics } from '../../server/metrics/metrics.js';
import { createToken, type TokenSpec } from '../../server/admin/tokens.js';

export const fixture = (f: string): string => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/${f}`, import.meta.url)), 'utf8');

export interface ApiTest extends TestServer {
  app: FastifyInstance;
  metrics: Metrics;
  /** Authorization headers of an admin token. */
  admin: Record<string, string>;
  /** Headers for a new token with this scope. */
  token(spec: TokenSpec): Record<string, string>;
  /** inject with JSON body and admin headers unless given. */
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export function apiServer(zones: Record<string, string> = { 'example.com': fixture('example.com.zone') }): ApiTest {
  const s = zonesFromText(zones);
  const metrics = new Metrics();
  s.ctx.observe = metrics.observe;
  metrics.signatures = s.dnssec?.cache;
  const app = buildApi({ store: s.store, zones: s.zones, pipeline: s.pipeline, dnssec: s.dnssec, metrics, log: () => {}, now: () => s.clock.now });
  const token = (spec: TokenSpec) => ({ authorization: `Bearer ${createToken(s.store, spec, s.clock.now).secret}` });
  const admin = token({ admin: true, label: 'test-admin' });
  const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = admin) =>
    app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }) });
  return { ...s, app, metrics, admin, token, call };
}
