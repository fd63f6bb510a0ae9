// Zone routes: list, create, get (with RRset filters), settings (PUT), delete, and NOTIFY on request.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Name } from '../../../zones/model/name.js';
import { RRType, type Rec } from '../../../zones/model/types.js';
import { rdataFromText, rdataToText } from '../../../zones/model/rdata/index.js';
import type { RRset } from '../../../zones/model/rrset.js';
import { parseSettings, type ZoneSettings } from '../../../zones/settings.js';
import type { Zone } from '../../../zones/zone.js';
import { initialKeys } from '../../../signer/keystore-sqlite.js';
import { commitChange, now } from '../../admin/edit.js';
import { scopeAllows } from '../../admin/tokens.js';
import type { PdnsApiDeps } from '../deps.js';
import { principalOf, requireAdmin, requireVisible } from '../auth.js';
import { PdnsError } from '../errors.js';
import { absoluteName, recordType, zoneIdToName } from '../names.js';
import { bodyObject, checkRRset, object, optionalBoolean, optionalString, optionalTtl, recordsOf, rrsetKey, type Json } from '../input.js';
import { zoneDetail, zoneSummary, nsec3paramText } from '../zone-json.js';
import { checkServer } from './servers.js';

type ZoneParams = { server: string; zone: string };

const ZONES = '/api/v1/servers/:server/zones';
const ZONE = `${ZONES}/:zone`;

/** TTL for records a create request makes without one (NS from `nameservers`, the SOA), as PowerDNS's default-ttl. */
const DEFAULT_TTL = 3600;

/** Zone kinds that would make this server a secondary: it is a primary only. */
const SECONDARY_KINDS = new Set(['slave', 'secondary', 'consumer']);

export async function zoneRoutes(app: FastifyInstance, opts: { deps: PdnsApiDeps }): Promise<void> {
  const { deps } = opts;

  /** The zone a request names, if this token may see it and it is served; else 404. */
  const zoneFor = (req: FastifyRequest<{ Params: ZoneParams }>): Zone => {
    checkServer(req.params.server);
    const apex = zoneIdToName(req.params.zone);
    requireVisible(req, apex);
    const zone = deps.zones.get(apex);
    if (!zone || !deps.store.zone(apex)) throw new PdnsError(404, `Could not find domain '${apex}'`);
    return zone;
  };

  app.get<{ Params: { server: string }; Querystring: { zone?: string; dnssec?: string } }>(ZONES, async (req) => {
    checkServer(req.params.server);
    const p = principalOf(req);
    const only = req.query.zone !== undefined ? absoluteName(req.query.zone, 'zone') : undefined;
    return deps.zones.apexes().filter((a) => (p.admin || a === p.zone) && (only === undefined || a === only)).sort()
      .map((a) => zoneSummary(deps, deps.zones.get(a)!, req.query.dnssec !== 'false'));
  });

  app.post<{ Params: { server: string } }>(ZONES, async (req, reply) => {
    checkServer(req.params.server);
    const p = requireAdmin(req, 'creating a zone');
    const t = now(deps);
    const { apex, records, settings } = zoneInput(bodyObject(req.body, 'the zone to create, e.g. {"name": "example.com.", "nameservers": ["ns1.example.com."]}'), t);
    // Served by this process when the pipeline returns, with its keys made and signing started.
    commitChange(deps, p, { kind: 'import', apex, records, settings, makeKeys: () => initialKeys(t, false) });
    const zone = deps.zones.get(apex)!;
    return reply.status(201).send(zoneDetail(deps, zone, zone.allRRsets()));
  });

  app.get<{ Params: ZoneParams; Querystring: { rrsets?: string; rrset_name?: string; rrset_type?: string } }>(ZONE, async (req) => {
    const zone = zoneFor(req);
    const p = principalOf(req);
    const q = req.query;
    if (q.rrsets === 'false') return zoneDetail(deps, zone, false);
    // As in PowerDNS, rrset_type filters only together with rrset_name.
    let rrsets: Iterable<RRset> = zone.allRRsets();
    if (q.rrset_name !== undefined) {
      const name = absoluteName(q.rrset_name, 'rrset_name');
      const type = q.rrset_type !== undefined ? recordType(q.rrset_type, 'rrset_type') : undefined;
      rrsets = [...(zone.get(name)?.rrsets.values() ?? [])].filter((r) => type === undefined || r.type === type);
    }
    return zoneDetail(deps, zone, [...rrsets].filter((r) => scopeAllows(p, zone.apex, r.name, r.type)));
  });

  app.put<{ Params: ZoneParams }>(ZONE, async (req, reply) => {
    const zone = zoneFor(req);
    requireAdmin(req, 'changing zone settings');
    checkSettingsUnchanged(deps, zone.apex, bodyObject(req.body, 'the zone settings to change'));
    return reply.status(204).send();
  });

  app.delete<{ Params: ZoneParams }>(ZONE, async (req, reply) => {
    const zone = zoneFor(req);
    const p = requireAdmin(req, 'deleting a zone');
    commitChange(deps, p, { kind: 'delete', apex: zone.apex });
    return reply.status(204).send();
  });

  // Scoped tokens may ask too: lego sends it after every change, and fails when it is refused.
  app.put<{ Params: ZoneParams }>(`${ZONE}/notify`, async (req) => {
    const zone = zoneFor(req);
    deps.notify?.(zone.apex);
    return { result: 'Notification queued' };
  });
}

