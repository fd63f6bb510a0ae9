// Zone routes: list, create (JSON RRsets or a zone file; keys made, signing on), get, delete, export.
import type { FastifyInstance } from 'fastify';
import { RRType, type Rec } from '../../../zones/model/types.js';
import { parseZoneText } from '../../../zones/io/zonefile-parse.js';
import { initialKeys } from '../../../signer/keystore-sqlite.js';
import { zoneFileText } from '../../../signer/zone-export.js';
import type { ZoneSettings } from '../../../zones/settings.js';
import { principal, requireAdmin, requireScope } from '../auth.js';
import { ApiError, E } from '../errors.js';
import { zoneName, ownerName, rrType } from '../names.js';
import { recordsFromText, checkOwnerForm, type RecordInput } from '../rrset-json.js';
import { commitChange, etag, ifMatchSerial, now, serialOf } from '../edit.js';
import { zoneInfo, zoneInfoSchema, servedZone } from '../zone-info.js';
import { errors, recordInput, zoneParams } from '../schemas.js';

interface CreateJson {
  name: string;
  zonefile?: string;
  rrsets?: { name: string; type: string; ttl?: number; records: RecordInput[] }[];
  settings?: Partial<ZoneSettings>;
  csk?: boolean;
}

const createJson = {
  type: 'object', required: ['name'], additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    zonefile: { type: 'string', description: 'the zone in master-file format (instead of rrsets)' },
    rrsets: {
      type: 'array', maxItems: 100000,
      items: {
        type: 'object', required: ['name', 'type', 'records'], additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 }, type: { type: 'string', minLength: 1 },
          ttl: { type: 'integer', minimum: 0, maximum: 2147483647 },
          records: { type: 'array', minItems: 1, items: recordInput },
        },
      },
    },
    settings: {
      type: 'object', additionalProperties: false,
      properties: {
        signed: { type: 'boolean' }, serial: { type: 'string', enum: ['increment', 'unixtime'] },
        nsec3: { type: 'object', additionalProperties: false, properties: { iterations: { type: 'integer' }, salt: { type: 'string' }, optOut: { type: 'boolean' } } },
      },
    },
    csk: { type: 'boolean', description: 'one combined signing key instead of KSK + ZSK' },
  },
} as const;

const DEFAULT_TTL = 3600;

