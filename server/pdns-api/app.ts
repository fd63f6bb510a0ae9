// The PowerDNS-compatible API (the subset ACME and DNS-sync clients use): build() wires parsing, keys, errors and routes; it never listens.
import Fastify, { type FastifyInstance } from 'fastify';
import type { PdnsApiDeps } from './deps.js';
import { installErrorHandling, PdnsError } from './errors.js';
import { decodeUtf8Body, NOT_UTF8 } from '../admin/utf8-body.js';
import { installAuth, tokenLabel } from './auth.js';
import { logRequests } from '../log-requests.js';
import { serverRoutes } from './routes/servers.js';
import { zoneRoutes } from './routes/zones.js';
import { rrsetRoutes } from './routes/rrsets.js';

export type { PdnsApiDeps } from './deps.js';

/** Larger bodies are refused with 413 before they are read whole (a zone created with its records fits easily). */
export const PDNS_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * Bodies are JSON whatever their Content-Type says: PowerDNS reads them so, and clients
 * rely on it (lego sends `PUT …/notify` with `Content-Type: application/json` and no body;
 * curl-based ones send form types). An empty body is no body; one that is not JSON is a 400.
 */
function parseJsonBody(_req: unknown, body: Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const text = decodeUtf8Body(body);
  if (text === undefined) { done(new PdnsError(400, NOT_UTF8)); return; }
  if (text.trim() === '') { done(null, undefined); return; }
  try {
    done(null, JSON.parse(text));
  } catch (err) {
    done(new PdnsError(400, `the body is not JSON: ${(err as Error).message}`));
  }
}

export function buildPdnsApi(deps: PdnsApiDeps): FastifyInstance {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 1024 }, bodyLimit: PDNS_BODY_LIMIT });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => parseJsonBody(req, body as Buffer, done));
  installErrorHandling(app, deps.log, (status) => deps.metrics.apiError(status));
  logRequests(app, 'pdns-api', deps.log, tokenLabel);
  installAuth(app, deps.store);
  // With --workers, a write is answered only once sibling workers serve it too (bounded wait).
  app.addHook('onSend', async () => { await deps.pipeline.settled(); });
  app.register(serverRoutes);
  app.register(zoneRoutes, { deps });
  app.register(rrsetRoutes, { deps });
  return app;
}
