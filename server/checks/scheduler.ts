// Continuous checks: every service on an interval with jitter, and at once after its TLSA RRset changes. One process runs it (the leader).
import type { Name } from '../../zones/model/name.js';
import type { CheckRunner } from './runner.js';

export interface SchedulerOptions {
  /** Seconds between checks of one service. */
  intervalSec: number;
  /** Each interval is stretched or shrunk by up to this fraction, so services spread out. */
  jitter?: number;
  /** How often due services are looked for (ms). */
  tickMs?: number;
  /** Unix seconds. */
  now?: () => number;
  log?: (msg: string) => void;
}

/** Services checked at once by the scheduler (each runs its endpoints through the runner's probe limit). */
const CONCURRENT_SERVICES = 8;

export class CheckScheduler {
  private readonly due = new Map<number, number>();
  private readonly running = new Set<number>();
  private readonly urgent = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly runner: CheckRunner, private readonly o: SchedulerOptions) {
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? Math.min(30_000, Math.max(1000, this.o.intervalSec * 250)));
    this.timer.unref();
    this.tickSoon();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
  }

  /** The commit pipeline's `changed` hook: a TLSA RRset of a service may have moved (null: the whole zone). */
  readonly zoneChanged = (apex: Name, names: readonly Name[] | null): void => {
    let any = false;
    for (const svc of this.runner.checks.services(apex)) {
      if (names === null || names.includes(svc.name)) { this.urgent.add(svc.id); any = true; }
    }
    if (any) this.tickSoon();
  };

  private tickSoon(): void {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => this.tick(), 100);
    this.soon.unref();
  }

  private nextAfter(t: number): number {
    const j = this.o.jitter ?? 0.1;
    return t + this.o.intervalSec * (1 + j * (2 * Math.random() - 1));
  }

  private tick(): void {
    let services;
    try {
      services = this.runner.checks.services();
    } catch (err) {
      this.o.log?.(`checks: cannot list services: ${(err as Error).message}`);
      return;
    }
    const now = this.now();
    const live = new Set<number>();
    for (const svc of services) {
      live.add(svc.id);
      if (!this.due.has(svc.id)) {
        // First sight (start-up, or a new service): when its last stored check says, or soon.
        this.due.set(svc.id, svc.last_at !== null ? this.nextAfter(svc.last_at) : now + Math.random() * Math.min(10, this.o.intervalSec * 0.1));
      }
      if (this.running.has(svc.id) || this.running.size >= CONCURRENT_SERVICES) continue;
      if (!this.urgent.has(svc.id) && this.due.get(svc.id)! > now) continue;
      this.urgent.delete(svc.id);
      this.running.add(svc.id);
      this.runner.checkService(svc)
        .catch((err: Error) => this.o.log?.(`check ${svc.name} failed: ${err.message}`))
        .finally(() => {
          this.running.delete(svc.id);
          this.due.set(svc.id, this.nextAfter(this.now()));
          if (this.urgent.size) this.tickSoon();
        });
    }
    for (const id of this.due.keys()) if (!live.has(id)) { this.due.delete(id); this.urgent.delete(id); }
  }
}
