// X-API-Key authentication with daneprime API tokens, and what a scoped token may see and change here.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Name } from '../../zones/model/name.js';
import type { Store } from '../../zones/store/sqlite.js';
import { verifyToken, scopeProblem, type Principal } from '../admin/tokens.js';
import { PdnsError } from './errors.js';

const principals = new WeakMap<FastifyRequest, Principal>();

/**
 * Every request needs a key, as with PowerDNS (whose `/api` too answers 401 without one). It
 * is checked at onRequest: a caller without a valid token learns nothing, not even whether
 * its body parses. The key is a daneprime API token, verified by its hash.
 */
export function installAuth(app: FastifyInstance, store: Store): void {
  app.addHook('onRequest', async (req) => {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key.trim() === '') throw new PdnsError(401, 'Unauthorized: send a daneprime API token in the X-API-Key header');
    const p = verifyToken(store, key.trim());
    if (!p) throw new PdnsError(401, 'Unauthorized: unknown or revoked API token');
    principals.set(req, p);
  });
}

/** The label of the token a request came with, once authenticated (for the request log). */
export const tokenLabel = (req: FastifyRequest): string | undefined => principals.get(req)?.label;

export function principalOf(req: FastifyRequest): Principal {
  const p = principals.get(req);
  if (!p) throw new PdnsError(401, 'Unauthorized');
  return p;
}

/** Zone-level changes (create, delete, settings) need an admin token. */
export function requireAdmin(req: FastifyRequest, what: string): Principal {
  const p = principalOf(req);
  if (!p.admin) throw new PdnsError(403, `${what} needs an admin token; this token is scoped to RRsets of ${p.zone}`);
  return p;
}

/** A scoped token sees its own zone only: any other is "not found", as if it did not exist. */
export function requireVisible(req: FastifyRequest, apex: Name): Principal {
  const p = principalOf(req);
  if (!p.admin && p.zone !== apex) throw new PdnsError(404, `Could not find domain '${apex}'`);
  return p;
}

/** 403 naming what of (name, type) lies outside the token's scope. */
export function requireScope(p: Principal, apex: Name, name: Name, type: number, field: string): void {
  const problem = scopeProblem(p, apex, name, type);
  if (problem) throw new PdnsError(403, `${field}: ${problem}`);
}
