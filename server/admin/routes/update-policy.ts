// Update-policy routes (admin only): which RRsets of a zone each TSIG key may change by DNS UPDATE.
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.js';
import { zoneName } from '../names.js';
import { audit, now } from '../edit.js';
import { errors, zoneParams } from '../schemas.js';
import { XfrStore } from '../../../zones/store/xfr-sqlite.js';
import { PolicyStore } from '../../../zones/store/policy-sqlite.js';
import { addPolicy, listPolicies, removePolicy, type PolicyRequest } from '../../update/policy.js';

const policyJson = {
  type: 'object', required: ['id', 'zone', 'key', 'name', 'subtree', 'types', 'createdAt'],
  properties: {
    id: { type: 'integer' }, zone: { type: 'string' }, key: { type: 'string', description: 'the TSIG key UPDATE messages are signed with' },
    name: { type: 'string' }, subtree: { type: 'boolean', description: 'the name and everything below it' },
    types: { type: 'array', items: { type: 'string' }, description: 'empty: any type but SOA, apex NS and DNSSEC' },
    createdAt: { type: 'string', description: 'ISO 8601' },
  },
} as const;

const policyBody = {
  type: 'object', required: ['key'], additionalProperties: false,
  properties: {
    key: { type: 'string', minLength: 1, maxLength: 255, description: 'name of an existing TSIG key' },
    name: { type: 'string', minLength: 1, maxLength: 255, description: 'owner name, absolute or relative to the zone; absent: the whole zone' },
    subtree: { type: 'boolean', description: 'with name: the name and everything below it' },
    types: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 20 }, description: 'type mnemonics; absent: any type but SOA, apex NS and DNSSEC' },
  },
} as const;

const idParams = {
  type: 'object', required: ['zone', 'id'],
  properties: { ...zoneParams.properties, id: { type: 'integer', minimum: 1 } },
} as const;

export async function updatePolicyRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const ps = new PolicyStore(deps.store);
  const xs = new XfrStore(deps.store);
  app.addHook('onRequest', async (req) => { requireAdmin(req, 'managing update policies'); });

  app.get<{ Params: { zone: string } }>('/zones/:zone/update-policy', {
    schema: { summary: "the zone's update policies: which RRsets each TSIG key may change by DNS UPDATE", tags: ['update'], params: zoneParams,
      response: { 200: { type: 'array', items: policyJson }, ...errors(400, 403) } },
  }, async (req) => listPolicies(ps, zoneName(req.params.zone)));

  app.post<{ Params: { zone: string }; Body: PolicyRequest }>('/zones/:zone/update-policy', {
    schema: { summary: 'let a TSIG key change some RRsets by DNS UPDATE; applies to the next UPDATE', tags: ['update'], params: zoneParams,
      body: policyBody, response: { 201: policyJson, ...errors(400, 403, 404) } },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'adding update policies');
    const added = deps.store.transaction(() => {
      const a = addPolicy(deps.store, ps, xs, zoneName(req.params.zone), req.body, now(deps));
      audit(deps, p, a.zone, 'update-policy.add', undefined, a);
      return a;
    });
    return reply.status(201).send(added);
  });

  app.delete<{ Params: { zone: string; id: number } }>('/zones/:zone/update-policy/:id', {
    schema: { summary: 'remove an update policy', tags: ['update'], params: idParams, response: { 204: { type: 'null' }, ...errors(400, 403, 404) } },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'removing update policies');
    const zone = zoneName(req.params.zone);
    deps.store.transaction(() => {
      const r = removePolicy(ps, req.params.id, zone);
      audit(deps, p, zone, 'update-policy.remove', r, undefined);
    });
    return reply.status(204).send();
  });
}
