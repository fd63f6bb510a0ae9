// The zones this process serves: loaded from the store, matched by longest suffix, refreshed on commits.
import { type Name, parentName, labelCount, isInZone } from './model/name.js';
import { RRType } from './model/types.js';
import type { Store, ZoneRow } from './store/sqlite.js';
import { newDelta, type Zone, type ZoneDelta } from './zone.js';
import { buildZone } from './zone-build.js';
import { makeRRset, sameRRset } from './model/rrset.js';

export interface ZoneChangeEvent {
  apex: Name;
  /** The zone now served, or undefined when it was deleted. */
  zone: Zone | undefined;
  /** What changed, when the change was applied incrementally; undefined for a whole reload. */
  delta?: ZoneDelta;
  /** True when this process made the change (an edit committed here, not one read back). */
  local?: boolean;
}

type Listener = (e: ZoneChangeEvent) => void;

/** Up to this many zones, `find` tests each apex in turn (see deepestFirst); past it, it probes the Map by suffix. */
const FEW_ZONES = 8;

export class Registry {
  private readonly zones = new Map<Name, { row: ZoneRow; zone: Zone }>();
  /** Zones held per apex label count (a name has at most 127 labels), so that `find` probes only depths some zone is at. */
  private readonly atDepth = new Uint32Array(128);
  /**
   * While few zones are held (FEW_ZONES), all of them, deepest apex first: `find` then tests
   * each apex as a suffix in place. Cutting the query name into suffixes to probe the Map
   * (counting its labels, finding its dots, hashing the slice) took about 95 ns of every
   * random-label answer; with one zone the suffix test takes about 15 ns.
   */
  private deepestFirst: Zone[] | undefined = [];
  private readonly listeners: Listener[] = [];
  private lastDataVersion = -1;

  constructor(readonly store: Store, private readonly log: (msg: string) => void = () => {}) {}

  /** Subscribe to zone changes (signature caches, NSEC3 chains, NOTIFY hook in here). */
  onChange(fn: Listener): void {
    this.listeners.push(fn);
  }

  private sharing: Promise<void>[] = [];

  /** Register work that makes a local commit visible elsewhere (sibling workers applying it). */
  whenShared(p: Promise<void>): void {
    this.sharing.push(p);
  }

  /** Resolves once every local commit so far is visible to every process serving these zones. */
  async settled(): Promise<void> {
    const all = this.sharing;
    this.sharing = [];
    await Promise.all(all);
  }

  /** Bumped on every change to any zone: derived caches (encoded replies) key on it. */
  generation = 0;

  emit(e: ZoneChangeEvent): void {
    this.generation++;
    for (const fn of this.listeners) fn(e);
  }

  /** Longest-match zone for a name (RFC 1034 §4.3.2 step 2). O(labels), or O(zones) while they are few. */
  find(qname: Name): Zone | undefined {
    const few = this.deepestFirst;
    if (few) {
      for (let k = 0; k < few.length; k++) if (isInZone(qname, few[k].apex)) return few[k];
      return undefined;
    }
    // Many zones: only suffixes as deep as some apex are asked for, since a random label below
    // a zone is no zone's name, and a Map probe with a fresh string hashes all of it first.
    let depth = labelCount(qname);
    for (let n = qname; ; n = parentName(n), depth--) {
      if (this.atDepth[depth] > 0) {
        const z = this.zones.get(n);
        if (z) return z.zone;
      }
      if (n === '.') return undefined;
    }
  }

  /** The zone for a DS query: the parent side of a cut when we host the parent (RFC 4035 §3.1.4.1). */
  findForDS(qname: Name): Zone | undefined {
    const own = this.zones.get(qname);
    if (own && qname !== '.') return this.find(parentName(qname)) ?? own.zone;
    return this.find(qname);
  }

  /** The zone a question is answered from: DS from the parent side of a cut, anything else by longest match. */
  forQuestion(qname: Name, qtype: number): Zone | undefined {
    return qtype === RRType.DS ? this.findForDS(qname) : this.find(qname);
  }

  get(apex: Name): Zone | undefined {
    return this.zones.get(apex)?.zone;
  }

