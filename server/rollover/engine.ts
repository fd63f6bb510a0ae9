// The rollover engine (leader process): the clock measured on the authoritative side, and each rollover moved on by itself, from SQLite, so a restart resumes it.
//
//   publishing → (every secondary serves the publishing serial, over UDP and TCP: T_vis)
//   holding    → (readyAt = T_vis + 2 × max(largest TTL served since the start, negative TTL))
//   ready      → (an endpoint presents the next key) verifying → (every endpoint does)
//   retiring   → (the old records removed, one commit) steady
import type { XfrStore } from '../../zones/store/xfr-sqlite.js';
import { CheckStore, type ServiceRow } from '../../zones/store/checks-sqlite.js';
import { RolloverStore, type RolloverRow, type RolloverState } from '../../zones/store/rollover-sqlite.js';
import type { CheckRunner } from '../checks/runner.js';
import type { CheckJson } from '../checks/types.js';
import { notifyTargets } from '../xfr/acl.js';
import { answeredSerial, querySoa } from '../xfr/monitor.js';
import { serialAtLeast } from '../xfr/ixfr.js';
import { Rcode } from '../wire/parse.js';
import { raise, retireOld, showingNext, everyShowsNext, storedTtl, type RolloverDeps } from './rollover.js';

export interface EngineOptions extends RolloverDeps {
  xs: XfrStore;
  runner: CheckRunner;
  /** How often rollovers under way are looked at (ms). */
  tickMs?: number;
  /** Seconds between the engine's own checks of a service with a rollover under way (the schedule's come on top). */
  checkEverySec?: number;
  /** How long one SOA query to a secondary waits (ms; one UDP retry). */
  soaTimeoutMs?: number;
}

/** A rollover with a claimed row but no recorded commit for this long was abandoned (its process died): it is dropped. */
const ABANDONED_MS = 60_000;

export class RolloverEngine {
  private timer: NodeJS.Timeout | undefined;
  private readonly busy = new Set<number>();
  /** Check results are acted on apart from the tick, whose secondary queries take a while. */
  private readonly judging = new Set<number>();
  private readonly checking = new Set<number>();
  /** Secondaries a "holds the rollover" warning was raised for: "serviceId address port". */
  private readonly warned = new Set<string>();
  private readonly rs: RolloverStore;
  private readonly nowMs: () => number;
  private stopped = false;

  constructor(private readonly o: EngineOptions) {
    this.rs = RolloverStore.of(o.store);
    this.nowMs = o.nowMs ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 1000);
    this.timer.unref();
    const resumed = this.rs.active();
    if (resumed.length) this.o.log?.(`rollover: resuming ${resumed.length} rollover(s) under way`);
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** A check result (the scheduler's or an API request's): acted on at once. */
  readonly observe = (r: CheckJson): void => {
    const svc = new CheckStore(this.o.store).service(r.name);
    const row = svc && this.rs.one(svc.id);
    if (svc && row && row.state !== 'steady') void this.guard(this.judging, svc.id, () => this.onCheck(svc, row, r));
  };

  private tick(): void {
    if (this.stopped) return;
    let rows: RolloverRow[];
    try { rows = this.rs.active(); } catch (err) { this.o.log?.(`rollover: cannot list rollovers: ${(err as Error).message}`); return; }
    for (const row of rows) void this.guard(this.busy, row.service_id, () => this.step(row));
  }

  private async guard(set: Set<number>, id: number, fn: () => Promise<void>): Promise<void> {
    if (set.has(id) || this.stopped) return;
    set.add(id);
    try { await fn(); } catch (err) { this.o.log?.(`rollover: ${(err as Error).message}`); } finally { set.delete(id); }
  }

