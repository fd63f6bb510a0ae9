// The query mixes as dnsperf datafiles ("name TYPE" per line): fixed name lists, and unique random labels made up front.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZONE } from './servers.js';

export interface Mix {
  key: string;
  title: string;
  /** True when every line is a fresh name: dnsperf then reads the file once (-n 1) so no name repeats in a run. */
  unique: boolean;
  /** The datafile's lines; `count` is a lower bound for unique mixes (one per query the run may send). */
  lines(count: number, names: number): string[];
}

// Random labels from 64 bits: no collision between runs or with real names (which never look like this).
const label = (): string => randomBytes(8).toString('hex');

const positive = (names: number): string[] => {
  const l = [
    `www.${ZONE} A`, `www.${ZONE} AAAA`, `mail.${ZONE} A`, `mail.${ZONE} AAAA`, `${ZONE} A`,
    `_443._tcp.www.${ZONE} TLSA`, `_25._tcp.mail.${ZONE} TLSA`, `_5222._tcp.xmpp.${ZONE} TLSA`,
  ];
  // Spread over the generated names too, so the figure is not only the handful of reference RRsets.
  for (let i = 0; i < 1000; i++) {
    const h = Math.floor((i * names) / 1000);
    l.push(`h${h}.${ZONE} A`);
    if (h % 10 === 0) l.push(`_443._tcp.h${h}.${ZONE} TLSA`);
  }
  return l;
};
const nxdomain = (): string => `${label()}.${ZONE} A`;
let wildTurn = 0;
// Both wildcard shapes: a host wildcard (*.wild A) and a TLSA wildcard under _tcp (*._tcp.host TLSA).
const wildcard = (): string => ((wildTurn++ & 1) === 0 ? `${label()}.wild.${ZONE} A` : `${label()}._tcp.host.${ZONE} TLSA`);
// CNAME→CNAME→TLSA and DNAME→TLSA: every answer in this mix ends at a signed TLSA RRset.
const CHAINS = [`alias.${ZONE} TLSA`, `_443._tcp.svc.dn.${ZONE} TLSA`];

export const MIXES: Mix[] = [
  { key: 'a', title: '(a) positive A/AAAA/TLSA', unique: false, lines: (_c, n) => positive(n) },
  { key: 'b', title: '(b) NXDOMAIN, unique random labels', unique: true, lines: (c) => Array.from({ length: c }, nxdomain) },
  { key: 'c', title: '(c) wildcard, unique random labels', unique: true, lines: (c) => Array.from({ length: c }, wildcard) },
  { key: 'd', title: '(d) CNAME and DNAME chains to TLSA', unique: false, lines: () => CHAINS },
  {
    key: 'e', title: '(e) mixed: a, b, c, d interleaved', unique: true,
    lines: (c, n) => {
      const pos = positive(n);
      return Array.from({ length: c }, (_, i) => {
        switch (i & 3) {
          case 0: return pos[(i >> 2) % pos.length];
          case 1: return nxdomain();
          case 2: return wildcard();
          default: return CHAINS[(i >> 2) & 1];
        }
      });
    },
  },
];

/** Writes the mix's datafile for one run; unique mixes get fresh labels each call (so no server sees a name twice). */
export function writeDatafile(dir: string, mix: Mix, count: number, names: number, run: number): string {
  const file = join(dir, `mix-${mix.key}-${run}.txt`);
  writeFileSync(file, mix.lines(count, names).join('\n') + '\n');
  return file;
}
