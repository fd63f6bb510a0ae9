// Read every RR of a reply as raw, decompressed RDATA — what an independent signature check needs.
import { readWireName, nameToWire, type Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';

export interface RawRR {
  section: 'answer' | 'authority' | 'additional';
  name: Name;
  type: number;
  ttl: number;
  rdata: Buffer;
}

/** Offsets of compressible names in RDATA (RFC 3597 §4 types plus the ones our encoder may compress). */
function namesAt(type: number): number[] | 'soa' | undefined {
  switch (type) {
    case RRType.NS: case RRType.CNAME: case RRType.PTR: case RRType.DNAME: return [0];
    case RRType.MX: return [2];
    case RRType.SOA: return 'soa';
    default: return undefined;
  }
}

function decompressRdata(msg: Buffer, type: number, start: number, end: number): Buffer {
  const at = namesAt(type);
  if (!at) return Buffer.from(msg.subarray(start, end));
  if (at === 'soa') {
    const m = readWireName(msg, start);
    const r = readWireName(msg, m.next);
    return Buffer.concat([nameToWire(m.name), nameToWire(r.name), msg.subarray(r.next, end)]);
  }
  const n = readWireName(msg, start + at[0]);
  return Buffer.concat([msg.subarray(start, start + at[0]), nameToWire(n.name), msg.subarray(n.next, end)]);
}

export function rawRRs(msg: Buffer): RawRR[] {
  const counts = [msg.readUInt16BE(6), msg.readUInt16BE(8), msg.readUInt16BE(10)];
  let off = readWireName(msg, 12).next + 4;
  const out: RawRR[] = [];
  const sections = ['answer', 'authority', 'additional'] as const;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]; i++) {
      const { name, next } = readWireName(msg, off);
      const type = msg.readUInt16BE(next);
      const ttl = msg.readUInt32BE(next + 4);
      const len = msg.readUInt16BE(next + 8);
      const start = next + 10;
      out.push({ section: sections[s], name, type, ttl, rdata: decompressRdata(msg, type, start, start + len) });
      off = start + len;
    }
  }
  return out;
}
