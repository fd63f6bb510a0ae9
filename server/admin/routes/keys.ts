// Key routes: the zone's DNSKEYs (public parts only) with their rollover state, the DS records its parent should publish, and its key policy.
import type { FastifyInstance } from 'fastify';
import { requireAdmin, requireScope } from '../auth.js';
import { zoneName } from '../names.js';
import { servedZone, publicKeys, dsRecords } from '../zone-info.js';
import { errors, zoneParams } from '../schemas.js';
import { actorOf } from '../edit.js';
import { ApiError, E } from '../errors.js';
import { KeyPolicyStore } from '../../../zones/store/key-policy-sqlite.js';
import { mergePolicy, policyJson, PolicyInputError, DURATION_FIELDS } from '../../keys/policy-input.js';

const keyJson = {
  type: 'object',
  properties: {
    keyTag: { type: 'integer' }, role: { type: 'string' }, algorithm: { type: 'integer' }, flags: { type: 'integer' },
    active: { type: 'boolean' }, createdAt: { type: 'string' }, dnskey: { type: 'string' }, ds: { type: ['string', 'null'] },
    state: { type: 'string', enum: ['published', 'ready', 'active', 'retired'] },
    stateSince: { type: 'string', description: 'ISO 8601' },
    nextTransition: {
      type: ['object', 'null'], description: 'null: the key stays as it is (no lifetime set)',
      properties: {
        to: { type: 'string', enum: ['ready', 'active', 'retired', 'removed', 'rollover'] },
        at: { type: ['string', 'null'], description: 'ISO 8601; null while the key waits for the parent to serve its DS' },
      },
    },
  },
} as const;

const policyProps = {
  ...Object.fromEntries(DURATION_FIELDS.map((f) => [f, { type: 'integer', description: 'seconds' }])),
  dsResolver: { type: ['string', 'null'] },
};
const policySchema = { type: 'object', properties: policyProps } as const;
const durationInput = { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 16 }], description: 'an integer with s, m, h or d ("30s", "90d"), or seconds' };
const policyBody = {
  type: 'object', additionalProperties: false,
  properties: { ...Object.fromEntries(DURATION_FIELDS.map((f) => [f, durationInput])), dsResolver: { type: ['string', 'null'], maxLength: 64 } },
} as const;

export async function keyRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const kps = KeyPolicyStore.of(deps.store);

  app.get<{ Params: { zone: string } }>('/zones/:zone/keys', {
    schema: {
      summary: 'DNSSEC keys, public parts, with their rollover state and the key policy', tags: ['keys'], params: zoneParams,
      response: { 200: { type: 'object', properties: { keys: { type: 'array', items: keyJson }, policy: policySchema } }, ...errors(403, 404) },
    },
  }, async (req) => {
    const apex = zoneName(req.params.zone);
    requireScope(req, apex);
    const { row } = servedZone(deps, apex);
    return { keys: publicKeys(deps, apex, row), policy: policyJson(kps.policy(row.id)) };
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

  app.get<{ Params: { zone: string } }>('/zones/:zone/policy', {
    schema: { summary: "the zone's key and signature policy (seconds)", tags: ['keys'], params: zoneParams, response: { 200: policySchema, ...errors(403, 404) } },
  }, async (req) => {
    requireAdmin(req, 'reading key policies');
    const { row } = servedZone(deps, zoneName(req.params.zone));
    return policyJson(kps.policy(row.id));
  });

  app.put<{ Params: { zone: string }; Body: Record<string, unknown> }>('/zones/:zone/policy', {
    schema: {
      summary: 'set fields of the key and signature policy; the key roller applies it within a second', tags: ['keys'], params: zoneParams,
      body: policyBody, response: { 200: policySchema, ...errors(400, 403, 404, 503) },
    },
  }, async (req) => {
    const p = requireAdmin(req, 'setting key policies');
    const apex = zoneName(req.params.zone);
    const { row } = servedZone(deps, apex);
    let policy;
    try {
      policy = mergePolicy(kps.policy(row.id), req.body ?? {});
    } catch (err) {
      if (err instanceof PolicyInputError) throw new ApiError(400, E.INVALID, err.message, err.field);
      throw err;
    }
    const r = deps.pipeline.commit({ kind: 'policy', apex, policy }, actorOf(p));
    if (r.written) deps.metrics.edits++;
    return policyJson(kps.policy(row.id));
  });
}
