// GET /audit (admin only): who changed what, newest first, with the RRsets before and after.
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.js';
import { zoneName } from '../names.js';
import { errors } from '../schemas.js';

const entryJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, at: { type: 'string' }, tokenId: { type: ['integer', 'null'] }, tokenLabel: { type: ['string', 'null'] },
    zone: { type: 'string' }, action: { type: 'string' },
    before: { anyOf: [{ type: 'object', additionalProperties: true }, { type: 'null' }] },
    after: { anyOf: [{ type: 'object', additionalProperties: true }, { type: 'null' }] },
  },
} as const;

export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  app.get<{ Querystring: { zone?: string; limit: number; before?: number } }>('/audit', {
    schema: {
      summary: 'the audit log of API writes, newest first; page with ?before=<id>', tags: ['audit'],
      querystring: {
        type: 'object',
        properties: { zone: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, before: { type: 'integer', minimum: 1 } },
      },
      response: { 200: { type: 'object', properties: { entries: { type: 'array', items: entryJson } } }, ...errors(400, 403) },
    },
  }, async (req) => {
    requireAdmin(req, 'reading the audit log');
    const zone = req.query.zone !== undefined ? zoneName(req.query.zone) : undefined;
    const rows = deps.store.audit({ zone, limit: req.query.limit, beforeId: req.query.before });
    return {
      entries: rows.map((r) => ({
        id: r.id, at: new Date(r.at * 1000).toISOString(), tokenId: r.token_id, tokenLabel: r.token_label, zone: r.zone, action: r.action,
        before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after),
      })),
    };
  });
}
