// Read-only routes for the status page: who the token is, every visible zone at a glance, and a zone's DNSSEC status (parent DS, CDS, RRSIG expiry).
import type { FastifyInstance } from 'fastify';
import { principal, requireScope } from '../auth.js';
import { zoneName } from '../names.js';
import { errors, zoneParams } from '../schemas.js';
import { servedZone, dnssecState } from '../zone-info.js';
import { soonestRrsigExpiry, zoneDnssecStatus } from '../zone-status.js';
import { secondaryStatus } from '../../xfr/monitor.js';
import { XfrStore } from '../../../zones/store/xfr-sqlite.js';
import { now, serialOf } from '../edit.js';

const secondarySchema = {
  type: 'object',
  properties: {
    address: { type: 'string' }, port: { type: 'integer' }, serial: { type: ['integer', 'null'] }, lagSeconds: { type: ['integer', 'null'] },
    lastAnswer: { type: ['string', 'null'] }, state: { type: 'string' }, detail: { type: 'string' },
  },
} as const;

const zoneSummary = {
  type: 'object',
  properties: {
    name: { type: 'string' }, serial: { type: 'integer' }, dnssec: { type: 'string', enum: ['signed', 'unsigned', 'no_keys'] },
    soonestRrsigExpiry: { type: ['string', 'null'], description: 'ISO 8601: no RRSIG of the zone expires before' },
    secondaries: { type: ['array', 'null'], items: secondarySchema, description: 'null for a scoped token (secondaries are admin-only)' },
  },
} as const;

const dnssecStatus = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    ds: { type: 'array', items: { type: 'string' }, description: 'the DS the parent should publish (active KSKs, SHA-256)' },
    parentDs: {
      type: 'object',
      properties: {
        state: { type: 'string', enum: ['match', 'mismatch', 'missing', 'unknown'] }, resolver: { type: ['string', 'null'] },
        served: { type: 'array', items: { type: 'string' } }, detail: { type: 'string' },
      },
    },
    cds: {
      type: 'object',
      properties: {
        state: { type: 'string', enum: ['published', 'delete', 'none', 'unsigned'] },
        cds: { type: 'array', items: { type: 'string' } }, cdnskey: { type: 'array', items: { type: 'string' } }, matchesDs: { type: 'boolean' },
      },
    },
    soonestRrsigExpiry: { type: ['string', 'null'] },
  },
} as const;

export async function statusRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const xs = new XfrStore(deps.store);

  app.get('/whoami', {
    schema: {
      summary: 'the calling token: admin, or the zone and RRsets its scope covers (never its secret)', tags: ['status'],
      response: {
        200: {
          type: 'object',
          properties: { label: { type: 'string' }, admin: { type: 'boolean' }, zone: { type: ['string', 'null'] }, names: { type: 'array', items: { type: 'string' } }, subtree: { type: 'boolean' }, types: { type: 'array', items: { type: 'integer' } } },
        },
        ...errors(),
      },
    },
  }, async (req) => {
    const p = principal(req);
    return { label: p.label, admin: p.admin, zone: p.zone ?? null, names: p.names, subtree: p.subtree, types: p.types };
  });

  app.get('/status/zones', {
    schema: {
      summary: 'every zone the token sees: serial, DNSSEC, soonest RRSIG expiry and (admin tokens) each secondary\'s serial and lag', tags: ['status'],
      response: { 200: { type: 'object', properties: { zones: { type: 'array', items: zoneSummary } } }, ...errors() },
    },
  }, async (req) => {
    const p = principal(req);
    const at = now(deps);
    const zones = deps.zones.apexes().filter((a) => p.admin || a === p.zone).sort().map((apex) => {
      const { zone, row } = servedZone(deps, apex);
      return {
        name: apex, serial: serialOf(zone), dnssec: dnssecState(deps, apex, row), soonestRrsigExpiry: soonestRrsigExpiry(deps, apex),
        secondaries: p.admin ? secondaryStatus(deps.store, xs, apex, at) : null,
      };
    });
    return { zones };
  });

  app.get<{ Params: { zone: string } }>('/zones/:zone/status', {
    schema: {
      summary: 'DNSSEC status: DS to publish, whether the parent serves a matching DS (asked of --ds-resolver), CDS/CDNSKEY, soonest RRSIG expiry', tags: ['status'],
      params: zoneParams, response: { 200: dnssecStatus, ...errors(400, 403, 404) },
    },
  }, async (req) => {
    const apex = zoneName(req.params.zone);
    requireScope(req, apex);
    return zoneDnssecStatus(deps, apex);
  });
}