  row(apex: Name): ZoneRow | undefined {
    return this.zones.get(apex)?.row;
  }

  apexes(): Name[] {
    return [...this.zones.keys()];
  }

  /** Load (or reload) every zone whose generation moved; drop zones deleted from the store. */
  sync(): void {
    this.lastDataVersion = this.store.dataVersion();
    const rows = this.store.listZones();
    const seen = new Set<Name>();
    for (const row of rows) {
      seen.add(row.name);
      const have = this.zones.get(row.name);
      if (have && have.row.generation === row.generation && have.row.id === row.id) continue;
      try {
        const zone = buildZone(row.name, this.store.records(row.id), false);
        if (!have) this.atDepth[labelCount(row.name)]++;
        this.zones.set(row.name, { row, zone });
        this.reorder();
        this.log(`zone ${row.name}: loaded generation ${row.generation}`);
        this.emit({ apex: row.name, zone });
      } catch (err) {
        this.log(`zone ${row.name}: not loaded: ${(err as Error).message}`);
      }
    }
    for (const apex of [...this.zones.keys()]) {
      if (!seen.has(apex)) {
        this.zones.delete(apex);
        this.atDepth[labelCount(apex)]--;
        this.reorder();
        this.log(`zone ${apex}: removed`);
        this.emit({ apex, zone: undefined });
      }
    }
  }

  /** After a zone was added, replaced or removed, before anyone is told: deepestFirst must name the zones served. */
  private reorder(): void {
    this.deepestFirst = this.zones.size <= FEW_ZONES
      ? [...this.zones.values()].map((e) => e.zone).sort((a, b) => labelCount(b.apex) - labelCount(a.apex))
      : undefined;
  }

  /** Cheap poll: only re-reads zone rows when another connection committed something. */
  syncIfChanged(): void {
    if (this.store.dataVersion() !== this.lastDataVersion) this.sync();
  }

  /**
   * Another process (a sibling worker) committed an edit touching `names`: re-read just those
   * owner names from the store and apply them like a local edit — O(edit), not O(zone).
   * `keep(type, name)` says which in-memory types are not stored (signer-derived) and stay.
   */
  reloadNames(apex: Name, names: Iterable<Name>, keep: (name: Name, type: number) => boolean): void {
    const have = this.zones.get(apex);
    const row = this.store.zone(apex);
    if (!have || !row || row.id !== have.row.id) { this.sync(); return; }
    const zone = have.zone;
    const delta = newDelta();
    for (const name of names) {
      const stored = new Map<number, { ttl: number; rdatas: Buffer[] }>();
      for (const r of this.store.recordsAt(row.id, name)) {
        const g = stored.get(r.type);
        if (g) g.rdatas.push(r.rdata); else stored.set(r.type, { ttl: r.ttl, rdatas: [r.rdata] });
      }
      for (const type of [...(zone.get(name)?.rrsets.keys() ?? [])]) {
        if (!stored.has(type) && !keep(name, type)) zone.setRRset(name, type, undefined, delta);
      }
      for (const [type, g] of stored) {
        const next = makeRRset(name, type, g.ttl, g.rdatas);
        // Unchanged RRsets keep their object, and so their cached signatures.
        if (!sameRRset(zone.rrset(name, type), next)) zone.setRRset(name, type, next, delta);
      }
    }
    // Our row now matches the store: the next data_version poll will not reload this zone whole.
    have.row = row;
    this.emit({ apex, zone, delta });
  }

  /**
   * After an in-process edit was applied to `zone` and written: record the new row, and tell
   * listeners once the write is committed. The edit may sit inside a caller's transaction
   * (the API commits it with its audit rows): a sibling worker told before that commit
   * would re-read the old rows and serve them until its next poll. The outer commit still
   * happens in this same synchronous task, so no query sees the zone before its listeners ran.
   */
  committed(apex: Name, delta: ZoneDelta): void {
    const row = this.store.zone(apex);
    const have = this.zones.get(apex);
    if (row && have) have.row = row;
    // Our own commit also moves data_version for *other* connections only, so nothing to reload here.
    this.store.afterCommit(() => this.emit({ apex, zone: have?.zone, delta, local: true }));
  }
}