export async function zoneRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;

  app.get('/zones', {
    schema: {
      summary: 'list zones (a scoped token sees its zone only)', tags: ['zones'],
      response: {
        200: { type: 'object', properties: { zones: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, serial: { type: 'integer' }, signed: { type: 'boolean' } } } } } },
        ...errors(),
      },
    },
  }, async (req) => {
    const p = principal(req);
    const zones = deps.zones.apexes().filter((a) => p.admin || a === p.zone).sort().map((apex) => ({
      name: apex, serial: serialOf(deps.zones.get(apex)!), signed: !!deps.dnssec?.forApex(apex),
    }));
    return { zones };
  });

  app.post<{ Body: CreateJson | string; Querystring: { name?: string } }>('/zones', {
    schema: {
      summary: 'create a zone from JSON RRsets or a zone file (text/dns); keys are generated and signing starts', tags: ['zones'],
      querystring: { type: 'object', properties: { name: { type: 'string', description: 'zone name for a text/dns body (default: the SOA owner)' } } },
      body: {
        content: {
          'application/json': { schema: createJson },
          'text/dns': { schema: { type: 'string' } },
          'text/plain': { schema: { type: 'string' } },
        },
      },
      response: { 201: zoneInfoSchema, ...errors(400, 403, 409) },
    },
  }, async (req, reply) => {
    const p = requireAdmin(req, 'creating a zone');
    const { apex, records, settings, csk } = zoneInput(req.body, req.query.name);
    const t = now(deps);
    // Served by this process when the pipeline returns: the next DNS query is answered from it.
    commitChange(deps, p, { kind: 'import', apex, records, settings, makeKeys: () => initialKeys(t, csk) });
    const info = zoneInfo(deps, apex);
    return reply.status(201).header('etag', etag(info.serial)).send(info);
  });

  app.get<{ Params: { zone: string } }>('/zones/:zone', {
    schema: { summary: 'zone status: serial (also the ETag), DNSSEC, NSEC3 parameters, DS for the parent', tags: ['zones'], params: zoneParams, response: { 200: zoneInfoSchema, ...errors(403, 404) } },
  }, async (req, reply) => {
    const apex = zoneName(req.params.zone);
    requireScope(req, apex);
    const info = zoneInfo(deps, apex);
    return reply.header('etag', etag(info.serial)).send(info);
  });

  app.delete<{ Params: { zone: string } }>('/zones/:zone', {
    schema: {
      summary: 'delete a zone with its keys', tags: ['zones'], params: zoneParams,
      response: { 200: { type: 'object', properties: { deleted: { type: 'string' } } }, ...errors(403, 404, 412) },
    },
  }, async (req) => {
    const p = requireAdmin(req, 'deleting a zone');
    const apex = zoneName(req.params.zone);
    commitChange(deps, p, { kind: 'delete', apex, ifSerial: ifMatchSerial(req) });
    return { deleted: apex };
  });

  app.get<{ Params: { zone: string }; Querystring: { signed?: boolean } }>('/zones/:zone/export', {
    schema: {
      summary: 'the zone file (text/dns); ?signed=true adds RRSIG and NSEC3 as served', tags: ['zones'], params: zoneParams,
      querystring: { type: 'object', properties: { signed: { type: 'boolean' } } },
      response: { ...errors(403, 404) },
    },
  }, async (req, reply) => {
    requireAdmin(req, 'exporting a whole zone');
    const apex = zoneName(req.params.zone);
    const { zone } = servedZone(deps, apex);
    const signer = req.query.signed ? deps.dnssec?.forZone(zone) : undefined;
    if (req.query.signed && !signer) throw new ApiError(400, E.INVALID, `zone ${apex} is not signed`, 'signed');
    reply.header('etag', etag(serialOf(zone))).type('text/dns; charset=utf-8');
    // The served zone and its signer: the same signatures the server answers with.
    return zoneFileText(zone, signer, now(deps));
  });
}

/** Records and settings of a zone-create request, from a zone-file body or JSON. */
function zoneInput(body: CreateJson | string, nameParam: string | undefined) {
  if (typeof body === 'string') {
    const origin = nameParam !== undefined ? zoneName(nameParam, 'name') : undefined;
    const records = parseZoneText(body, { origin, fileName: 'zonefile' });
    const apex = origin ?? records.find((r) => r.type === RRType.SOA)?.name;
    if (!apex) throw new ApiError(400, E.INVALID, 'the zone file has no SOA record: give ?name=', 'name');
    return { apex, records, settings: undefined, csk: false };
  }
  const apex = zoneName(body.name, 'name');
  let records: Rec[];
  if (body.zonefile !== undefined) {
    if (body.rrsets) throw new ApiError(400, E.INVALID, 'give either zonefile or rrsets, not both', 'rrsets');
    records = parseZoneText(body.zonefile, { origin: apex, fileName: 'zonefile' });
  } else {
    records = (body.rrsets ?? []).flatMap((s, i) => {
      const name = ownerName(s.name, apex, `rrsets[${i}].name`);
      const type = rrType(s.type, `rrsets[${i}].type`);
      checkOwnerForm(name, type, `rrsets[${i}].name`);
      return recordsFromText(type, s.records, apex, `rrsets[${i}].records`).map((rdata) => ({ name, type, ttl: s.ttl ?? DEFAULT_TTL, rdata }));
    });
  }
  return { apex, records, settings: body.settings, csk: !!body.csk };
}
