// Multi-core serving: a primary forks N workers that share the DNS sockets and fan edits out to each other.
import cluster, { type Worker } from 'node:cluster';
import type { Name } from '../zones/model/name.js';
import type { CommitPipeline, CommitHooks } from '../zones/commit.js';
import type { Logger } from './log.js';
import { relayScrapes } from './metrics/cluster.js';

/**
 * A worker committed (`zone-changed`, relayed by the primary to every other worker); each
 * sibling catches up with the stored version and says so (`zone-applied`); once all have,
 * the primary tells the committer (`zone-shared`), whose API reply waits for that — so the
 * client's next query, on whichever worker, already sees the change.
 */
type Message =
  | { kind: 'zone-changed'; apex: Name; version: number; seq: number; from?: number }
  | { kind: 'zone-applied'; seq: number; from: number }
  | { kind: 'zone-shared'; seq: number };

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as Message).kind === 'string' && (m as Message).kind.startsWith('zone-');
}

/**
 * A worker that cannot start for a reason restarting cannot cure (a port taken, a bad
 * certificate) says why to the primary, which prints it once and stops the service, rather
 * than each worker printing it and being restarted until the primary gives up.
 */
interface StartFailed { kind: 'start-failed'; message: string }

const isStartFailed = (m: unknown): m is StartFailed =>
  typeof m === 'object' && m !== null && (m as StartFailed).kind === 'start-failed' && typeof (m as StartFailed).message === 'string';

/** In a worker: hand `message` to the primary and exit 1 (true); in a lone process: false, the caller prints it. */
export function reportStartFailure(message: string): boolean {
  if (!cluster.isWorker || !process.send) return false;
  process.send({ kind: 'start-failed', message } satisfies StartFailed, undefined, {}, () => process.exit(1));
  return true;
}

/** How long an editor waits for its siblings before answering anyway (a stuck worker must not stall the API). */
const SHARE_TIMEOUT_MS = 1000;

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
  const awaiting = new Map<string, number>(); // `${editor}:${seq}` → siblings yet to apply
  // A scrape of any worker's /metrics sums every worker's counters, gathered through here.
  relayScrapes();
  cluster.on('message', (from: Worker, msg: unknown) => {
    if (isStartFailed(msg)) {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`daneprime: ${msg.message}\n`);
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 5000).unref();
      return;
    }
    if (!isMessage(msg)) return;
    if (msg.kind === 'zone-changed') {
      const others = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.id !== from.id);
      if (others.length === 0) { from.send({ kind: 'zone-shared', seq: msg.seq } satisfies Message); return; }
      awaiting.set(`${from.id}:${msg.seq}`, others.length);
      for (const w of others) w.send({ ...msg, from: from.id } satisfies Message);
    } else if (msg.kind === 'zone-applied') {
      const key = `${msg.from}:${msg.seq}`;
      const left = (awaiting.get(key) ?? 1) - 1;
      if (left > 0) { awaiting.set(key, left); return; }
      awaiting.delete(key);
      cluster.workers?.[msg.from]?.send({ kind: 'zone-shared', seq: msg.seq } satisfies Message);
    }
  });
  // A worker that never got as far as listening failed to start (bad database, port taken):
  // restarting it cannot help, and until one has started the primary must not hide that.
  let everStarted = false;
  let failedStarts = 0;
  const listening = new Set<number>();
  cluster.on('listening', (w) => { listening.add(w.id); everStarted = true; });
  cluster.on('exit', (w, code, signal) => {
    const started = listening.delete(w.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (!started && !everStarted && ++failedStarts >= 2 * n) {
      log(`workers fail to start (worker ${w.process.pid} exited ${signal ?? code} before listening, ${failedStarts} times); giving up`, { level: 'error' });
      process.exit(1);
    }
    const delay = Math.min(30_000, 250 * 2 ** Math.min(restarts++, 7));
    const index = indexOf.get(w.id) ?? 0;
    indexOf.delete(w.id);
    log(`worker ${w.process.pid} exited (${signal ?? code}); restarting in ${delay} ms`, { level: 'error' });
    // Not unref'd: with every worker down, this timer is what keeps the primary (and the service) alive.
    setTimeout(() => indexOf.set(fork(index).id, index), delay);
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
  // Each worker serves the admin API with its own TLS context: all of them re-read the files.
  process.on('SIGHUP', () => {
    log(`SIGHUP: telling ${n} worker(s) to reload`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });
}

/**
 * In a worker: the pipeline's `share` hook, which tells siblings about our own commits, and
 * the handler that catches up with theirs (CommitPipeline.catchUp re-reads only the names each
 * commit touched). Undefined in a lone process.
 */
export function shareCommits(pipeline: CommitPipeline, log: Logger): CommitHooks['share'] {
  if (!cluster.isWorker || !process.send) return undefined;
  let seq = 0;
  const pending = new Map<number, () => void>();
  process.on('message', (msg: unknown) => {
    if (!isMessage(msg)) return;
    if (msg.kind === 'zone-changed') {
      try { pipeline.catchUp(msg.apex); } catch (err) { log(`zone ${msg.apex}: catch-up failed: ${(err as Error).message}`, { level: 'error' }); }
      process.send!({ kind: 'zone-applied', seq: msg.seq, from: msg.from! } satisfies Message);
    } else if (msg.kind === 'zone-shared') {
      pending.get(msg.seq)?.();
    }
  });
  return (apex, version) => {
    const n = ++seq;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => { pending.delete(n); resolve(); }, SHARE_TIMEOUT_MS);
      timer.unref();
      pending.set(n, () => { clearTimeout(timer); pending.delete(n); resolve(); });
    });
    process.send!({ kind: 'zone-changed', apex, version, seq: n } satisfies Message);
    return done;
  };
}

export const isPrimaryProcess = (): boolean => cluster.isPrimary;

/** The process that runs once-per-server jobs (signature refresh, NOTIFY after reloads): a lone server, or worker 0. */
export function isLeaderProcess(): boolean {
  return !cluster.isWorker || (process.env.DANEPRIME_WORKER_INDEX ?? '0') === '0';
}
