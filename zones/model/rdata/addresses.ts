// IPv4 and IPv6 address text <-> bytes. IPv6 output follows RFC 5952 §4 (lowercase, longest zero run compressed).
import { RdataError } from './errors.js';

export function parseIpv4(s: string, label: string): Buffer {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) {
    throw new RdataError(`${label}: '${s}' is not an IPv4 address`);
  }
  return Buffer.from(parts.map(Number));
}

export function ipv4ToText(b: Uint8Array): string {
  return Array.from(b).join('.');
}

export function parseIpv6(s: string, label: string): Buffer {
  const bad = (): never => { throw new RdataError(`${label}: '${s}' is not an IPv6 address`); };
  let text = s;
  const tail: number[] = [];
  // RFC 4291 §2.2 form 3: trailing embedded IPv4.
  const v4 = /^(.*:)([0-9.]+)$/.exec(text);
  if (v4 && v4[2].includes('.')) {
    let b: Buffer;
    try { b = parseIpv4(v4[2], label); } catch { return bad(); }
    tail.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
    text = v4[1].endsWith('::') ? v4[1] : v4[1].slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) bad();
  const group = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : bad())));
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  const given = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (given > 7) bad();
    groups = [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
  } else {
    if (given !== 8) bad();
    groups = [...head, ...tail];
  }
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

export function ipv6ToText(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  // Longest run of ≥2 zero groups, first one on ties (RFC 5952 §4.2.3).
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return hex(g.slice(0, best)) + '::' + hex(g.slice(best + bestLen));
}
