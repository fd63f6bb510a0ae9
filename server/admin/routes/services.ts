// Live service checks over the API: the services of a zone (add, add from SRV, list, remove), a check now, the stored history, events.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RRType } from '../../../zones/model/types.js';
import type { Name } from '../../../zones/model/name.js';
import { ApiError, E } from '../errors.js';
import { principal, requireScope } from '../auth.js';
import { ownerName, zoneName } from '../names.js';
import { scopeAllows, scopeProblem } from '../tokens.js';
import { errors, rolloverSchema, zoneParams } from '../schemas.js';
import { CheckRunner } from '../../checks/runner.js';
import { planService, srvServices } from '../../checks/service-spec.js';
import { serviceJson } from '../../checks/service-json.js';
import { STARTTLS_KINDS, type CheckJson } from '../../checks/types.js';
import type { ApiDeps } from '../deps.js';
import { actorOf } from '../edit.js';
import { startRollover, retireNow, rolloverStatus, type NextKeySource } from '../../rollover/rollover.js';

const u8 = { type: 'integer', minimum: 0, maximum: 255 } as const;

const nextBody = {
  type: 'object', additionalProperties: false,
  properties: {
    certificate: { type: 'string', maxLength: 65536, description: 'PEM certificate of the next key (a chain: leaf first)' },
    spki: { type: 'string', maxLength: 65536, description: 'PEM public key of the next key' },
    csr: { type: 'string', maxLength: 65536, description: 'PEM certificate request for the next key' },
    data: { type: 'string', maxLength: 1024, description: 'certificate association data, hex (with one combination in use, or usage/selector/matching)' },
    usage: u8, selector: u8, matching: u8,
  },
} as const;


interface ServiceBody { name: string; starttls?: string; connect?: string[]; sni?: string; domain?: string }

const serviceBody = {
  type: 'object', required: ['name'], additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255, description: 'the TLSA owner _PORT._tcp.HOST, absolute or relative to the zone' },
    // Checked by the service rules (400 naming the field), so the message lists the kinds.
    starttls: { type: 'string', maxLength: 32, description: STARTTLS_KINDS.join(' | ') },
    connect: { type: 'array', maxItems: 16, items: { type: 'string', maxLength: 64 }, description: 'ADDR:PORT to probe (admin tokens only); default the host\'s A/AAAA' },
    sni: { type: 'string', minLength: 1, maxLength: 255 },
    domain: { type: 'string', minLength: 1, maxLength: 255, description: 'the service domain (XMPP stream header); default the host' },
  },
} as const;

export const serviceSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' }, zone: { type: 'string' }, host: { type: 'string' }, port: { type: 'integer' }, starttls: { type: 'string' },
    connect: { type: 'array', items: { type: 'string' } }, sni: { type: ['string', 'null'] }, domain: { type: ['string', 'null'] },
    ownAddressesOnly: { type: 'boolean' }, lastCheckedAt: { type: ['string', 'null'] }, lastVerdict: { type: ['string', 'null'] },
  },
} as const;

const certSchema = {
  type: 'object',
  properties: {
    subject: { type: 'string' }, issuer: { type: 'string' }, sans: { type: 'array', items: { type: 'string' } },
    notBefore: { type: 'string' }, notAfter: { type: 'string' }, certSha256: { type: 'string' }, spkiSha256: { type: 'string' },
  },
} as const;

export const checkSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' }, verdict: { type: 'string' }, checkedAt: { type: 'string' }, reason: { type: 'string' },
    endpoints: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          address: { type: 'string' }, verdict: { type: 'string' }, reason: { type: 'string' },
          tls: { anyOf: [{ type: 'object', properties: { version: { type: 'string' }, cipher: { type: 'string' }, group: { type: ['string', 'null'] } } }, { type: 'null' }] },
          chain: { type: 'array', items: certSchema }, matched: { type: 'array', items: { type: 'string' } }, warnings: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const eventSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, time: { type: 'string' }, level: { type: 'string' }, zone: { type: 'string' }, service: { type: 'string' },
    endpoint: { type: ['string', 'null'] }, kind: { type: 'string' }, message: { type: 'string' },
  },
} as const;

const serviceParams = {
  type: 'object', required: ['zone', 'name'],
  properties: { ...zoneParams.properties, name: { type: 'string', minLength: 1, maxLength: 255, description: 'the service (TLSA owner)' } },
} as const;

function runner(deps: ApiDeps): CheckRunner {
  return (deps.checks ??= new CheckRunner({ store: deps.store, log: deps.log, now: deps.now }));
}

