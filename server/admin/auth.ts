// Bearer-token authentication for /api/v1 and the helpers routes use to require an admin or a scope.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Name } from '../../zones/model/name.js';
import { verifyToken, scopeProblem, type Principal } from './tokens.js';
import { ApiError, E } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Served without a token (the OpenAPI document). */
    public?: boolean;
  }
}

/**
 * Runs at onRequest rather than preHandler: a caller without a valid token learns nothing
 * (no body parsing, no schema validation messages) before being turned away with 401.
 * Registered with skip-override (what fastify-plugin does) so it covers its sibling route plugins.
 */
export function authPlugin(app: FastifyInstance, _opts: unknown, done: () => void): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config?.public) return;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new ApiError(401, E.UNAUTHORIZED, 'missing "Authorization: Bearer <token>" header', 'authorization');
    const p = verifyToken(app.deps.store, m[1]);
    if (!p) throw new ApiError(401, E.UNAUTHORIZED, 'unknown or revoked token', 'authorization');
    req.principal = p;
  });
  done();
}
(authPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw new ApiError(401, E.UNAUTHORIZED, 'not authenticated', 'authorization');
  return req.principal;
}

export function requireAdmin(req: FastifyRequest, what: string): Principal {
  const p = principal(req);
  if (!p.admin) throw new ApiError(403, E.FORBIDDEN, `${what} needs an admin token`);
  return p;
}

/** 403 naming what lies outside the token's scope. */
export function requireScope(req: FastifyRequest, zone: Name, name?: Name, type?: number, field?: string): Principal {
  const p = principal(req);
  const problem = scopeProblem(p, zone, name, type);
  if (problem) throw new ApiError(403, E.FORBIDDEN, problem, field);
  return p;
}
