// DANE lint: warnings (not errors) for TLSA changes that are valid DNS but break clients in known ways.
import { isInZone, nameWireLength, parentName, type Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import type { Zone } from '../../zones/zone.js';
import { parseTlsaOwner } from './tlsa.js';

export interface Warning {
  code: 'wildcard_shadowed' | 'alias_host' | 'smtp_pkix' | 'smtp_full' | 'too_big';
  name: Name;
  detail: string;
}

/** The UDP payload size DNS Flag Day 2020 recommends; a larger answer makes resolvers retry over TCP. */
export const SAFE_UDP_SIZE = 1232;
const ECDSA_P256_SIG = 64;

/** One proposed RRset change: `rdatas` absent or empty deletes. */
export interface ProposedChange {
  name: Name;
  type: number;
  rdatas?: readonly Buffer[];
}

/**
 * Warnings for a list of proposed changes, judged against the zone before them; where a rule
 * depends on another RRset (an alias at the host), a change in the same list counts first.
 */
export function lintChanges(zone: Zone, changes: readonly ProposedChange[], opts: { signatures: number }): Warning[] {
  const proposed = (name: Name, type: number): boolean | undefined => {
    const c = changes.find((x) => x.name === name && x.type === type);
    return c ? !!c.rdatas?.length : undefined;
  };
  return changes.flatMap((c) => (c.type === RRType.TLSA && c.rdatas?.length ? lintTlsa(zone, c.name, c.rdatas, { ...opts, proposed }) : []));
}

/** Warnings for putting `rdatas` as the TLSA RRset at `owner`. */
export function lintTlsa(zone: Zone, owner: Name, rdatas: readonly Buffer[],
  opts: { signatures: number; proposed?: (name: Name, type: number) => boolean | undefined }): Warning[] {
  if (!rdatas.length) return [];
  const has = (name: Name, type: number) => opts.proposed?.(name, type) ?? zone.rrset(name, type) !== undefined;
  return [
    ...wildcardShadowed(zone, owner),
    ...aliasHost(zone, owner, has),
    ...smtpUsages(owner, rdatas),
    ...tooBig(zone, owner, rdatas, opts.signatures),
  ];
}

/**
 * A new owner brings its missing ancestors into existence as empty non-terminals. A wildcard
 * `*.P` no longer matches a name that exists (RFC 4592 §2.2.2), so when `host` was answered by
 * `*.example.com`, publishing `_443._tcp.host` turns `host A` into NODATA: an outage.
 */
function wildcardShadowed(zone: Zone, owner: Name): Warning[] {
  const out: Warning[] = [];
  for (let n = parentName(owner); n !== zone.apex && isInZone(n, zone.apex) && !zone.get(n); n = parentName(n)) {
    const wildcard = `*.${parentName(n)}`;
    if (zone.get(wildcard)?.rrsets.size) {
      out.push({
        code: 'wildcard_shadowed', name: n,
        detail: `${owner} makes ${n} exist (as an empty non-terminal), so the wildcard ${wildcard} stops answering for ${n}: its queries get NODATA from now on (RFC 4592 §2.2.2); add ${n}'s records explicitly`,
      });
    }
  }
  return out;
}

/** RFC 7671 §7: when the host is an alias, clients look for TLSA at the alias target first. */
function aliasHost(zone: Zone, owner: Name, has: (name: Name, type: number) => boolean): Warning[] {
  const parsed = parseTlsaOwner(owner);
  if (!parsed || !isInZone(parsed.host, zone.apex)) return [];
  const out: Warning[] = [];
  if (has(parsed.host, RRType.CNAME)) {
    out.push({ code: 'alias_host', name: parsed.host, detail: `${parsed.host} is a CNAME: clients look for TLSA at the CNAME target first and use these records only if the target has none (RFC 7671 §7)` });
  }
  for (let a = parsed.host; isInZone(a, zone.apex); a = parentName(a)) {
    if (has(a, RRType.DNAME)) {
      out.push({ code: 'alias_host', name: parsed.host, detail: `${parsed.host} is below the DNAME at ${a}: clients follow the alias and look for TLSA at its target (RFC 7671 §7)` });
    }
    if (a === zone.apex) break;
  }
  return out;
}

/** SMTP (port 25) does not use PKIX usages (RFC 7672 §3.1.3) and full-value matching bloats answers (RFC 7671 §5.1 recommends 3 1 1). */
function smtpUsages(owner: Name, rdatas: readonly Buffer[]): Warning[] {
  if (parseTlsaOwner(owner)?.port !== 25) return [];
  const out: Warning[] = [];
  if (rdatas.some((r) => r[0] === 0 || r[0] === 1)) {
    out.push({ code: 'smtp_pkix', name: owner, detail: 'PKIX-TA(0)/PKIX-EE(1) usages are not used for SMTP: MTAs treat them as unusable (RFC 7672 §3.1.3); publish DANE-EE(3) or DANE-TA(2)' });
  }
  if (rdatas.some((r) => r[2] === 0)) {
    out.push({ code: 'smtp_full', name: owner, detail: 'matching type Full(0) publishes whole certificates or keys; use SHA2-256(1) (RFC 7671 §5.1, RFC 7672 §3.1.3)' });
  }
  return out;
}

/** Size of a DO=1 answer for the TLSA RRset with its RRSIGs (ECDSA P-256), names compressed to the question. */
export function signedAnswerSize(apex: Name, owner: Name, rdatas: readonly Buffer[], signatures: number): number {
  const header = 12, question = nameWireLength(owner) + 4, opt = 11, rrFixed = 2 + 10;
  const records = rdatas.reduce((n, r) => n + rrFixed + r.length, 0);
  const rrsig = rrFixed + 18 + nameWireLength(apex) + ECDSA_P256_SIG;
  return header + question + records + signatures * rrsig + opt;
}

function tooBig(zone: Zone, owner: Name, rdatas: readonly Buffer[], signatures: number): Warning[] {
  const size = signedAnswerSize(zone.apex, owner, rdatas, signatures);
  if (size <= SAFE_UDP_SIZE) return [];
  return [{ code: 'too_big', name: owner, detail: `the signed TLSA answer would be about ${size} bytes, more than ${SAFE_UDP_SIZE}: it is truncated over UDP and resolvers must retry over TCP` }];
}