/**
 * A create request → the zone's records and settings. RRsets are as in PATCH (changetype and
 * comments ignored); `nameservers` makes the apex NS RRset; a missing SOA is made as
 * PowerDNS makes one, with the first name server as MNAME and the current time as serial (so
 * a zone deleted and made again still moves its serial forward for the secondaries).
 */
function zoneInput(b: Json, t: number): { apex: Name; records: Rec[]; settings: Partial<ZoneSettings> } {
  const apex = absoluteName(b.name, 'name');
  const kind = optionalString(b.kind, 'kind');
  if (kind !== undefined && SECONDARY_KINDS.has(kind.toLowerCase())) throw new PdnsError(422, `kind: ${kind} zones are not supported: this server is a primary only`);
  const signed = optionalBoolean(b.dnssec, 'dnssec') ?? true;
  const settings: Partial<ZoneSettings> = { signed };
  const nsec3param = optionalString(b.nsec3param, 'nsec3param');
  if (signed && nsec3param) settings.nsec3 = parseNsec3param(nsec3param);

  const records: Rec[] = [];
  const seen = new Set<string>();
  const rrsets = b.rrsets ?? [];
  if (!Array.isArray(rrsets)) throw new PdnsError(422, 'rrsets: must be a list of RRsets');
  rrsets.forEach((v, i) => {
    const f = `rrsets[${i}]`;
    const s = object(v, f);
    const { name, type } = rrsetKey(s, apex, f);
    checkRRset(name, type, apex, signed, seen, f);
    const ttl = optionalTtl(s.ttl, `${f}.ttl`) ?? DEFAULT_TTL;
    for (const rdata of recordsOf(s.records, type, `${f}.records`)) records.push({ name, type, ttl, rdata });
  });

  const nameservers = b.nameservers ?? [];
  if (!Array.isArray(nameservers)) throw new PdnsError(422, 'nameservers: must be a list of names');
  const hasNs = records.some((r) => r.name === apex && r.type === RRType.NS);
  if (nameservers.length && hasNs) throw new PdnsError(422, 'nameservers: give the apex NS records either here or as an NS RRset in rrsets, not both');
  nameservers.forEach((n, i) => {
    const ns = absoluteName(n, `nameservers[${i}]`);
    records.push({ name: apex, type: RRType.NS, ttl: DEFAULT_TTL, rdata: rdataFromText(RRType.NS, ns, '.') });
  });
  const ns = records.find((r) => r.name === apex && r.type === RRType.NS);
  if (!ns) throw new PdnsError(422, 'nameservers: a zone needs NS records at its apex: give nameservers, or an NS RRset in rrsets');
  if (!records.some((r) => r.name === apex && r.type === RRType.SOA)) {
    const soa = `${rdataToText(RRType.NS, ns.rdata)} hostmaster.${apex === '.' ? '' : apex} ${t >>> 0} 10800 3600 604800 3600`;
    records.push({ name: apex, type: RRType.SOA, ttl: DEFAULT_TTL, rdata: rdataFromText(RRType.SOA, soa, '.') });
  }
  return { apex, records, settings };
}

/** "1 FLAGS ITERATIONS SALT" → NSEC3 settings (hash algorithm 1, SHA-1, is the only one; flag 1 is opt-out). */
function parseNsec3param(text: string): ZoneSettings['nsec3'] {
  const m = /^\s*1\s+([01])\s+([0-9]{1,5})\s+(-|[0-9a-fA-F]+)\s*$/.exec(text);
  if (!m) throw new PdnsError(422, `nsec3param: ${JSON.stringify(text)} must be "1 FLAGS ITERATIONS SALT", e.g. "1 0 0 -"`);
  try {
    return parseSettings({ nsec3: { optOut: m[1] === '1', iterations: Number(m[2]), salt: m[3] === '-' ? '' : m[3] } }).nsec3;
  } catch (err) {
    throw new PdnsError(422, `nsec3param: ${(err as Error).message}`);
  }
}

/**
 * PUT takes the settings PowerDNS keeps per zone. This server keeps none of them but DNSSEC:
 * account, SOA-EDIT, masters, catalog, rrsets (which PowerDNS 4.7 ignores in PUT too) and the
 * like are accepted and ignored; a request to turn DNSSEC on or off or to change NSEC3, or to
 * make the zone a secondary, is refused rather than ignored.
 */
function checkSettingsUnchanged(deps: PdnsApiDeps, apex: Name, b: Json): void {
  const kind = optionalString(b.kind, 'kind');
  if (kind !== undefined && SECONDARY_KINDS.has(kind.toLowerCase())) throw new PdnsError(422, `kind: ${kind} zones are not supported: this server is a primary only`);
  const settings = parseSettings(deps.store.zone(apex)!.settings);
  const dnssec = optionalBoolean(b.dnssec, 'dnssec');
  if (dnssec !== undefined && dnssec !== settings.signed) {
    throw new PdnsError(422, `dnssec: signing is turned ${dnssec ? 'on' : 'off'} by importing the zone again (daneprime zone import --replace${dnssec ? '' : ' --unsigned'}), not through this API`);
  }
  const nsec3param = optionalString(b.nsec3param, 'nsec3param');
  if (nsec3param && settings.signed && nsec3param.trim().toLowerCase() !== nsec3paramText(settings.nsec3)) {
    throw new PdnsError(422, `nsec3param: NSEC3 parameters are set at import (daneprime zone import --replace --nsec3-*), not through this API`);
  }
}
