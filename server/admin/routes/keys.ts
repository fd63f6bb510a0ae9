// Key routes: the zone's DNSKEYs (public parts only) and the DS records its parent should publish.
import type { FastifyInstance } from 'fastify';
import { requireScope } from '../auth.js';
import { zoneName } from '../names.js';
import { servedZone, publicKeys, dsRecords } from '../zone-info.js';
import { errors, zoneParams } from '../schemas.js';

const keyJson = {
  type: 'object',
  properties: {
    keyTag: { type: 'integer' }, role: { type: 'string' }, algorithm: { type: 'integer' }, flags: { type: 'integer' },
    active: { type: 'boolean' }, createdAt: { type: 'string' }, dnskey: { type: 'string' }, ds: { type: ['string', 'null'] },
  },
} as const;

export async function keyRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;

  app.get<{ Params: { zone: string } }>('/zones/:zone/keys', {
    schema: { summary: 'DNSSEC keys, public parts', tags: ['keys'], params: zoneParams, response: { 200: { type: 'object', properties: { keys: { type: 'array', items: keyJson } } }, ...errors(403, 404) } },
  }, async (req) => {
    const apex = zoneName(req.params.zone);
    requireScope(req, apex);
    const { row } = servedZone(deps, apex);
    return { keys: publicKeys(deps, apex, row) };
  });

  app.get<{ Params: { zone: string } }>('/zones/:zone/ds', {
    schema: {
      summary: 'DS records (SHA-256) for the parent zone', tags: ['keys'], params: zoneParams,
      response: { 200: { type: 'object', properties: { name: { type: 'string' }, ds: { type: 'array', items: { type: 'string' } }, records: { type: 'array', items: { type: 'string' } } } }, ...errors(403, 404) },
    },
  }, async (req) => {
    const apex = zoneName(req.params.zone);
    requireScope(req, apex);
    const { row } = servedZone(deps, apex);
    const ds = dsRecords(deps, apex, row);
    return { name: apex, ds, records: ds.map((d) => `${apex} IN DS ${d}`) };
  });
}
