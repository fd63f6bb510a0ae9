// Automatic DNSSEC key rollovers (leader process): each second, every zone whose keys roll is moved on by its schedule (signer/key-schedule.ts), each step one commit.
//
// Everything is read from SQLite on each tick, so a restart or a new leader resumes a rollover
// where it stood, and a policy stored by the CLI or the API applies at the next tick. Each
// step is a `resign` commit (keys added, moved, removed; a new signing epoch and serial), so
// the sibling workers, the IXFR journal and NOTIFY follow it as they follow any commit. When
// the parent zone is hosted here and delegates the zone, the parent's DS RRset is set in the
// same commit; otherwise the parent's servers (or the policy's resolver) are asked until they
// serve the new DS.
import type { Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import type { Store, KeyRow } from '../../zones/store/sqlite.js';
import type { Registry } from '../../zones/registry.js';
import { keysToken, type CommitResult, type KeyMove, type ParentDs, type ZoneChange } from '../../zones/commit.js';
import { parseSettings } from '../../zones/settings.js';
import { KeyPolicyStore, type KeyPolicy } from '../../zones/store/key-policy-sqlite.js';
import { dueSteps, nothingDue, type DueSteps } from '../../signer/key-schedule.js';
import { newKey, keyInfo } from '../../signer/keystore-sqlite.js';
import { wantsDs, type KeyState } from '../../signer/keystore.js';
import { dsRdata } from '../../signer/dnskey.js';
import { hostedParent, scheduleKey, zoneTtls } from './key-status.js';
import { dsServed } from './ds-check.js';
import type { Logger } from '../log.js';

export interface KeyRollerOptions {
  store: Store;
  zones: Registry;
  /** The clock, unix seconds. */
  now: () => number;
  commit: (change: ZoneChange) => CommitResult;
  log?: Logger;
  tickMs?: number;
  /** Asks whether the parent serves DS records (tests may point it elsewhere). */
  dsServed?: typeof dsServed;
  /** The server's resolver for DS lookups (`serve --ds-resolver`), for zones whose policy names none. */
  dsResolver?: string;
}

/**
 * How often the parent is asked about a waiting DS (seconds): a sixth of the propagation
 * delay, between 2 s and 10 minutes. A DS wait may last days (a registrar's schedule): asking
 * every parent server every second would be a flood.
 */
const dsCheckEvery = (p: KeyPolicy): number => Math.min(600, Math.max(2, Math.floor(p.propagationDelay / 6)));

export class KeyRoller {
  private timer: NodeJS.Timeout | undefined;
  private readonly kps: KeyPolicyStore;
  private readonly busy = new Set<Name>();
  /** Per zone: when its parent was last asked. */
  private readonly asked = new Map<Name, number>();
  private stopped = false;

  constructor(private readonly o: KeyRollerOptions) {
    this.kps = KeyPolicyStore.of(o.store);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 1000);
    this.timer.unref();
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  tick(): void {
    if (this.stopped) return;
    let names: string[];
    try { names = this.kps.rollingZones(); } catch (err) { this.o.log?.(`keys: cannot list zones: ${(err as Error).message}`); return; }
    for (const apex of names) {
      if (this.busy.has(apex)) continue;
      this.busy.add(apex);
      this.step(apex)
        .catch((err: Error) => this.o.log?.(`zone ${apex}: key rollover step failed: ${err.message}`))
        .finally(() => this.busy.delete(apex));
    }
  }

  /** One zone: ask the parent about a DS it waits for, then commit whatever transitions are due. */
  private async step(apex: Name): Promise<void> {
    const row = this.o.store.zone(apex);
    const served = this.o.zones.served(apex);
    if (!row || !served || !parseSettings(row.settings).signed) return;
    let keys = this.o.store.keys(row.id);
    if (!keys.length) return;
    const policy = this.kps.policy(row.id);
    const parent = hostedParent(this.o.zones, apex);
    if (!parent && keys.some((k) => k.state === 'ready' && (k.ds_seen_at === null || k.ds_ttl === null))) {
      if (await this.askParent(apex, keys, policy)) keys = this.o.store.keys(row.id);
    }
    if (this.stopped) return;
    const now = this.o.now();
    const ttls = zoneTtls(this.o.zones, served.zone, keys);
    const due = dueSteps(keys.map(scheduleKey), policy, ttls, now);
    if (nothingDue(due)) return;
    const change = this.changeFor(apex, keys, due, policy, now, parent !== undefined);
    const r = this.o.commit(change);
    if (!r.written) return;
    // One structured `key` event per step, as key creation and import log them (log-keys.ts).
    const tag = (id: number) => keys.find((k) => k.id === id)?.key_tag;
    this.o.log?.(`zone ${apex}: keys: ${describe(keys, due)}, serial ${r.serial}`, {
      event: 'key', zone: apex, action: 'rollover', serial: r.serial,
      started: due.start, moved: due.moves.map((m) => ({ keytag: tag(m.id), state: m.state })), removed: due.remove.map(tag),
    });
  }

  /** Whether the parent now serves the DS of every ready key (recorded when it does). */
  private async askParent(apex: Name, keys: readonly KeyRow[], policy: KeyPolicy): Promise<boolean> {
    const last = this.asked.get(apex);
    const now = this.o.now();
    if (last !== undefined && Math.abs(now - last) < dsCheckEvery(policy)) return false;
    this.asked.set(apex, now);
    const ready = keys.filter((k) => k.state === 'ready');
    const wanted = ready.map((k) => dsRdata(apex, keyInfo(apex, k).dnskey, 2));
    const r = await (this.o.dsServed ?? dsServed)(apex, wanted, policy.dsResolver ?? this.o.dsResolver ?? null);
    if (!r.served || r.ttl === undefined) return false;
    for (const k of ready) this.kps.setDsSeen(k.id, this.o.now(), r.ttl);
    if (ready.every((k) => k.ds_seen_at !== null)) return true;
    this.o.log?.(`zone ${apex}: the parent serves the DS of key ${ready.map((k) => k.key_tag).join(', ')} (TTL ${r.ttl ?? '?'} s)`);
    return true;
  }

  /** The commit for the due steps: new keys, state moves, removals, and the hosted parent's DS when the CDS set changes. */
  private changeFor(apex: Name, keys: readonly KeyRow[], due: DueSteps, policy: KeyPolicy, now: number, hosted: boolean): ZoneChange {
    const addKeys = due.start.map((role) => newKey(role, now, undefined, 'published'));
    // A hosted parent serves the new DS on every secondary of its own within the propagation delay.
    const keyStates: KeyMove[] = due.moves.map((m) => ({ ...m, ...(m.state === 'ready' && hosted ? { dsSeenAt: now + policy.propagationDelay } : {}) }));
    const after: { role: KeyRow['role']; state: KeyState; dnskey: Buffer }[] = [
      ...keys.filter((k) => !due.remove.includes(k.id)).map((k) => ({
        role: k.role, state: due.moves.find((m) => m.id === k.id)?.state ?? k.state, dnskey: keyInfo(apex, k).dnskey,
      })),
    ];
    let parentDs: ParentDs | undefined;
    const parent = hosted ? hostedParent(this.o.zones, apex) : undefined;
    if (parent) {
      const rdatas = after.filter(wantsDs).map((k) => dsRdata(apex, k.dnskey, 2));
      const current = parent.rrset(apex, RRType.DS);
      const same = current && current.rdatas.length === rdatas.length && rdatas.every((d) => current.rdatas.some((c) => c.equals(d)));
      if (!same && rdatas.length) parentDs = { parent: parent.apex, owner: apex, ttl: current?.ttl ?? parent.rrset(apex, RRType.NS)!.ttl, rdatas };
    }
    return { kind: 'resign', apex, addKeys, keyStates, removeKeys: due.remove, parentDs, ifKeys: keysToken(keys), action: 'key.rollover' };
  }
}

function describe(keys: readonly KeyRow[], due: DueSteps): string {
  const tag = (id: number) => keys.find((k) => k.id === id)?.key_tag;
  return [
    ...due.start.map((r) => `new ${r} published`),
    ...due.moves.map((m) => `key ${tag(m.id)} ${m.state}`),
    ...due.remove.map((id) => `key ${tag(id)} removed`),
  ].join(', ');
}
