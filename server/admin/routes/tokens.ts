// Token routes (admin only): list, create (the secret is in this one response only), revoke.
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.js';
import { ApiError, E } from '../errors.js';
import { createToken, tokenInfo, tokenSpec, type TokenRequest } from '../tokens.js';
import { audit, now } from '../edit.js';
import { errors } from '../schemas.js';

const tokenJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, admin: { type: 'boolean' }, zone: { type: ['string', 'null'] },
    names: { type: 'array', items: { type: 'string' } }, subtree: { type: 'boolean' },
    types: { type: 'array', items: { type: 'string' } }, label: { type: 'string' },
    createdAt: { type: 'string' }, revokedAt: { type: ['string', 'null'] },
  },
} as const;

const createBody = {
  type: 'object', additionalProperties: false,
  properties: {
    admin: { type: 'boolean' }, zone: { type: 'string', minLength: 1 },
    names: { type: 'array', items: { type: 'string', minLength: 1 } }, subtree: { type: 'boolean' },
    types: { type: 'array', items: { type: 'string', minLength: 1 } }, label: { type: 'string', maxLength: 200 },
  },
} as const;

export async function tokenRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;

  app.get('/tokens', {
    schema: { summary: 'list tokens (never their secrets)', tags: ['tokens'], response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: tokenJson } } }, ...errors(403) } },
  }, async (req) => {
    requireAdmin(req, 'listing tokens');
    return { tokens: deps.store.tokens().map(tokenInfo) };
  });

  app.post<{ Body: TokenRequest }>('/tokens', {
    schema: {
      summary: 'create a token: admin, or scoped to names (optionally subtrees) and types in one zone; the secret is shown once', tags: ['tokens'],
      body: createBody,
      response: { 201: { type: 'object', properties: { token: { type: 'string' }, info: tokenJson } }, ...errors(400, 403, 404) },
    },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'creating tokens');
    const spec = tokenSpec(req.body ?? {}, (z) => deps.store.zone(z) !== undefined);
    const created = deps.store.transaction(() => {
      const c = createToken(deps.store, spec, now(deps));
      audit(deps, p, spec.zone ?? '', 'token.create', undefined, c.info);
      return c;
    });
    return reply.status(201).send({ token: created.secret, info: created.info });
  });

  app.delete<{ Params: { id: number } }>('/tokens/:id', {
    schema: {
      summary: 'revoke a token', tags: ['tokens'],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
      response: { 200: { type: 'object', properties: { revoked: { type: 'integer' } } }, ...errors(400, 403, 404) },
    },
  }, async (req) => {
    const p = requireAdmin(req, 'revoking tokens');
    const id = req.params.id;
    deps.store.transaction(() => {
      if (!deps.store.revokeToken(id, now(deps))) throw new ApiError(404, E.NOT_FOUND, `no live token with id ${id}`, 'id');
      audit(deps, p, '', 'token.revoke', { id }, undefined);
    });
    return { revoked: id };
  });
}
