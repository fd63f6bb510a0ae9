// GET /healthz (liveness and zone count) and GET /metrics (Prometheus text); both unauthenticated, outside /api/v1.
import type { FastifyInstance } from 'fastify';
import { XfrStore } from '../../../zones/store/xfr-sqlite.js';
import { secondaryStatus } from '../../xfr/monitor.js';
import type { SecondaryGauge } from '../../metrics.js';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', {
    schema: {
      summary: 'liveness', tags: ['health'], security: [],
      response: { 200: { type: 'object', properties: { status: { type: 'string' }, zones: { type: 'integer' } } } },
    },
  }, async () => ({ status: 'ok', zones: app.deps.zones.apexes().length }));

  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text format 0.0.4)', tags: ['health'], security: [] } }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    const { store, zones } = app.deps;
    const xs = new XfrStore(store);
    const now = Math.floor(Date.now() / 1000);
    const gauges: SecondaryGauge[] = zones.apexes().flatMap((zone) => secondaryStatus(store, xs, zone, now)
      .map((s) => ({ zone, secondary: s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`, serial: s.serial, lagSeconds: s.lagSeconds, state: s.state })));
    return app.deps.metrics.text(app.deps.dnssec?.cache, gauges);
  });
}
