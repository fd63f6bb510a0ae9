// GET /healthz (liveness and zone count) and GET /metrics (Prometheus text); both unauthenticated, outside /api/v1.
import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', {
    schema: {
      summary: 'liveness', tags: ['health'], security: [],
      response: { 200: { type: 'object', properties: { status: { type: 'string' }, zones: { type: 'integer' } } } },
    },
  }, async () => ({ status: 'ok', zones: app.deps.zones.apexes().length }));

  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text format 0.0.4)', tags: ['health'], security: [] } }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return app.deps.metrics.text(app.deps.dnssec?.cache);
  });
}