/** The service named in the URL, in the token's scope, or 404/403. */
function scopedService(deps: ApiDeps, req: FastifyRequest<{ Params: { zone: string; name: string } }>) {
  const apex = zoneName(req.params.zone);
  const name = ownerName(req.params.name, apex, 'name');
  requireScope(req, apex, name, RRType.TLSA, 'name');
  const svc = runner(deps).checks.service(name);
  if (!svc || svc.zone !== apex) throw new ApiError(404, E.NOT_FOUND, `no service ${name} in zone ${apex}`, 'name');
  return svc;
}

export async function serviceRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const now = () => deps.now?.() ?? Math.floor(Date.now() / 1000);

  app.get<{ Params: { zone: string } }>('/zones/:zone/services', {
    schema: {
      summary: 'the services of a zone whose TLSA records are checked live (a scoped token sees those in its scope)', tags: ['checks'], params: zoneParams,
      response: { 200: { type: 'object', properties: { services: { type: 'array', items: serviceSchema } } }, ...errors(400, 403) },
    },
  }, async (req) => {
    const apex = zoneName(req.params.zone);
    const p = requireScope(req, apex);
    const rows = runner(deps).checks.services(apex).filter((r) => scopeAllows(p, apex, r.name, RRType.TLSA));
    return { services: rows.map(serviceJson) };
  });

  app.post<{ Params: { zone: string }; Body: ServiceBody }>('/zones/:zone/services', {
    schema: {
      summary: 'add a service: a TLSA owner of the zone and how to reach it', tags: ['checks'], params: zoneParams, body: serviceBody,
      response: { 201: serviceSchema, ...errors(400, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const apex = zoneName(req.params.zone);
    const name = ownerName(req.body.name, apex, 'name');
    const p = requireScope(req, apex, name, RRType.TLSA, 'name');
    if (!deps.store.zone(apex)) throw new ApiError(404, E.NOT_FOUND, `no such zone: ${apex}`, 'zone');
    const row = planService(deps.store, { ...req.body, name }, { mayConnect: p.admin, zone: apex }, now());
    const checks = runner(deps).checks;
    if (!checks.add(row)) throw new ApiError(409, E.EXISTS, `service ${name} exists`, 'name');
    return reply.status(201).send(serviceJson(checks.service(name)!));
  });

  app.post<{ Params: { zone: string }; Body: { srv: string; starttls?: string } }>('/zones/:zone/services/from-srv', {
    schema: {
      summary: 'add one service per target of an SRV RRset (RFC 7673: TLSA at _PORT._tcp.TARGET)', tags: ['checks'], params: zoneParams,
      body: {
        type: 'object', required: ['srv'], additionalProperties: false,
        properties: { srv: { type: 'string', minLength: 1, maxLength: 255, description: '_SERVICE._tcp.DOMAIN' }, starttls: { type: 'string', maxLength: 32 } },
      },
      response: { 201: { type: 'object', properties: { services: { type: 'array', items: serviceSchema } } }, ...errors(400, 403, 404) },
    },
  }, async (req, reply) => {
    const apex = zoneName(req.params.zone);
    const p = requireScope(req, apex);
    const srv = ownerName(req.body.srv, apex, 'srv');
    const found = await srvServices(deps.store, srv, req.body.starttls);
    // Every target is checked (scope included) before any is stored.
    const rows = found.map((f) => {
      const problem = scopeProblem(p, apex, f.request.name, RRType.TLSA);
      if (problem) throw new ApiError(403, E.FORBIDDEN, problem, 'srv');
      return planService(deps.store, f.request, { mayConnect: p.admin, zone: apex }, now());
    });
    const checks = runner(deps).checks;
    deps.store.transaction(() => { for (const r of rows) if (!checks.service(r.name)) checks.add(r); });
    return reply.status(201).send({ services: rows.map((r) => serviceJson(checks.service(r.name)!)) });
  });

  app.delete<{ Params: { zone: string; name: string } }>('/zones/:zone/services/:name', {
    schema: { summary: 'remove a service (its history goes with it; events stay)', tags: ['checks'], params: serviceParams, response: { 204: { type: 'null' }, ...errors(400, 403, 404) } },
  }, async (req, reply) => {
    const svc = scopedService(deps, req);
    runner(deps).checks.remove(svc.name);
    return reply.status(204).send();
  });

  app.post<{ Params: { zone: string; name: string } }>('/zones/:zone/services/:name/check', {
    schema: { summary: 'probe the service now: the same JSON as `daneprime service check --json`', tags: ['checks'], params: serviceParams, response: { 200: checkSchema, ...errors(400, 403, 404) } },
  }, async (req) => {
    const svc = scopedService(deps, req);
    return runner(deps).checkService(svc);
  });

  app.get<{ Params: { zone: string; name: string }; Querystring: { limit: number } }>('/zones/:zone/services/:name/checks', {
    schema: {
      summary: 'the stored checks of a service, newest first', tags: ['checks'], params: serviceParams,
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } } },
      response: {
        200: { type: 'object', properties: { checks: { type: 'array', items: checkSchema }, fingerprints: { type: 'array', items: fingerprintSchema } } },
        ...errors(400, 403, 404),
      },
    },
  }, async (req) => {
    const svc = scopedService(deps, req);
    const checks = runner(deps).checks;
    return {
      checks: checks.checks(svc.id, req.query.limit).map((c) => JSON.parse(c.result) as CheckJson),
      fingerprints: checks.fingerprints(svc.id).map((f) => ({
        endpoint: f.endpoint, certSha256: f.cert_sha256, spkiSha256: f.spki_sha256,
        firstSeen: new Date(f.first_seen * 1000).toISOString(), lastSeen: new Date(f.last_seen * 1000).toISOString(),
      })),
    };
  });

  app.post<{ Params: { zone: string; name: string }; Body: NextKeySource }>('/zones/:zone/services/:name/next', {
    schema: {
      summary: 'publish the next key\'s TLSA records beside the current ones and start a rollover (RFC 7671 §8)', tags: ['checks'], params: serviceParams, body: nextBody,
      response: { 201: rolloverSchema, ...errors(400, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const svc = scopedService(deps, req);
    const p = principal(req);
    const st = await startRollover({ store: deps.store, commit: (c) => { const r = deps.pipeline.commit(c, actorOf(p)); if (r.written) deps.metrics.edits++; return r; }, log: deps.log, onEvent: deps.onEvent }, svc.name, req.body ?? {});
    return reply.status(201).send(st);
  });

  app.get<{ Params: { zone: string; name: string } }>('/zones/:zone/services/:name/rollover', {
    schema: { summary: 'where the service\'s TLSA rollover stands: the same JSON as `daneprime service status --json`', tags: ['checks'], params: serviceParams, response: { 200: rolloverSchema, ...errors(400, 403, 404) } },
  }, async (req) => rolloverStatus(deps.store, scopedService(deps, req)));

  app.delete<{ Params: { zone: string; name: string } }>('/zones/:zone/services/:name/rollover', {
    schema: {
      summary: 'retire the old TLSA records now: only when a check made now shows the next key on every endpoint (else 409)', tags: ['checks'], params: serviceParams,
      response: { 200: rolloverSchema, ...errors(400, 403, 404, 409) },
    },
  }, async (req) => {
    const svc = scopedService(deps, req);
    const p = principal(req);
    return retireNow({ store: deps.store, commit: (c) => { const r = deps.pipeline.commit(c, actorOf(p)); if (r.written) deps.metrics.edits++; return r; }, log: deps.log, onEvent: deps.onEvent },
      svc.name, (s) => runner(deps).checkService(s));
  });

  app.get<{ Querystring: { zone?: string; service?: string; limit: number; before?: number } }>('/events', {
    schema: {
      summary: 'events raised by live checks, newest first; page with ?before=<id>', tags: ['checks'],
      querystring: {
        type: 'object',
        properties: {
          zone: { type: 'string' }, service: { type: 'string' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, before: { type: 'integer', minimum: 1 },
        },
      },
      response: { 200: { type: 'object', properties: { events: { type: 'array', items: eventSchema } } }, ...errors(400, 403) },
    },
  }, async (req) => {
    const p = principal(req);
    let zone = req.query.zone !== undefined ? zoneName(req.query.zone) : undefined;
    // A scoped token reads its own zone's events, of the services in its scope.
    if (!p.admin) {
      zone ??= p.zone;
      requireScope(req, zone!);
    }
    const service: Name | undefined = req.query.service !== undefined ? (zone ? ownerName(req.query.service, zone, 'service') : ownerName(req.query.service, '.', 'service')) : undefined;
    const rows = runner(deps).checks.events({ zone, service, limit: req.query.limit, beforeId: req.query.before })
      .filter((r) => p.admin || scopeAllows(p, r.zone, r.service, RRType.TLSA));
    return {
      events: rows.map((r) => ({
        id: r.id, time: new Date(r.at * 1000).toISOString(), level: r.level, zone: r.zone, service: r.service, endpoint: r.endpoint, kind: r.kind, message: r.message,
      })),
    };
  });
}

const fingerprintSchema = {
  type: 'object',
  properties: { endpoint: { type: 'string' }, certSha256: { type: 'string' }, spkiSha256: { type: 'string' }, firstSeen: { type: 'string' }, lastSeen: { type: 'string' } },
} as const;
