// Zone transfer routes (admin only): TSIG keys (the secret is in the create response only) and each zone's secondaries.
import type { FastifyInstance } from 'fastify';
import { secondaryStatus } from '../../xfr/monitor.js';
import { requireAdmin } from '../auth.js';
import { ApiError, E } from '../errors.js';
import { zoneName } from '../names.js';
import { audit, now } from '../edit.js';
import { errors, zoneParams } from '../schemas.js';
import { XfrStore } from '../../../zones/store/xfr-sqlite.js';
import { createTsigKey, listTsigKeys, deleteTsigKey, tsigKeyName, TSIG_ALGORITHMS } from '../../xfr/keys.js';
import { addSecondary, listSecondaries, removeSecondary, parseSecondaryAddress, SecondaryError, type SecondarySpec } from '../../xfr/acl.js';

const tsigJson = {
  type: 'object', required: ['name', 'algorithm', 'created'],
  properties: { name: { type: 'string' }, algorithm: { type: 'string', enum: TSIG_ALGORITHMS }, created: { type: 'string', description: 'ISO 8601' } },
} as const;

const tsigCreated = {
  type: 'object', required: ['name', 'algorithm', 'secret'],
  properties: {
    name: { type: 'string' }, algorithm: { type: 'string', enum: TSIG_ALGORITHMS },
    secret: { type: 'string', description: 'base64; returned by this response only, never again' },
  },
} as const;

const tsigBody = {
  type: 'object', required: ['name'], additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255, description: 'key name (a domain name, final dot optional)' },
    algorithm: { type: 'string', enum: TSIG_ALGORITHMS, default: 'hmac-sha256' },
    secret: { type: 'string', minLength: 1, maxLength: 1024, description: 'base64, at least 16 bytes; generated (hash length) when absent' },
  },
} as const;

const secondaryJson = {
  type: 'object', required: ['address', 'port', 'tsig'],
  properties: {
    address: { type: 'string', description: 'an IP address, or a prefix ADDR/LEN (may transfer, never notified)' },
    port: { type: 'integer' }, tsig: { type: ['string', 'null'], description: 'the TSIG key transfers must be signed with' },
  },
} as const;

const statusJson = {
  type: 'object', required: ['address', 'port', 'serial', 'lagSeconds', 'lastAnswer', 'state', 'detail'],
  properties: {
    address: { type: 'string' }, port: { type: 'integer' },
    serial: { type: ['integer', 'null'], description: 'the SOA serial it served when last asked' },
    lagSeconds: { type: ['integer', 'null'], description: 'seconds since the first version it lacks was committed; 0 when current' },
    lastAnswer: { type: ['string', 'null'], description: 'ISO 8601' },
    state: { type: 'string', enum: ['current', 'behind', 'refused', 'unreachable', 'unknown'] },
    detail: { type: 'string' },
  },
} as const;

const secondaryBody = {
  type: 'object', required: ['address'], additionalProperties: false,
  properties: {
    address: { type: 'string', minLength: 1, maxLength: 100, description: 'ADDR, ADDR:PORT, [IPv6]:PORT or ADDR/LEN; port 53 by default' },
    tsig: { type: 'string', minLength: 1, maxLength: 255, description: 'name of an existing TSIG key' },
  },
} as const;

const secondaryParams = {
  type: 'object', required: ['zone', 'address'],
  properties: { ...zoneParams.properties, address: { type: 'string', minLength: 1, maxLength: 100, description: 'URL-encoded ADDR[:PORT] or ADDR/LEN' } },
} as const;