  /** Move to `state` (the row as read is the compare: another process's move wins). */
  private move(row: RolloverRow, state: RolloverState, patch: Partial<RolloverRow> = {}): RolloverRow | undefined {
    const after: RolloverRow = { ...row, ...patch, state, since: state === row.state ? row.since : this.nowMs() };
    if (!this.rs.advance(row, after)) return undefined;
    if (state !== row.state) {
      const svc = new CheckStore(this.o.store).serviceById(row.service_id);
      this.o.log?.(`rollover ${svc?.name ?? row.service_id}: ${row.state} → ${state}`,
        { event: 'rollover.step', zone: svc?.zone, service: svc?.name ?? String(row.service_id), from: row.state, to: state, serial: after.serial });
    }
    return after;
  }

  private async step(read: RolloverRow): Promise<void> {
    const svc = new CheckStore(this.o.store).serviceById(read.service_id);
    if (!svc) { this.rs.remove(read.service_id); return; }
    let row: RolloverRow | undefined = this.rs.one(read.service_id);
    if (!row || row.state === 'steady') return;
    const now = this.nowMs();
    if (row.serial === null) {
      if (now - row.started_at > ABANDONED_MS) { this.rs.remove(row.service_id); this.o.log?.(`rollover ${svc.name}: dropped a rollover whose commit never happened`); }
      return;
    }
    // The largest TTL the RRset was served with since the start: it only grows.
    const ttl = storedTtl(this.o.store, svc.name) ?? 0;
    if (ttl > row.max_ttl) {
      const wait = 2 * Math.max(ttl, row.negative_ttl) * 1000;
      row = this.move(row, row.state, { max_ttl: ttl, ready_at: row.t_vis === null ? null : Math.max(row.ready_at ?? 0, row.t_vis + wait) });
      if (!row) return;
    }
    switch (row.state) {
      case 'publishing': await this.publishing(svc, row); break;
      case 'holding':
        if (row.ready_at !== null && now >= row.ready_at) {
          if (this.move(row, 'ready')) {
            raise(this.o, svc, 'notice', 'rollover-ready', `the next TLSA records (${(JSON.parse(row.next) as string[]).join(', ')}) are served by every secondary and have been for twice their TTL: the next key may be deployed`);
          }
        }
        break;
      case 'retiring':
        try {
          retireOld(this.o, svc, row, 'every endpoint presents the next key');
        } catch (err) {
          // Tried again every tick; said once.
          if (!this.warned.has(`${svc.id} retire`)) {
            this.warned.add(`${svc.id} retire`);
            raise(this.o, svc, 'critical', 'rollover-stuck', `the old TLSA records cannot be retired: ${(err as Error).message}`);
          }
        }
        return;
      default: break;
    }
    this.maybeCheck(svc);
  }

