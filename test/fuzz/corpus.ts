// The packet fuzzer's seeds: well-formed queries, UPDATEs, transfer requests and NOTIFYs, built byte by byte so
// each field the mutators lie about (counts, lengths, labels) is one the server really parses.

/** A seed message; `key` names the TSIG key it is signed with (per send, so its time is fresh). */
export interface Seed { label: string; wire: Buffer; key?: 'fuzz' | 'xfr'; tcpOnly?: boolean }

export interface RR { name: string; type: number; cls?: number; ttl?: number; rdata?: Buffer }
interface Message { id?: number; flags: number; qd: { name: string; type: number; cls?: number }[]; an?: RR[]; ns?: RR[]; ar?: RR[] }

const T = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DNAME: 39, OPT: 41, DS: 43, RRSIG: 46, NSEC: 47, DNSKEY: 48,
  NSEC3: 50, NSEC3PARAM: 51, TLSA: 52, CDS: 59, HTTPS: 65, IXFR: 251, AXFR: 252, ANY: 255, CAA: 257 } as const;
const CLASS = { IN: 1, CH: 3, NONE: 254, ANY: 255 } as const;
const OP = { QUERY: 0, NOTIFY: 4, UPDATE: 5 } as const;
const RD = 0x0100, AA = 0x0400, CD = 0x0010, AD = 0x0020;

export function nameWire(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean).map((l) => Buffer.from(l, 'latin1'));
  return Buffer.concat([...parts.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
}

function u16(n: number): Buffer { const b = Buffer.alloc(2); b.writeUInt16BE(n & 0xffff); return b; }
function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; }

function rr(r: RR): Buffer {
  const rdata = r.rdata ?? Buffer.alloc(0);
  return Buffer.concat([nameWire(r.name), u16(r.type), u16(r.cls ?? CLASS.IN), u32(r.ttl ?? 0), u16(rdata.length), rdata]);
}

export function message(m: Message): Buffer {
  const an = m.an ?? [], ns = m.ns ?? [], ar = m.ar ?? [];
  return Buffer.concat([u16(m.id ?? 0), u16(m.flags), u16(m.qd.length), u16(an.length), u16(ns.length), u16(ar.length),
    ...m.qd.map((q) => Buffer.concat([nameWire(q.name), u16(q.type), u16(q.cls ?? CLASS.IN)])), ...an.map(rr), ...ns.map(rr), ...ar.map(rr)]);
}

/** An OPT RR (RFC 6891): payload size, extended rcode/version, DO, options as [code, data]. */
export function opt(o: { size?: number; doBit?: boolean; version?: number; options?: [number, Buffer][] } = {}): RR {
  const rdata = Buffer.concat((o.options ?? []).flatMap(([code, data]) => [u16(code), u16(data.length), data]));
  const ttl = ((o.version ?? 0) << 16) | (o.doBit ? 0x8000 : 0);
  return { name: '.', type: T.OPT, cls: o.size ?? 1232, ttl, rdata };
}

const ecs = (family: number, prefix: number, addr: number[]) => Buffer.concat([u16(family), Buffer.from([prefix, 0]), Buffer.from(addr)]);
const a = (ip: string) => Buffer.from(ip.split('.').map(Number));
const txt = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')]);
const soa = (serial: number) => Buffer.concat([nameWire('ns1.example.com'), nameWire('hostmaster.example.com'), u32(serial), u32(7200), u32(3600), u32(1209600), u32(300)]);

const QNAMES = ['example.com', 'www.example.com', 'mail.example.com', '_443._tcp.www.example.com', 'x.wild.example.com', 'alias.example.com',
  'loop1.example.com', 'a.b.dn.example.com', 'deep.sub.example.com', 'child.example.com', 'nothere.example.com', 'big.example.com',
  'WwW.ExAmPlE.CoM', 'example.net', 'www.example.net', 'cat.invalid', 'zones.cat.invalid', 'example.org', '.', 'fz.example.com'];
const QTYPES = [T.A, T.AAAA, T.MX, T.TXT, T.TLSA, T.SOA, T.NS, T.DNSKEY, T.DS, T.NSEC3PARAM, T.RRSIG, T.ANY, T.CNAME, T.SRV, T.NSEC3,
  T.NSEC, T.HTTPS, T.CAA, T.CDS, 0, 65535, 99];

