// Numeric presentation forms: unsigned integers, BIND-style TTLs with units (RFC 2308 §4 usage),
// and RRSIG timestamps (RFC 4034 §3.2).
import { RdataError } from './errors.js';

export function parseUint(s: string, bits: 8 | 16 | 32, label: string): number {
  if (!/^[0-9]+$/.test(s)) throw new RdataError(`${label}: '${s}' is not an unsigned integer`);
  const max = 2 ** bits - 1;
  const v = Number(s);
  if (v > max) throw new RdataError(`${label}: ${s} is out of range 0-${max}`);
  return v;
}

const UNIT: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/** `3600`, `1h`, `1w2d3h4m5s` (case-insensitive) → seconds; undefined when not TTL syntax. */
export function ttlFromText(s: string): number | undefined {
  if (/^[0-9]+$/.test(s)) {
    const v = Number(s);
    return v <= 0xffffffff ? v : undefined;
  }
  if (!/^([0-9]+[wdhms])+$/i.test(s)) return undefined;
  let total = 0;
  for (const m of s.toLowerCase().matchAll(/([0-9]+)([wdhms])/g)) total += Number(m[1]) * UNIT[m[2]];
  return total <= 0xffffffff ? total : undefined;
}

export function parseTtl(s: string, label: string): number {
  const v = ttlFromText(s);
  if (v === undefined) throw new RdataError(`${label}: '${s}' is not a valid TTL/duration (0-4294967295, units w d h m s)`);
  return v;
}

/** RRSIG time: YYYYMMDDHHmmSS (UTC) or a decimal number of seconds, stored modulo 2^32. */
export function parseTime(s: string, label: string): number {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/.exec(s);
  if (!m) return parseUint(s, 32, label);
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    throw new RdataError(`${label}: '${s}' is not a valid YYYYMMDDHHmmSS time`);
  }
  return ((ms / 1000) % 2 ** 32 + 2 ** 32) % 2 ** 32;
}

export function timeToText(v: number): string {
  const d = new Date(v * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return p(d.getUTCFullYear(), 4) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes()) + p(d.getUTCSeconds());
}
