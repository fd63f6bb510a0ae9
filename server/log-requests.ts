// One structured log entry per HTTP API request: method, route, status, time taken and the token's label (never the token).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from './log.js';

/**
 * Log every request `app` answers as an `api.request` event, once its reply is sent. `who`
 * names the caller by its token's label (undefined before or without authentication); the
 * Authorization header itself is never read here.
 */
export function logRequests(app: FastifyInstance, api: string, log: Logger, who: (req: FastifyRequest) => string | undefined): void {
  app.addHook('onResponse', async (req, reply) => {
    const status = reply.statusCode;
    const token = who(req);
    log(`${api}: ${req.method} ${req.url} ${status}${token ? ` (token ${token})` : ''}`, {
      event: 'api.request', level: status >= 500 ? 'error' : 'info', api, method: req.method, url: req.url,
      route: req.routeOptions.url, status, ms: Math.round(reply.elapsedTime * 10) / 10, remote: req.ip, ...(token ? { token } : {}),
    });
  });
}
