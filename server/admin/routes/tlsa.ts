// TLSA routes: publish a record computed from a certificate/key (add = RFC 7671 §8 roll-over, replace), list per service.
import type { FastifyInstance } from 'fastify';
import type { Zone } from '../../../zones/zone.js';
import { RRType } from '../../../zones/model/types.js';
import { rdataToText, rdataFromText, RdataError } from '../../../zones/model/rdata/index.js';
import { ApiError, E } from '../errors.js';
import { requireScope } from '../auth.js';
import { zoneName, ownerName } from '../names.js';
import { scopeAllows } from '../tokens.js';
import { associationData, parseTlsaOwner, tlsaOwner, PROTOCOLS, USAGE_NAMES, SELECTOR_NAMES, MATCHING_NAMES, type Protocol } from '../tlsa.js';
import { rrsetToJson } from '../rrset-json.js';
import { commit, etag, guardReply, lintEdits, serialOf } from '../edit.js';
import { servedZone } from '../zone-info.js';
import { errors, writeResult, zoneParams } from '../schemas.js';

interface TlsaBody {
  host: string;
  port: number;
  protocol: Protocol;
  usage: number;
  selector: number;
  matching: number;
  certificate?: string;
  spki?: string;
  data?: string;
  mode: 'add' | 'replace';
  ttl?: number;
}

const u8 = { type: 'integer', minimum: 0, maximum: 255 } as const;

const tlsaBody = {
  type: 'object', required: ['host', 'port'], additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1, maxLength: 255 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    protocol: { type: 'string', enum: [...PROTOCOLS], default: 'tcp' },
    // RFC 7671 §5.1: "3 1 1" (DANE-EE, SPKI, SHA2-256) is the recommended default.
    usage: { ...u8, default: 3 }, selector: { ...u8, default: 1 }, matching: { ...u8, default: 1 },
    certificate: { type: 'string', description: 'PEM; a chain is allowed (leaf first)' },
    spki: { type: 'string', description: 'PEM public key (selector 1)' },
    data: { type: 'string', description: 'certificate association data, hex' },
    mode: { type: 'string', enum: ['add', 'replace'], default: 'replace', description: 'add keeps existing records (current + next, RFC 7671 §8)' },
    ttl: { type: 'integer', minimum: 0, maximum: 2147483647 },
  },
} as const;

const tlsaRecordJson = {
  type: 'object',
  properties: {
    record: { type: 'string' }, usage: { type: 'integer' }, usageName: { type: 'string' }, selector: { type: 'integer' },
    selectorName: { type: 'string' }, matching: { type: 'integer' }, matchingName: { type: 'string' }, data: { type: 'string' },
  },
} as const;

const serviceJson = {
  type: 'object',
  properties: {
    name: { type: 'string' }, host: { type: 'string' }, port: { type: ['integer', 'null'] }, protocol: { type: 'string' },
    ttl: { type: 'integer' }, records: { type: 'array', items: tlsaRecordJson },
  },
} as const;

function describeTlsa(rdata: Buffer) {
  const [usage, selector, matching] = [rdata[0], rdata[1], rdata[2]];
  return {
    record: rdataToText(RRType.TLSA, rdata), usage, usageName: USAGE_NAMES[usage] ?? 'unassigned', selector,
    selectorName: SELECTOR_NAMES[selector] ?? 'unassigned', matching, matchingName: MATCHING_NAMES[matching] ?? 'unassigned',
    data: rdata.subarray(3).toString('hex'),
  };
}

export async function tlsaRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;

  app.post<{ Params: { zone: string }; Body: TlsaBody }>('/zones/:zone/tlsa', {
    schema: {
      summary: 'publish a TLSA record computed from a certificate, a public key or given data (default 3 1 1; ?force=true: past the write guard, admin only)', tags: ['tlsa'],
      params: zoneParams, body: tlsaBody,
      response: { 200: writeResult, 202: writeResult, ...errors(400, 403, 404, 409, 412) },
    },
  }, async (req, reply) => {
    const b = req.body;
    const apex = zoneName(req.params.zone);
    const host = ownerName(b.host, apex, 'host');
    const name = tlsaOwner(b.port, b.protocol, host);
    const p = requireScope(req, apex, name, RRType.TLSA, 'host');
    const { zone } = servedZone(deps, apex);
    const assoc = associationData(b.usage, b.selector, b.matching, b);
    // Through the codec, so the digest length is checked against the matching type like any other input.
    let rdata: Buffer;
    try {
      rdata = rdataFromText(RRType.TLSA, `${b.usage} ${b.selector} ${b.matching} ${assoc.toString('hex')}`, apex);
    } catch (err) {
      if (!(err instanceof RdataError)) throw err;
      throw new ApiError(400, E.INVALID, err.message, b.data !== undefined ? 'data' : 'matching');
    }
    // "add" keeps the records stored at the moment of the commit (decided under its lock).
    const editFor = (z: Zone) => {
      const current = z.rrset(name, RRType.TLSA);
      return { name, type: RRType.TLSA, ttl: b.ttl, rdatas: b.mode === 'add' && current ? [...current.rdatas, rdata] : [rdata] };
    };
    const warnings = lintEdits(deps, zone, [editFor(zone)]);
    const res = commit(deps, req, p, apex, (z) => [editFor(z)], `tlsa.${b.mode}`, 'host');
    const g = guardReply(deps, res);
    return reply.status(g.status).header('etag', etag(res.serial)).send({ serial: res.serial, changed: res.changes.length, rrset: rrsetToJson(deps.zones.get(apex)!.rrset(name, RRType.TLSA)!), warnings, ...g.extra });
  });

  app.get<{ Params: { zone: string } }>('/zones/:zone/tlsa', {
    schema: {
      summary: 'TLSA records per service, with RFC 7218 mnemonics', tags: ['tlsa'], params: zoneParams,
      response: { 200: { type: 'object', properties: { serial: { type: 'integer' }, services: { type: 'array', items: serviceJson } } }, ...errors(403, 404) },
    },
  }, async (req, reply) => {
    const apex = zoneName(req.params.zone);
    const p = requireScope(req, apex);
    const { zone } = servedZone(deps, apex);
    const services = [];
    for (const node of zone.nodes.values()) {
      const r = node.rrsets.get(RRType.TLSA);
      if (!r || !scopeAllows(p, apex, r.name, RRType.TLSA)) continue;
      const owner = parseTlsaOwner(r.name);
      services.push({
        name: r.name, host: owner?.host ?? r.name, port: owner?.port ?? null, protocol: owner?.protocol ?? '',
        ttl: r.ttl, records: r.rdatas.map(describeTlsa),
      });
    }
    services.sort((a, b) => a.name.localeCompare(b.name));
    const serial = serialOf(zone);
    return reply.header('etag', etag(serial)).send({ serial, services });
  });
}