const nameParams = {
  type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

const iso = (t: number): string => new Date(t * 1000).toISOString();
const secondaryOut = (s: SecondarySpec) => ({ address: s.address, port: s.port, tsig: s.tsigKey });

export async function transferRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const xs = new XfrStore(deps.store);
  // Admin only, checked before the body is validated: a scoped token learns nothing about these routes.
  app.addHook('onRequest', async (req) => { requireAdmin(req, 'managing zone transfers'); });

  app.get('/tsig', {
    schema: { summary: 'list TSIG keys (never their secrets)', tags: ['transfers'], response: { 200: { type: 'array', items: tsigJson }, ...errors(403) } },
  }, async () => listTsigKeys(xs).map((k) => ({ name: k.name, algorithm: k.algorithm, created: iso(k.created_at) })));

  app.post<{ Body: { name: string; algorithm?: string; secret?: string } }>('/tsig', {
    schema: {
      summary: 'add a TSIG key; the secret (given or generated) is returned in this response only', tags: ['transfers'],
      body: tsigBody, response: { 201: tsigCreated, ...errors(400, 403, 409) },
    },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'adding TSIG keys');
    const { name, algorithm, secret } = req.body;
    const k = deps.store.transaction(() => {
      const c = createTsigKey(xs, name, algorithm, secret, now(deps));
      // Never the secret in the audit log.
      audit(deps, p, '', 'tsig.create', undefined, { name: c.name, algorithm: c.algorithm, generated: c.generated });
      return c;
    });
    return reply.status(201).send({ name: k.name, algorithm: k.algorithm, secret: k.secret });
  });

  app.delete<{ Params: { name: string } }>('/tsig/:name', {
    schema: {
      summary: 'delete a TSIG key (409 in_use while a secondary requires it)', tags: ['transfers'], params: nameParams,
      response: { 204: { type: 'null' }, ...errors(400, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'deleting TSIG keys');
    const name = tsigKeyName(req.params.name);
    deps.store.transaction(() => {
      const row = xs.tsigKey(name);
      deleteTsigKey(xs, name);
      audit(deps, p, '', 'tsig.delete', { name, algorithm: row?.algorithm }, undefined);
    });
    return reply.status(204).send();
  });

  app.get<{ Params: { zone: string } }>('/zones/:zone/secondaries', {
    schema: {
      summary: "the zone's secondaries: who may transfer it (and with which TSIG key), and whom to NOTIFY", tags: ['transfers'],
      params: zoneParams, response: { 200: { type: 'array', items: secondaryJson }, ...errors(400, 403, 404) },
    },
  }, async (req) => listSecondaries(deps.store, xs, zoneName(req.params.zone)).map(secondaryOut));

  app.get<{ Params: { zone: string } }>('/zones/:zone/secondaries/status', {
    schema: {
      summary: 'what each secondary serves (its own and its catalog\'s), as the server last asked: after every NOTIFY and each refresh interval',
      tags: ['transfers'], params: zoneParams, response: { 200: { type: 'array', items: statusJson }, ...errors(400, 403, 404) },
    },
  }, async (req) => {
    const apex = zoneName(req.params.zone);
    if (!deps.store.zone(apex)) throw new ApiError(404, E.NOT_FOUND, `no such zone: ${apex}`, 'zone');
    return secondaryStatus(deps.store, xs, apex, now(deps));
  });

  app.post<{ Params: { zone: string }; Body: { address: string; tsig?: string } }>('/zones/:zone/secondaries', {
    schema: {
      summary: 'add a secondary (ADDR/LEN: may transfer, not notified); applies to the next transfer request', tags: ['transfers'],
      params: zoneParams, body: secondaryBody, response: { 201: secondaryJson, ...errors(400, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'adding secondaries');
    const apex = zoneName(req.params.zone);
    const s = deps.store.transaction(() => {
      // The store upserts (the CLI re-adds to change the key); over the API a second POST is a conflict.
      const { address, port } = parseSecondaryAddress(req.body.address);
      if (listSecondaries(deps.store, xs, apex).some((e) => e.address === address && e.port === port)) {
        throw new ApiError(409, E.EXISTS, `${address} port ${port} is already a secondary of ${apex}`, 'address');
      }
      const added = addSecondary(deps.store, xs, apex, req.body.address, req.body.tsig, now(deps));
      audit(deps, p, apex, 'secondary.add', undefined, secondaryOut(added));
      return added;
    });
    return reply.status(201).send(secondaryOut(s));
  });

  app.delete<{ Params: { zone: string; address: string } }>('/zones/:zone/secondaries/:address', {
    schema: {
      summary: 'remove a secondary; the address is URL-encoded ADDR[:PORT] (port 53 by default) or ADDR/LEN', tags: ['transfers'],
      params: secondaryParams, response: { 204: { type: 'null' }, ...errors(400, 403, 404) },
    },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'removing secondaries');
    const apex = zoneName(req.params.zone);
    deps.store.transaction(() => {
      const { address, port } = parseSecondaryAddress(req.params.address);
      const before = listSecondaries(deps.store, xs, apex).find((e) => e.address === address && e.port === port);
      if (!before) throw new SecondaryError('missing', `${req.params.address} is not a secondary of ${apex}`, 'address');
      removeSecondary(deps.store, xs, apex, req.params.address);
      audit(deps, p, apex, 'secondary.remove', secondaryOut(before), undefined);
    });
    return reply.status(204).send();
  });
}