  /** T_vis: the first moment every secondary answers the SOA at or past the publishing serial, over UDP and TCP. */
  private async publishing(svc: ServiceRow, row: RolloverRow): Promise<void> {
    const targets = notifyTargets(this.o.store, this.o.xs, svc.zone);
    let tVis: number | undefined;
    let seen: { address: string; serial: number | null; servesNext: boolean }[] = [];
    if (!targets.length) tVis = row.committed_at!;
    else {
      const ask = async (t: (typeof targets)[number]) => {
        const [udp, tcp] = await Promise.all((['udp', 'tcp'] as const).map((tr) => querySoa(svc.zone, t, tr, this.o.soaTimeoutMs ?? 1000)));
        const serial = (m: Buffer | undefined) => (m && (m[3] & 0xf) === Rcode.NOERROR ? answeredSerial(m) : undefined);
        const su = serial(udp), st = serial(tcp);
        const why = (tr: string, m: Buffer | undefined, v: number | undefined) => (v !== undefined ? '' : m ? `${tr}: rcode ${m[3] & 0xf} without the zone's SOA` : `${tr}: no answer`);
        const address = t.address.includes(':') ? `[${t.address}]:${t.port}` : `${t.address}:${t.port}`;
        const servesNext = su !== undefined && st !== undefined && serialAtLeast(su, row.serial!) && serialAtLeast(st, row.serial!);
        return { address, serial: su ?? st ?? null, servesNext, answered: su !== undefined && st !== undefined, transports: [why('UDP', udp, su), why('TCP', tcp, st)].filter(Boolean).join('; ') };
      };
      const answers = await Promise.all(targets.map(ask));
      const at = this.nowMs();
      seen = answers.map(({ address, serial, servesNext }) => ({ address, serial, servesNext }));
      for (const a of answers) {
        const key = `${svc.id} ${a.address}`;
        if (!a.answered && !this.warned.has(key)) {
          this.warned.add(key);
          raise(this.o, svc, 'warning', 'rollover-held', `secondary ${a.address} does not answer the SOA of ${svc.zone} (${a.transports}): the rollover waits for it, it never moves on without it`, a.address);
        } else if (a.answered) this.warned.delete(key);
      }
      if (answers.every((a) => a.servesNext)) tVis = at;
    }
    if (this.stopped) return;
    const fresh = this.rs.one(row.service_id);
    if (!fresh || fresh.state !== 'publishing' || fresh.since !== row.since) return;
    if (tVis === undefined) { this.move(fresh, 'publishing', { secondaries: JSON.stringify(seen) }); return; }
    const readyAt = tVis + 2 * Math.max(fresh.max_ttl, fresh.negative_ttl) * 1000;
    if (this.move(fresh, 'holding', { secondaries: JSON.stringify(seen), t_vis: tVis, ready_at: readyAt })) {
      this.o.log?.(`rollover ${svc.name}: every secondary serves serial ${row.serial} (T_vis ${new Date(tVis).toISOString()}); ready at ${new Date(readyAt).toISOString()}`);
    }
  }

  /** The engine's own check, when the last stored one is older than the cadence. */
  private maybeCheck(svc: ServiceRow): void {
    if (this.checking.has(svc.id)) return;
    const last = new CheckStore(this.o.store).checks(svc.id, 1)[0];
    if (last && Math.floor(this.nowMs() / 1000) - last.at < (this.o.checkEverySec ?? 30)) {
      return;
    }
    this.checking.add(svc.id);
    void this.o.runner.checkService(svc)
      .catch((err: Error) => this.o.log?.(`rollover ${svc.name}: check failed: ${err.message}`))
      .finally(() => this.checking.delete(svc.id));
  }

  /** What a check says about a rollover: a premature switch, or the next key live on some or every endpoint. */
  private async onCheck(svc: ServiceRow, read: RolloverRow, r: CheckJson): Promise<void> {
    const row = this.rs.one(read.service_id);
    if (!row || row.state === 'steady' || row.serial === null) return;
    // A check made before the next records were committed says nothing about them.
    if (Date.parse(r.checkedAt) < row.committed_at! - 1000) return;
    const next = JSON.parse(row.next) as string[];
    const live = showingNext(r, next);
    if (!live.length) return;
    switch (row.state) {
      case 'publishing': case 'holding':
        if (!row.premature && this.move(row, row.state, { premature: 1 })) {
          raise(this.o, svc, 'critical', 'premature-switch',
            `${live.join(', ')} present${live.length === 1 ? 's' : ''} the next key before the rollover is ready (${row.ready_at ? `ready at ${new Date(row.ready_at).toISOString()}` : 'not every secondary serves the next records yet'}): resolvers may still hold only the old TLSA records, and DANE clients fail`, live[0]);
        }
        return;
      case 'ready': case 'verifying': {
        const all = everyShowsNext(r, next);
        const moved = this.move(row, all ? 'retiring' : 'verifying');
        if (moved && all) retireOld(this.o, svc, moved, 'every endpoint presents the next key');
        else if (moved && row.state !== 'verifying') this.o.log?.(`rollover ${svc.name}: ${live.join(', ')} present the next key; verifying the others`);
        return;
      }
      default: return;
    }
  }
}
