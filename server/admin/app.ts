// The admin API: build() wires plugins, schemas, errors and the OpenAPI document; it never listens (tests use inject).
import Fastify, { type FastifyInstance } from 'fastify';
import type { SecureContextOptions } from 'node:tls';
import type { ApiDeps } from './deps.js';
import { ApiError, E, installErrorHandling } from './errors.js';
import { decodeUtf8Body, NOT_UTF8 } from './utf8-body.js';
import { logRequests } from '../log-requests.js';
import { authPlugin } from './auth.js';
import { collectRoutes, openApiDocument } from './openapi.js';
import { healthRoutes } from './routes/health.js';
import { zoneRoutes } from './routes/zones.js';
import { rrsetRoutes } from './routes/rrsets.js';
import { tlsaRoutes } from './routes/tlsa.js';
import { keyRoutes } from './routes/keys.js';
import { tokenRoutes } from './routes/tokens.js';
import { auditRoutes } from './routes/audit.js';
import { transferRoutes } from './routes/transfers.js';
import { updatePolicyRoutes } from './routes/update-policy.js';
import { catalogRoutes } from './routes/catalogs.js';
import { serviceRoutes } from './routes/services.js';
import { statusRoutes } from './routes/status.js';
import { pageRoutes } from './page/serve.js';

export type { ApiDeps } from './deps.js';

declare module 'fastify' {
  interface FastifyInstance {
    deps: ApiDeps;
  }
}

export const API_PREFIX = '/api/v1';

/**
 * `https`: serve over TLS with these options (tls.ts: the checked pair and the protocol and
 * cipher policy); the server is then a tls.Server, whose secure context can be replaced.
 */
export function buildApi(deps: ApiDeps, opts: { https?: SecureContextOptions } = {}): FastifyInstance {
  // removeAdditional off: an unknown (misspelt) field is a 400, not silently dropped.
  const common = { logger: false, routerOptions: { maxParamLength: 1024 }, bodyLimit: 16 * 1024 * 1024, ajv: { customOptions: { removeAdditional: false } } } as const;
  // Same routes either way; only the server under them differs, so the instance is typed as the plain one.
  const app = opts.https ? Fastify({ ...common, https: opts.https }) as unknown as FastifyInstance : Fastify(common);
  const routes = collectRoutes(app);
  app.decorate('deps', deps);
  installErrorHandling(app, deps.log, (status) => deps.metrics.apiError(status));
  logRequests(app, 'api', deps.log, (req) => req.principal?.label);
  // RFC 4027 text/dns: a zone file as the request body. Both it and JSON are read as strict UTF-8.
  app.addContentTypeParser('text/dns', { parseAs: 'buffer' }, (_req, body, done) => {
    const text = decodeUtf8Body(body as Buffer);
    if (text === undefined) done(new ApiError(400, E.INVALID, NOT_UTF8, 'body')); else done(null, text);
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    const text = decodeUtf8Body(body as Buffer);
    if (text === undefined) { done(new ApiError(400, E.INVALID, NOT_UTF8, 'body')); return; }
    if (text.trim() === '') { done(null, undefined); return; }
    try { done(null, JSON.parse(text)); } catch (err) { done(new ApiError(400, E.INVALID, `the body is not JSON: ${(err as Error).message}`, 'body')); }
  });
  // With --workers, a write is answered only once sibling workers serve it too (bounded wait).
  app.addHook('onSend', async () => { await deps.pipeline.settled(); });
  app.register(healthRoutes);
  app.register(pageRoutes);
  app.register(async (api) => {
    api.register(authPlugin);
    let doc: unknown;
    api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => {
      doc ??= openApiDocument(routes, { title: 'daneprime admin API', version: '1' });
      return doc;
    });
    api.register(zoneRoutes);
    api.register(rrsetRoutes);
    api.register(tlsaRoutes);
    api.register(keyRoutes);
    api.register(tokenRoutes);
    api.register(auditRoutes);
    api.register(transferRoutes);
    api.register(updatePolicyRoutes);
    api.register(catalogRoutes);
    api.register(serviceRoutes);
    api.register(statusRoutes);
  }, { prefix: API_PREFIX });
  return app;
}
