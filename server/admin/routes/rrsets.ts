// RRset routes: list with filters, get one, PUT (replace), DELETE, and PATCH (a list of changes, all or nothing).
import type { FastifyInstance } from 'fastify';
import type { Name } from '../../../zones/model/name.js';
import type { RRset } from '../../../zones/model/rrset.js';
import { isDerivedRecord, type RRsetEdit } from '../../../zones/commit.js';
import { requireScope } from '../auth.js';
import { ApiError, E } from '../errors.js';
import { zoneName, ownerName, rrType } from '../names.js';
import { rrsetToJson, recordsFromText, checkOwnerForm, type RecordInput } from '../rrset-json.js';
import { scopeAllows } from '../tokens.js';
import { commit, describe, etag, guardReply, lintEdits, serialOf } from '../edit.js';
import { servedZone } from '../zone-info.js';
import { errors, patchBody, rrsetBody, rrsetJson, rrsetParams, writeResult, zoneParams } from '../schemas.js';

type RRsetParams = { zone: string; name: string; type: string };
interface Change { name: string; type: string; ttl?: number; records?: RecordInput[]; delete?: boolean }

/** Source RRsets only: DNSKEY/CDS/CDNSKEY/NSEC3PARAM are the signer's and not editable. */
function isSource(r: RRset, apex: Name): boolean {
  return !isDerivedRecord(r, apex);
}

export async function rrsetRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;

  app.get<{ Params: { zone: string }; Querystring: { name?: string; type?: string } }>('/zones/:zone/rrsets', {
    schema: {
      summary: 'list RRsets (a scoped token sees only its own)', tags: ['rrsets'], params: zoneParams,
      querystring: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } } },
      response: { 200: { type: 'object', properties: { serial: { type: 'integer' }, rrsets: { type: 'array', items: rrsetJson } } }, ...errors(400, 403, 404) },
    },
  }, async (req, reply) => {
    const apex = zoneName(req.params.zone);
    const p = requireScope(req, apex);
    const { zone } = servedZone(deps, apex);
    const name = req.query.name !== undefined ? ownerName(req.query.name, apex, 'name') : undefined;
    const type = req.query.type !== undefined ? rrType(req.query.type) : undefined;
    const nodes = name !== undefined ? [zone.get(name)].filter((n) => n !== undefined) : zone.nodes.values();
    const rrsets = [];
    for (const node of nodes) {
      for (const r of node.rrsets.values()) {
        if ((type === undefined || r.type === type) && isSource(r, apex) && scopeAllows(p, apex, r.name, r.type)) rrsets.push(rrsetToJson(r));
      }
    }
    const serial = serialOf(zone);
    return reply.header('etag', etag(serial)).send({ serial, rrsets });
  });

  app.get<{ Params: RRsetParams }>('/zones/:zone/rrsets/:name/:type', {
    schema: { summary: 'one RRset', tags: ['rrsets'], params: rrsetParams, response: { 200: rrsetJson, ...errors(400, 403, 404) } },
  }, async (req, reply) => {
    const { apex, name, type } = target(req.params);
    requireScope(req, apex, name, type);
    const { zone } = servedZone(deps, apex);
    const r = zone.rrset(name, type);
    if (!r || !isSource(r, apex)) throw new ApiError(404, E.NOT_FOUND, `no ${describe(name, type)} RRset`);
    return reply.header('etag', etag(serialOf(zone))).send(rrsetToJson(r));
  });

  app.put<{ Params: RRsetParams; Body: { ttl?: number; records: RecordInput[] } }>('/zones/:zone/rrsets/:name/:type', {
    schema: {
      summary: 'replace one RRset (If-Match: the zone ETag for optimistic concurrency; ?force=true: past the write guard, admin only)', tags: ['rrsets'], params: rrsetParams, body: rrsetBody,
      response: { 200: writeResult, 202: writeResult, ...errors(400, 403, 404, 409, 412) },
    },
  }, async (req, reply) => {
    const { apex, name, type } = target(req.params);
    const p = requireScope(req, apex, name, type);
    const { zone } = servedZone(deps, apex);
    checkOwnerForm(name, type, 'name');
    const edit: RRsetEdit = { name, type, ttl: req.body.ttl, rdatas: recordsFromText(type, req.body.records, apex, 'records') };
    const warnings = lintEdits(deps, zone, [edit]);
    const res = commit(deps, req, p, apex, [edit], 'rrset.put', 'name');
    const after = deps.zones.get(apex)?.rrset(name, type);
    const g = guardReply(deps, res);
    return reply.status(g.status).header('etag', etag(res.serial)).send({ serial: res.serial, changed: res.changes.length, rrset: after && rrsetToJson(after), warnings, ...g.extra });
  });

  app.delete<{ Params: RRsetParams }>('/zones/:zone/rrsets/:name/:type', {
    schema: { summary: 'delete one RRset (?force=true: past the write guard, admin only)', tags: ['rrsets'], params: rrsetParams, response: { 200: writeResult, 202: writeResult, ...errors(400, 403, 404, 409, 412) } },
  }, async (req, reply) => {
    const { apex, name, type } = target(req.params);
    const p = requireScope(req, apex, name, type);
    const { zone } = servedZone(deps, apex);
    if (!zone.rrset(name, type)) throw new ApiError(404, E.NOT_FOUND, `no ${describe(name, type)} RRset`);
    const res = commit(deps, req, p, apex, [{ name, type }], 'rrset.delete', 'name');
    const g = guardReply(deps, res);
    return reply.status(g.status).header('etag', etag(res.serial)).send({ serial: res.serial, changed: res.changes.length, warnings: [], ...g.extra });
  });

  app.patch<{ Params: { zone: string }; Body: { changes: Change[] } }>('/zones/:zone/rrsets', {
    schema: {
      summary: 'apply RRset changes atomically: {name, type, ttl, records} replaces, {name, type, delete: true} removes (?force=true: past the write guard, admin only)', tags: ['rrsets'],
      params: zoneParams, body: patchBody, response: { 200: writeResult, 202: writeResult, ...errors(400, 403, 404, 409, 412) },
    },
  }, async (req, reply) => {
    const apex = zoneName(req.params.zone);
    const p = requireScope(req, apex);
    const { zone } = servedZone(deps, apex);
    const edits = req.body.changes.map((c, i): RRsetEdit => {
      const f = `changes[${i}]`;
      const name = ownerName(c.name, apex, `${f}.name`);
      const type = rrType(c.type, `${f}.type`);
      requireScope(req, apex, name, type, f);
      if (c.delete) {
        if (c.records) throw new ApiError(400, E.INVALID, 'a change either deletes or gives records, not both', `${f}.records`);
        return { name, type };
      }
      if (!c.records) throw new ApiError(400, E.INVALID, 'a change needs records, or delete: true', `${f}.records`);
      checkOwnerForm(name, type, `${f}.name`);
      return { name, type, ttl: c.ttl, rdatas: recordsFromText(type, c.records, apex, `${f}.records`) };
    });
    const warnings = lintEdits(deps, zone, edits);
    const res = commit(deps, req, p, apex, edits, 'rrsets.patch');
    const g = guardReply(deps, res);
    return reply.status(g.status).header('etag', etag(res.serial)).send({ serial: res.serial, changed: res.changes.length, warnings, ...g.extra });
  });
}

function target(params: RRsetParams): { apex: Name; name: Name; type: number } {
  const apex = zoneName(params.zone);
  return { apex, name: ownerName(params.name, apex, 'name'), type: rrType(params.type) };
}
