// The zone-file fuzzer: mutated master files into the parser (zones/io). Each parse must return records or throw
// ZoneParseError — never another exception, never take long — and what it returns must survive a write and re-parse.
import { parseZoneText, ZoneParseError } from '../../zones/io/zonefile-parse.js';
import { writeZoneText } from '../../zones/io/zonefile-write.js';
import type { Rec } from '../../zones/model/types.js';
import type { Rng } from './rng.js';

const PIECES = ['(', ')', '"', '\\', '\\0', '\\255', '\\999', ';', '$TTL', '$ORIGIN', '$INCLUDE', '$GENERATE', '\n', ' ', '\t', '@', '.', '..', '*',
  '4294967296', '2147483648', '-1', '65536', '0x10', '1w2d', 'IN', 'CH', 'TYPE65534', '\\# 3 abcdef', '\\# 65536', 'TLSA', 'SOA', 'RRSIG', 'NSEC3',
  'é', '\u0000', '\uffff', '\ud800', 'a'.repeat(64), 'b'.repeat(300), '\r', '\r\n', 'ns1', '"unterminated', '((', '))'];

export function mutateZoneText(text: string, rng: Rng, donors: readonly string[]): string {
  let t = text;
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const at = rng.int(t.length + 1);
    switch (rng.int(7)) {
      case 0: t = t.slice(0, at) + rng.pick(PIECES) + t.slice(at); break;
      case 1: t = t.slice(0, at) + t.slice(at + 1 + rng.int(20)); break;
      case 2: t = t.slice(0, at); break;
      case 3: { const lines = t.split('\n'); const i = rng.int(lines.length); lines.splice(rng.int(lines.length), 0, ...Array.from({ length: 1 + rng.int(3) }, () => lines[i])); t = lines.join('\n'); break; }
      case 4: { const d = rng.pick(donors).split('\n'); t = t.slice(0, at) + '\n' + d[rng.int(d.length)] + '\n' + t.slice(at); break; }
      case 5: t = t.replace(/\d+/g, (m) => (rng.chance(0.1) ? rng.pick(['0', '4294967295', '4294967296', '99999999999999999999', m + m]) : m)); break;
      default: t = t.slice(0, at) + String.fromCharCode(rng.int(0x80) + (rng.chance(0.1) ? 0x80 : 0)) + t.slice(at);
    }
  }
  return t;
}

export interface ZoneFuzzResult { parsed: number; refused: number; failures: string[]; slowestMs: number }

/** `n` mutated files through the parser; `origin` is the fixtures' zone. */
export function fuzzZoneFiles(files: readonly string[], origin: string, n: number, rng: Rng): ZoneFuzzResult {
  const r: ZoneFuzzResult = { parsed: 0, refused: 0, failures: [], slowestMs: 0 };
  for (let i = 0; i < n && r.failures.length < 20; i++) {
    const text = mutateZoneText(rng.pick(files), rng, files);
    const t0 = performance.now();
    let recs: Rec[] | undefined;
    try {
      recs = parseZoneText(text, { origin, fileName: 'fuzz.zone' });
      r.parsed++;
    } catch (e) {
      if (e instanceof ZoneParseError) r.refused++;
      else r.failures.push(`${(e as Error).stack}\n--- input ---\n${text.slice(0, 3000)}`);
    }
    r.slowestMs = Math.max(r.slowestMs, performance.now() - t0);
    if (!recs) continue;
    try {
      const again = parseZoneText(writeZoneText(origin, recs), { origin, fileName: 'written.zone' });
      const key = (x: Rec) => `${x.name} ${x.type} ${x.ttl} ${Buffer.from(x.rdata).toString('hex')}`;
      const a = recs.map(key).sort(), b = again.map(key).sort();
      if (a.join('\n') !== b.join('\n')) r.failures.push(`written and re-read, the records differ:\n${a.filter((x) => !b.includes(x)).slice(0, 5).join('\n')}\n--- input ---\n${text.slice(0, 3000)}`);
    } catch (e) {
      r.failures.push(`what the parser accepted does not re-parse once written: ${(e as Error).message}\n--- input ---\n${text.slice(0, 3000)}`);
    }
  }
  return r;
}
