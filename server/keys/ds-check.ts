// Whether the parent serves a DS for a new KSK/CSK (RFC 7344 §4.1: the child watches the parent before it retires the old key), asked at the parent's own servers or at a configured resolver.
import { isIP } from 'node:net';
import { Resolver } from 'node:dns/promises';
import type { Name } from '../../zones/model/name.js';
import { parentName, readWireName } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { queryOnce } from '../xfr/monitor.js';
import { parseListenAddress } from '../net/address.js';

export interface DsAnswer {
  /** DS RDATA served at the child's name (empty: none). */
  rdatas: Buffer[];
  /** Their TTL (the smallest seen), undefined without any. */
  ttl: number | undefined;
}

export interface Server { address: string; port: number }

const RD = 0x0100;
const TC = 0x02;

/** "ADDR:PORT" or "[IPv6]:PORT", as every address option takes it; throws on anything else. */
export function parseServer(text: string): Server {
  const a = parseListenAddress(text, 'resolver address');
  if (!isIP(a.host) || a.port === 0) throw new Error(`bad resolver address ${JSON.stringify(text)}: expected an IP address and a port, ADDR:PORT or [IPv6]:PORT`);
  return { address: a.host, port: a.port };
}

/**
 * The DS RRset at `child` as one server answers it (RD set: for a resolver), over UDP and
 * again over TCP when truncated. Undefined without a usable answer.
 */
export async function queryDs(child: Name, server: Server, recursive: boolean, timeoutMs = 1500): Promise<DsAnswer | undefined> {
  const flags = recursive ? RD : 0;
  let reply = await queryOnce(child, RRType.DS, flags, server, 'udp', timeoutMs);
  if (reply && (reply[2] & TC)) reply = await queryOnce(child, RRType.DS, flags, server, 'tcp', timeoutMs);
  return reply && dsInReply(reply, child);
}

/** The DS records of `owner` in a reply's answer section; undefined for an error reply or a malformed one. */
export function dsInReply(msg: Buffer, owner: Name): DsAnswer | undefined {
  try {
    const rcode = msg[3] & 0x0f;
    if (rcode !== 0 && rcode !== 3) return undefined;
    const qd = msg.readUInt16BE(4), an = msg.readUInt16BE(6);
    let off = 12;
    for (let i = 0; i < qd; i++) off = readWireName(msg, off).next + 4;
    const out: DsAnswer = { rdatas: [], ttl: undefined };
    for (let i = 0; i < an; i++) {
      const n = readWireName(msg, off);
      off = n.next;
      const type = msg.readUInt16BE(off), ttl = msg.readUInt32BE(off + 4), rdlen = msg.readUInt16BE(off + 8);
      if (off + 10 + rdlen > msg.length) return undefined;
      if (type === RRType.DS && n.name === owner) {
        out.rdatas.push(Buffer.from(msg.subarray(off + 10, off + 10 + rdlen)));
        out.ttl = Math.min(out.ttl ?? ttl, ttl);
      }
      off += 10 + rdlen;
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * The parent zone's authoritative servers' addresses, from the system resolver: the NS of
 * the closest enclosing name that has any, each name's IPv4 and IPv6 addresses.
 */
export async function parentServers(child: Name): Promise<Server[]> {
  const r = new Resolver({ timeout: 2000, tries: 2 });
  for (let zone = parentName(child); ; zone = parentName(zone)) {
    let ns: string[] = [];
    try { ns = await r.resolveNs(zone === '.' ? '.' : zone.replace(/\.$/, '')); } catch { /* no NS here: go up */ }
    if (ns.length) {
      const addrs = await Promise.all(ns.map(async (h) => [
        ...(await r.resolve4(h).catch(() => [] as string[])), ...(await r.resolve6(h).catch(() => [] as string[])),
      ]));
      return [...new Set(addrs.flat())].map((address) => ({ address, port: 53 }));
    }
    if (zone === '.') return [];
  }
}

/**
 * Whether every server asked serves a DS set that contains every one of `wanted` (and the
 * DS TTL they serve). The resolver, when configured, is the one server (asked with RD);
 * otherwise each of the parent's servers. A server that does not answer counts as not serving.
 */
export async function dsServed(child: Name, wanted: readonly Buffer[], resolver: string | null): Promise<{ served: boolean; ttl: number | undefined }> {
  const servers = resolver ? [parseServer(resolver)] : await parentServers(child);
  if (!servers.length) return { served: false, ttl: undefined };
  const answers = await Promise.all(servers.map((s) => queryDs(child, s, resolver !== null)));
  let ttl: number | undefined;
  for (const a of answers) {
    if (!a || !wanted.every((w) => a.rdatas.some((d) => d.equals(w)))) return { served: false, ttl: undefined };
    ttl = Math.max(ttl ?? 0, a.ttl ?? 0);
  }
  return { served: true, ttl };
}
