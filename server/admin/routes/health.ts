// GET /healthz (liveness and zone count) and GET /metrics (Prometheus text); both unauthenticated, outside /api/v1.
import type { FastifyInstance } from 'fastify';
import { scraper, CONTENT_TYPE } from '../../metrics/scrape.js';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', {
    schema: {
      summary: 'liveness', tags: ['health'], security: [],
      response: { 200: { type: 'object', properties: { status: { type: 'string' }, zones: { type: 'integer' } } } },
    },
  }, async () => ({ status: 'ok', zones: app.deps.zones.apexes().length }));

  const scrape = app.deps.scrape ?? scraper(app.deps.metrics, app.deps);
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text format 0.0.4), summed over every worker', tags: ['health'], security: [] } }, async (_req, reply) => {
    reply.type(CONTENT_TYPE);
    return scrape();
  });
}
