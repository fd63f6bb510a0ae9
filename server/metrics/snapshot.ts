// One process's counters as plain JSON (what a worker sends over IPC at scrape time), and their sum across processes.

export type Labels = Record<string, string>;

export interface Sample { labels: Labels; value: number }

/** Per-bucket counts (not cumulative), the last for +Inf, and the sum of what was observed. */
export interface HistogramSample { labels: Labels; buckets: number[]; sum: number }

export interface CounterSnapshot {
  counters: Record<string, Sample[]>;
  histograms: Record<string, HistogramSample[]>;
}

const keyOf = (l: Labels): string => JSON.stringify(Object.entries(l).sort((a, b) => (a[0] < b[0] ? -1 : 1)));

/** The sum of several processes' counters, series by series (a series one process lacks counts 0 there). */
export function mergeSnapshots(all: readonly CounterSnapshot[]): CounterSnapshot {
  const counters: Record<string, Map<string, Sample>> = {};
  const histograms: Record<string, Map<string, HistogramSample>> = {};
  for (const s of all) {
    for (const [name, rows] of Object.entries(s.counters)) {
      const m = (counters[name] ??= new Map());
      for (const r of rows) {
        const k = keyOf(r.labels);
        const have = m.get(k);
        if (have) have.value += r.value; else m.set(k, { labels: r.labels, value: r.value });
      }
    }
    for (const [name, rows] of Object.entries(s.histograms)) {
      const m = (histograms[name] ??= new Map());
      for (const r of rows) {
        const k = keyOf(r.labels);
        const have = m.get(k);
        if (!have) { m.set(k, { labels: r.labels, buckets: [...r.buckets], sum: r.sum }); continue; }
        r.buckets.forEach((n, i) => { have.buckets[i] = (have.buckets[i] ?? 0) + n; });
        have.sum += r.sum;
      }
    }
  }
  return {
    counters: Object.fromEntries(Object.entries(counters).map(([n, m]) => [n, [...m.values()]])),
    histograms: Object.fromEntries(Object.entries(histograms).map(([n, m]) => [n, [...m.values()]])),
  };
}

/** Whether `v` has the shape of a snapshot (it came over IPC from another process). */
export function isSnapshot(v: unknown): v is CounterSnapshot {
  return typeof v === 'object' && v !== null && typeof (v as CounterSnapshot).counters === 'object' && typeof (v as CounterSnapshot).histograms === 'object';
}
