// Turning a request for a service (CLI or API) into what is stored, with every rule checked first: bad input stores nothing.
import { Resolver } from 'node:dns/promises';
import type { Store } from '../../zones/store/sqlite.js';
import type { NewService } from '../../zones/store/checks-sqlite.js';
import { isInZone, parseName, type Name } from '../../zones/model/name.js';
import { parseTlsaOwner } from '../dane/association.js';
import { hostingZone, ownSrv, tlsaRecordsAt } from './zone-data.js';
import { formatEndpoint, parseEndpoint } from './endpoints.js';
import { STARTTLS_KINDS, type StartTlsKind } from './types.js';

/** A request that cannot be stored; `field` names the input at fault. `notFound`: the service or zone does not exist. */
export class ServiceError extends Error {
  constructor(message: string, readonly field: string, readonly notFound = false) { super(message); }
}

export interface ServiceRequest {
  /** The TLSA owner, absolute. */
  name: Name;
  starttls?: string;
  connect?: string[];
  sni?: string;
  /** The service domain (XMPP stream header); default the TLSA base domain. */
  domain?: string;
}

export interface ServiceRules {
  /** Only an admin may give addresses to probe (a scoped token must not aim probes at internal hosts). */
  mayConnect: boolean;
  /** The zone the request was made under (API): the TLSA owner must lie in it. */
  zone?: Name;
}

/** STARTTLS by well-known port, when none is given. */
const PORT_DEFAULT: Record<number, StartTlsKind> = { 25: 'smtp', 587: 'smtp', 143: 'imap', 110: 'pop3', 5222: 'xmpp-client', 5269: 'xmpp-server' };

export function hostName(text: string, field: string): Name {
  try {
    return parseName(text.endsWith('.') ? text : text + '.');
  } catch (err) {
    throw new ServiceError(`bad name ${JSON.stringify(text)}: ${(err as Error).message}`, field);
  }
}

/** Check a request against the zones and rules; the row to store. */
export function planService(store: Store, req: ServiceRequest, rules: ServiceRules, now: number): NewService {
  const owner = parseTlsaOwner(req.name);
  if (!owner || owner.port === undefined || owner.protocol !== 'tcp') {
    throw new ServiceError(`${req.name} is not a TLSA owner _PORT._tcp.HOST (RFC 6698 §3)`, 'name');
  }
  if (rules.zone && !isInZone(req.name, rules.zone)) throw new ServiceError(`${req.name} is not in zone ${rules.zone}`, 'name');
  const zone = hostingZone(store, req.name);
  if (!zone) throw new ServiceError(`${req.name} is not in a zone served here`, 'name');
  if (!tlsaRecordsAt(store, req.name).length) throw new ServiceError(`${req.name} has no TLSA records in zone ${zone.name}`, 'name');
  const starttls = req.starttls ?? PORT_DEFAULT[owner.port] ?? 'none';
  if (!(STARTTLS_KINDS as readonly string[]).includes(starttls)) {
    throw new ServiceError(`unknown STARTTLS kind ${JSON.stringify(starttls)}: expected one of ${STARTTLS_KINDS.join(', ')}`, 'starttls');
  }
  const connect = (req.connect ?? []).map((text, i) => {
    const e = parseEndpoint(text);
    if (!e) throw new ServiceError(`bad address ${JSON.stringify(text)}: expected ADDR:PORT with an IP address ([ADDR]:PORT for IPv6)`, req.connect!.length > 1 ? `connect[${i}]` : 'connect');
    return formatEndpoint(e);
  });
  if (connect.length && !rules.mayConnect) {
    throw new ServiceError('a scoped token cannot give addresses to probe: the service reaches the addresses its zone publishes for the host', 'connect');
  }
  if (!rules.mayConnect && !hostingZone(store, owner.host)) {
    throw new ServiceError(`${owner.host} is not in a zone served here: a scoped token's service reaches only addresses our zones publish`, 'name');
  }
  const sni = req.sni === undefined ? null : hostName(req.sni, 'sni');
  const domain = req.domain === undefined ? null : hostName(req.domain, 'domain');
  return {
    zone_id: zone.id, name: req.name, starttls, connect: JSON.stringify(connect), sni, domain,
    own_addresses_only: rules.mayConnect ? 0 : 1, created_at: now,
  };
}

/** STARTTLS by SRV service label (RFC 6186, RFC 6120 §3.2.1; the "s" forms are direct TLS: RFC 8314, XEP-0368). */
const SRV_STARTTLS: Record<string, StartTlsKind> = {
  '_xmpp-client': 'xmpp-client', '_xmpp-server': 'xmpp-server', '_xmpps-client': 'none', '_xmpps-server': 'none',
  '_submission': 'smtp', '_submissions': 'none', '_imap': 'imap', '_imaps': 'none', '_pop3': 'pop3', '_pop3s': 'none',
};

export interface SrvService { request: ServiceRequest; target: Name; port: number }

/**
 * One service per SRV target (RFC 7673 §3: TLSA at `_PORT._tcp.TARGET`; the SRV owner's domain
 * is the service domain, used in the XMPP stream header, RFC 7712 §3; SNI is the target, RFC 7673 §4).
 */
export async function srvServices(store: Store, srvName: Name, starttls?: string): Promise<SrvService[]> {
  const ls = srvName.split('.');
  if (ls.length < 4 || !ls[0].startsWith('_') || ls[1] !== '_tcp') throw new ServiceError(`${srvName} is not an SRV owner _SERVICE._tcp.DOMAIN`, 'srv');
  const domain = ls.slice(2).join('.');
  let targets = ownSrv(store, srvName);
  if (targets === undefined) {
    const r = new Resolver({ timeout: 5000, tries: 1 });
    targets = (await r.resolveSrv(srvName.replace(/\.$/, '')).catch(() => [])).map((s) => ({ ...s, target: hostName(s.name, 'srv') }));
  }
  // RFC 2782: a target of "." means the service is decidedly not available.
  targets = targets.filter((t) => t.target !== '.');
  if (!targets.length) throw new ServiceError(`${srvName} has no SRV records`, 'srv');
  const kind = starttls ?? SRV_STARTTLS[ls[0]];
  const seen = new Set<string>();
  const out: SrvService[] = [];
  for (const t of targets.sort((a, b) => a.priority - b.priority || b.weight - a.weight)) {
    const name = `_${t.port}._tcp.${t.target === '.' ? '' : t.target}` as Name;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ request: { name, starttls: kind, domain }, target: t.target, port: t.port });
  }
  return out;
}
