// Multi-core serving: a primary forks N workers that share the DNS sockets and fan edits out to each other.
import cluster, { type Worker } from 'node:cluster';
import type { Name } from '../zones/model/name.js';
import type { Registry } from '../zones/registry.js';
import type { Logger } from './log.js';

/** Sent by a worker after it committed an edit; relayed by the primary to every other worker. */
export interface ZoneChangedMessage {
  kind: 'zone-changed';
  apex: Name;
  names: Name[];
}

function isZoneChanged(m: unknown): m is ZoneChangedMessage {
  return typeof m === 'object' && m !== null && (m as ZoneChangedMessage).kind === 'zone-changed';
}

/**
 * The primary: fork `n` workers, relay edit notices between them, restart a worker that dies
 * (with a growing delay, so a crash loop does not spin), stop them all on SIGTERM/SIGINT.
 */
export function runPrimary(n: number, log: Logger): void {
  let stopping = false;
  let restarts = 0;
  // Each worker keeps its index across restarts, so there is always exactly one leader (index 0).
  const fork = (index: number) => cluster.fork({ DANEPRIME_WORKER_INDEX: String(index) });
  const indexOf = new Map<number, number>();
  for (let i = 0; i < n; i++) indexOf.set(fork(i).id, i);
  cluster.on('message', (from: Worker, msg: unknown) => {
    if (!isZoneChanged(msg)) return;
    for (const w of Object.values(cluster.workers ?? {})) if (w && w.id !== from.id) w.send(msg);
  });
  cluster.on('exit', (w, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const delay = Math.min(30_000, 250 * 2 ** Math.min(restarts++, 7));
    const index = indexOf.get(w.id) ?? 0;
    indexOf.delete(w.id);
    log(`worker ${w.process.pid} exited (${signal ?? code}); restarting in ${delay} ms`);
    setTimeout(() => indexOf.set(fork(index).id, index), delay).unref();
  });
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping ${n} worker(s)`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * In a worker: tell siblings about our own commits, and apply theirs by re-reading only the
 * names they touched — so an edit made through any worker is served by every worker on its
 * next query (the IPC notice arrives before a client can send a follow-up query).
 */
export function shareEdits(zones: Registry, keep: (apex: Name, name: Name, type: number) => boolean): void {
  if (!cluster.isWorker || !process.send) return;
  zones.onChange((e) => {
    if (e.delta && e.local) process.send!({ kind: 'zone-changed', apex: e.apex, names: [...e.delta.touched] } satisfies ZoneChangedMessage);
  });
  process.on('message', (msg: unknown) => {
    if (isZoneChanged(msg)) zones.reloadNames(msg.apex, msg.names, (name, type) => keep(msg.apex, name, type));
  });
}

export const isPrimaryProcess = (): boolean => cluster.isPrimary;

/** The process that runs once-per-server jobs (signature refresh, NOTIFY after reloads): a lone server, or worker 0. */
export function isLeaderProcess(): boolean {
  return !cluster.isWorker || (process.env.DANEPRIME_WORKER_INDEX ?? '0') === '0';
}
