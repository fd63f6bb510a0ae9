// Every worker's counters at scrape time: the worker serving /metrics asks the primary, which asks each worker for its snapshot over the cluster IPC.
import cluster, { type Worker } from 'node:cluster';
import type { Metrics } from './metrics.js';
import { isSnapshot, type CounterSnapshot } from './snapshot.js';

/**
 * The scrape's messages (prefixed `metrics-`; the commit notices in workers.ts are `zone-`):
 * a worker asks (`metrics-request`), the primary asks every worker (`metrics-collect`), each
 * answers (`metrics-snapshot`), and the primary hands the set to the asker (`metrics-gathered`).
 */
type Message =
  | { kind: 'metrics-request'; id: number }
  | { kind: 'metrics-collect'; id: number }
  | { kind: 'metrics-snapshot'; id: number; snapshot: CounterSnapshot }
  | { kind: 'metrics-gathered'; id: number; snapshots: CounterSnapshot[] };

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as Message).kind === 'string' && (m as Message).kind.startsWith('metrics-')
    && typeof (m as Message).id === 'number';
}

/**
 * How long a scrape waits for the workers: one that is stuck (or restarting) is left out of
 * that scrape rather than stalling it; Prometheus's own scrape timeout is 10 s by default.
 */
export const GATHER_TIMEOUT_MS = 2000;

/** In the primary: relay scrapes between workers. */
export function relayScrapes(): void {
  let next = 0;
  const open = new Map<number, { asker: number; request: number; left: number; snapshots: CounterSnapshot[]; timer: NodeJS.Timeout }>();
  const finish = (id: number) => {
    const g = open.get(id);
    if (!g) return;
    open.delete(id);
    clearTimeout(g.timer);
    cluster.workers?.[g.asker]?.send({ kind: 'metrics-gathered', id: g.request, snapshots: g.snapshots } satisfies Message);
  };
  cluster.on('message', (from: Worker, msg: unknown) => {
    if (!isMessage(msg)) return;
    if (msg.kind === 'metrics-request') {
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
      const id = ++next;
      // The answer carries the asker's own request id back, so it reaches the request it made.
      open.set(id, { asker: from.id, request: msg.id, left: workers.length, snapshots: [], timer: setTimeout(() => finish(id), GATHER_TIMEOUT_MS) });
      for (const w of workers) w.send({ kind: 'metrics-collect', id } satisfies Message);
    } else if (msg.kind === 'metrics-snapshot') {
      const g = open.get(msg.id);
      if (!g || !isSnapshot(msg.snapshot)) return;
      g.snapshots.push(msg.snapshot);
      if (--g.left === 0) finish(msg.id);
    }
  });
}

/**
 * In a worker (or a lone process): `gather()` resolves to every worker's snapshot, this
 * one's included. A lone process has only its own.
 */
export function scrapeGatherer(metrics: Metrics): () => Promise<CounterSnapshot[]> {
  if (!cluster.isWorker || !process.send) return async () => [metrics.snapshot()];
  let seq = 0;
  const waiting = new Map<number, (s: CounterSnapshot[]) => void>();
  process.on('message', (msg: unknown) => {
    if (!isMessage(msg)) return;
    if (msg.kind === 'metrics-collect') process.send!({ kind: 'metrics-snapshot', id: msg.id, snapshot: metrics.snapshot() } satisfies Message);
    else if (msg.kind === 'metrics-gathered') waiting.get(msg.id)?.(msg.snapshots);
  });
  return () => new Promise((resolve) => {
    const id = ++seq;
    // Without an answer (the primary gone), this worker's own counters are better than none.
    const timer = setTimeout(() => { waiting.delete(id); resolve([metrics.snapshot()]); }, GATHER_TIMEOUT_MS + 500);
    waiting.set(id, (s) => { clearTimeout(timer); waiting.delete(id); resolve(s); });
    process.send!({ kind: 'metrics-request', id } satisfies Message);
  });
}
