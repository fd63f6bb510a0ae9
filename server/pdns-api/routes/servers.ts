// The discovery routes clients start from: API versions, the one server ("localhost") and its description.
import type { FastifyInstance } from 'fastify';
import { PdnsError } from '../errors.js';
import { serverJson, SERVER_ID } from '../zone-json.js';

/** The only server id: PowerDNS names its own server "localhost", and every client puts it in its paths. */
export function checkServer(id: string): void {
  if (id !== SERVER_ID) throw new PdnsError(404, `Not Found: no server '${id}' (this one is '${SERVER_ID}')`);
}

export async function serverRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api', async () => [{ url: '/api/v1', version: 1 }]);
  app.get('/api/v1', async () => [{ api_features: [], server_url: '/api/v1/servers{/server}' }]);
  app.get('/api/v1/servers', async () => [serverJson()]);
  app.get<{ Params: { server: string } }>('/api/v1/servers/:server', async (req) => {
    checkServer(req.params.server);
    return serverJson();
  });
}
