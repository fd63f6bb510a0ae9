// Turns per-run dnsperf results into medians, noise figures, ratios and the RESULTS.md text.
import type { PerfResult } from './dnsperf.js';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** (max − min) / median of the runs' QPS: how far apart the repeated runs of one cell were. */
export const noise = (xs: number[]): number => (xs.length < 2 || median(xs) === 0 ? 0 : (Math.max(...xs) - Math.min(...xs)) / median(xs));

/** One dnsperf run and the server's CPU over it (all its processes, user + system). */
export interface RunResult extends PerfResult { cpuSeconds: number }
/** Server CPU µs per answered query in one run (0 when nothing was answered). */
export const cpuUs = (r: RunResult): number => (r.completed ? (1e6 * r.cpuSeconds) / r.completed : 0);
export interface Cell { runs: RunResult[] }
export interface Summary { qps: number; noise: number; cpuUs: number; avgMs: number; maxMs: number; lost: number; servfail: number; nxPct: number; n: number;
  /** Each run's QPS, in run order: run i of every server and mix met the same stretch of the machine's time. */
  qpsRuns: number[] }

export function summarize(c: Cell): Summary {
  const pick = (f: (r: RunResult) => number) => median(c.runs.map(f));
  const qps = c.runs.map((r) => r.qps);
  return {
    qps: median(qps), noise: noise(qps), n: c.runs.length, qpsRuns: qps,
    cpuUs: pick(cpuUs),
    avgMs: pick((r) => r.avgLatency * 1000), maxMs: pick((r) => r.maxLatency * 1000),
    lost: pick((r) => r.lost), servfail: pick((r) => r.servfail),
    nxPct: pick((r) => (r.completed ? (100 * r.nxdomain) / r.completed : 0)),
  };
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const ms = (x: number) => x.toFixed(2);

export interface Row { label: string; s?: Summary; why?: string }

export function mixTable(rows: Row[]): string {
  const out = [
    '| server | QPS (median) | noise | server CPU µs/query | avg latency ms | max latency ms | lost | SERVFAIL | NXDOMAIN % |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    if (!r.s) { out.push(`| ${r.label} | — | | | | | | | ${r.why ?? 'not run'} |`); continue; }
    const s = r.s;
    out.push(`| ${r.label} | ${int(s.qps)} | ${pct(s.noise)} | ${s.cpuUs.toFixed(1)} | ${ms(s.avgMs)} | ${ms(s.maxMs)} | ${int(s.lost)} | ${int(s.servfail)} | ${s.nxPct.toFixed(0)} |`);
  }
  return out.join('\n');
}

/**
 * ours ÷ peer by QPS: the median of the ratios taken within each run, where both were measured
 * close together, rather than the ratio of the two medians. The machine moves between fast
 * and slow phases within one bench: one run's phase can set one server's median and another
 * run's the other's (run ratios of 1.02, 1.00 and 0.75 make 0.80× as a ratio of medians).
 */
export const qpsRatio = (ours: Summary, peer: Summary): number | undefined => {
  const n = Math.min(ours.qpsRuns.length, peer.qpsRuns.length);
  const within = Array.from({ length: n }, (_, i) => [ours.qpsRuns[i], peer.qpsRuns[i]]).filter(([, p]) => p > 0).map(([o, p]) => o / p);
  if (within.length > 0 && ours.qpsRuns.length === peer.qpsRuns.length) return median(within);
  return peer.qps > 0 ? ours.qps / peer.qps : undefined;
};

export const ratio = (ours: Summary | undefined, peer: Summary | undefined): string => {
  const r = ours && peer ? qpsRatio(ours, peer) : undefined;
  return r === undefined ? '—' : `${r.toFixed(2)}×`;
};
