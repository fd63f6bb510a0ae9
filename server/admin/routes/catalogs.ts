// Catalog zone routes (admin only, RFC 9432): create catalogs, list them and their members, add, move and remove members.
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.js';
import { zoneName } from '../names.js';
import { commitChange, now } from '../edit.js';
import { errors } from '../schemas.js';
import { ApiError, E } from '../errors.js';
import { soaSerial } from '../../../zones/model/rdata/index.js';
import { initialKeys } from '../../../signer/keystore-sqlite.js';
import { CatalogStore, type MemberRow } from '../../../zones/store/catalog-sqlite.js';
import type { Name } from '../../../zones/model/name.js';

const memberJson = {
  type: 'object', required: ['zone', 'label', 'group', 'addedAt'],
  properties: {
    zone: { type: 'string' },
    label: { type: 'string', description: 'the member label under zones.<catalog>, kept for as long as the zone is a member' },
    group: { type: ['string', 'null'], description: 'the group property (RFC 9432 §4.4.2)' },
    addedAt: { type: 'string', description: 'ISO 8601' },
  },
} as const;

const catalogJson = {
  type: 'object', required: ['name', 'serial', 'members'],
  properties: { name: { type: 'string' }, serial: { type: 'integer' }, members: { type: 'array', items: memberJson } },
} as const;

const catalogParams = { type: 'object', required: ['catalog'], properties: { catalog: { type: 'string', minLength: 1, maxLength: 255 } } } as const;
const memberParams = {
  type: 'object', required: ['catalog', 'zone'],
  properties: { catalog: { type: 'string', minLength: 1, maxLength: 255 }, zone: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

const member = (m: MemberRow) => ({ zone: m.member, label: m.label, group: m.grp, addedAt: new Date(m.added_at * 1000).toISOString() });

export async function catalogRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const cs = CatalogStore.of(deps.store);
  app.addHook('onRequest', async (req) => { requireAdmin(req, 'managing catalog zones'); });

  const describe = (name: Name) => {
    const c = cs.catalogs().find((x) => x.name === name);
    if (!c) throw new ApiError(404, E.NOT_FOUND, `no such catalog zone: ${name}`, 'catalog');
    return { name, serial: soaSerial(deps.zones.get(name)!.soa.rdatas[0]), members: cs.members(c.zone_id).map(member) };
  };

  app.get('/catalogs', {
    schema: { summary: 'the catalog zones and their members', tags: ['catalogs'], response: { 200: { type: 'array', items: catalogJson }, ...errors(403) } },
  }, async () => cs.catalogs().map((c) => describe(c.name)));

  app.post<{ Body: { name: string; signed?: boolean; csk?: boolean } }>('/catalogs', {
    schema: {
      summary: 'create a catalog zone (SOA, NS invalid., version "2"); give it secondaries as any zone', tags: ['catalogs'],
      body: {
        type: 'object', required: ['name'], additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 255 },
          signed: { type: 'boolean', description: 'sign the catalog (default false: consumers do not validate it)' },
          csk: { type: 'boolean', description: 'with signed: one combined key' },
        },
      },
      response: { 201: catalogJson, ...errors(400, 403, 409) },
    },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'creating catalog zones');
    const apex = zoneName(req.body.name, 'name');
    const t = now(deps);
    commitChange(deps, p, { kind: 'catalog-create', apex, signed: !!req.body.signed, makeKeys: () => initialKeys(t, !!req.body.csk) });
    return reply.status(201).send(describe(apex));
  });

  app.get<{ Params: { catalog: string } }>('/catalogs/:catalog', {
    schema: { summary: 'one catalog zone and its members', tags: ['catalogs'], params: catalogParams, response: { 200: catalogJson, ...errors(400, 403, 404) } },
  }, async (req) => describe(zoneName(req.params.catalog, 'catalog')));

  app.put<{ Params: { catalog: string; zone: string }; Body: { group?: string | null } | undefined }>('/catalogs/:catalog/members/:zone', {
    schema: {
      summary: 'make a hosted zone a member (or change a member\'s group, keeping its label); in one commit of the catalog', tags: ['catalogs'],
      params: memberParams,
      body: {
        type: ['object', 'null'], additionalProperties: false,
        properties: { group: { type: ['string', 'null'], minLength: 1, maxLength: 255, description: 'the group property; absent or null: none' } },
      },
      response: { 200: catalogJson, ...errors(400, 403, 404, 409) },
    },
  }, async (req) => {
    const p = requireAdmin(req, 'changing catalog zones');
    const catalog = zoneName(req.params.catalog, 'catalog');
    commitChange(deps, p, { kind: 'catalog-member', catalog, member: zoneName(req.params.zone, 'zone'), group: req.body?.group ?? null });
    return describe(catalog);
  });

  app.delete<{ Params: { catalog: string; zone: string } }>('/catalogs/:catalog/members/:zone', {
    schema: { summary: 'take a zone out of a catalog (the zone stays)', tags: ['catalogs'], params: memberParams, response: { 204: { type: 'null' }, ...errors(400, 403, 404) } },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'changing catalog zones');
    commitChange(deps, p, { kind: 'catalog-member', catalog: zoneName(req.params.catalog, 'catalog'), member: zoneName(req.params.zone, 'zone'), remove: true });
    return reply.status(204).send();
  });
}