/** Every seed: the fuzzer mutates these (and splices them into each other). */
export function seeds(): Seed[] {
  const out: Seed[] = [];
  const edns: (RR | undefined)[] = [
    undefined, opt(), opt({ doBit: true }), opt({ size: 512, doBit: true }), opt({ size: 65535 }), opt({ size: 0 }), opt({ version: 1 }),
    opt({ doBit: true, options: [[8, ecs(1, 24, [192, 0, 2])]] }), opt({ options: [[8, ecs(2, 56, [0x20, 1, 0xd, 0xb8, 0, 0, 0])]] }),
    opt({ options: [[10, Buffer.from('0123456789abcdef', 'hex')]] }), opt({ options: [[10, Buffer.alloc(24, 7)]] }),
    opt({ options: [[3, Buffer.alloc(0)], [11, Buffer.alloc(0)], [12, Buffer.alloc(40)]] }), opt({ options: [[65001, Buffer.from('fuzz')]] }),
  ];
  let i = 0;
  for (const qname of QNAMES) {
    for (const qtype of QTYPES) {
      const e = edns[i++ % edns.length];
      out.push({ label: `query ${qname}/${qtype}`, wire: message({ flags: [RD, 0, CD, AD | RD][i % 4], qd: [{ name: qname, type: qtype }], ar: e ? [e] : [] }) });
    }
  }
  out.push({ label: 'chaos version.bind', wire: message({ flags: 0, qd: [{ name: 'version.bind', type: T.TXT, cls: CLASS.CH }] }) });
  out.push({ label: 'class ANY', wire: message({ flags: 0, qd: [{ name: 'www.example.com', type: T.A, cls: CLASS.ANY }], ar: [opt()] }) });
  out.push({ label: 'two OPT', wire: message({ flags: 0, qd: [{ name: 'www.example.com', type: T.A }], ar: [opt(), opt({ doBit: true })] }) });
  out.push({ label: 'two questions', wire: message({ flags: 0, qd: [{ name: 'www.example.com', type: T.A }, { name: 'mail.example.com', type: T.A }] }) });
  out.push({ label: 'no question', wire: message({ flags: 0, qd: [], ar: [opt()] }) });

  const zone = [{ name: 'example.com', type: T.SOA }];
  const upd = (label: string, an: RR[], ns: RR[], key?: 'fuzz' | 'xfr') => out.push({ label: `update ${label}`, key, wire: message({ flags: OP.UPDATE << 11, qd: zone, an, ns }) });
  for (const key of ['fuzz', 'xfr', undefined] as const) {
    upd('add A', [], [{ name: 'fz.example.com', type: T.A, ttl: 300, rdata: a('192.0.2.77') }], key);
    upd('add TXT', [], [{ name: 'fz.example.com', type: T.TXT, ttl: 300, rdata: Buffer.concat([txt('fuzz'), txt('more')]) }], key);
    upd('prereq nxdomain + add', [{ name: 'fz.example.com', type: T.ANY, cls: CLASS.NONE }], [{ name: 'fz.example.com', type: T.AAAA, ttl: 60, rdata: Buffer.alloc(16, 1) }], key);
    upd('prereq yxrrset value', [{ name: 'fz.example.com', type: T.A, rdata: a('192.0.2.77') }], [{ name: 'fz.example.com', type: T.TXT, cls: CLASS.NONE, rdata: txt('fuzz') }], key);
    upd('delete rrset', [{ name: 'fz.example.com', type: T.ANY, cls: CLASS.ANY }], [{ name: 'fz.example.com', type: T.TXT, cls: CLASS.ANY }], key);
    upd('delete name', [], [{ name: 'fz.example.com', type: T.ANY, cls: CLASS.ANY }], key);
    upd('add SOA', [], [{ name: 'example.com', type: T.SOA, ttl: 300, rdata: soa(1) }], key);
    upd('add TLSA', [], [{ name: '_443._tcp.fz.example.com', type: T.TLSA, ttl: 300, rdata: Buffer.concat([Buffer.from([3, 1, 1]), Buffer.alloc(32, 9)]) }], key);
  }
  for (const key of ['xfr', undefined] as const) {
    out.push({ label: 'axfr', key, tcpOnly: true, wire: message({ flags: 0, qd: [{ name: 'example.com', type: T.AXFR }] }) });
    out.push({ label: 'axfr catalog', key, tcpOnly: true, wire: message({ flags: 0, qd: [{ name: 'cat.invalid', type: T.AXFR }] }) });
    for (const serial of [1, 2024010101, 4294967295]) {
      out.push({ label: `ixfr from ${serial}`, key, wire: message({ flags: 0, qd: [{ name: 'example.com', type: T.IXFR }], ns: [{ name: 'example.com', type: T.SOA, rdata: soa(serial) }] }) });
    }
    out.push({ label: 'notify', key, wire: message({ flags: (OP.NOTIFY << 11) | AA, qd: [{ name: 'example.com', type: T.SOA }], an: [{ name: 'example.com', type: T.SOA, ttl: 300, rdata: soa(7) }] }) });
  }
  return out;
}
