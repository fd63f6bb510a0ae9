// A zone as it was at one moment, for readers that span many tasks (zone transfers): commits land meanwhile, unseen.
import type { Name } from './model/name.js';
import type { RRset } from './model/rrset.js';
import type { Zone, ZonePin } from './zone.js';

/**
 * The zone is changed in place (zone.ts), which is what keeps a commit cheap on a
 * million-name zone. A transfer streams the zone over many event-loop turns, and must send
 * one version. So it pins a snapshot: before the first change after the pin, the snapshot
 * copies the list of node names (references only), and before each change it keeps the
 * RRset being replaced, the first time each (name, type) changes. What a change does not
 * touch is read live. No commit waits for a transfer and no transfer is aborted by one; a
 * snapshot that sees no commit costs nothing.
 */
export class ZoneSnapshot implements ZonePin {
  /** The SOA at the pin: the version this snapshot shows. */
  readonly soa: RRset;
  /** The node names at the pin, in the zone's order; copied just before the first change. */
  private frozenNames: Name[] | undefined;
  /** Per name, per type, the RRset at the pin (undefined: none) of everything changed since. */
  private readonly before = new Map<Name, Map<number, RRset | undefined>>();
  private closed = false;

  constructor(readonly zone: Zone) {
    this.soa = zone.soa;
    zone.pin(this);
  }

  beforeChange(name: Name, type: number, current: RRset | undefined): void {
    this.frozenNames ??= [...this.zone.nodes.keys()];
    let types = this.before.get(name);
    if (!types) this.before.set(name, (types = new Map()));
    if (!types.has(type)) types.set(type, current);
  }

  /** Whether the zone changed since the pin. */
  get changed(): boolean {
    return this.frozenNames !== undefined;
  }

  /** The RRset at (name, type) as of the pin. */
  rrset(name: Name, type: number): RRset | undefined {
    const kept = this.before.get(name);
    if (kept?.has(type)) return kept.get(type);
    return this.zone.rrset(name, type);
  }

  /** The RRsets at `name` as of the pin. */
  rrsetsAt(name: Name): RRset[] {
    const out: RRset[] = [];
    const kept = this.before.get(name);
    const live = this.zone.get(name);
    if (live) for (const r of live.rrsets.values()) if (!kept?.has(r.type)) out.push(r);
    if (kept) for (const r of kept.values()) if (r) out.push(r);
    return out;
  }

  /**
   * The node names as of the pin (empty non-terminals included), lazily. Before any change
   * this walks the zone's own map; once a change comes, it goes on in the copy made just
   * before it, at the same position: the two agree on every name up to there.
   */
  *names(): Iterable<Name> {
    let at = 0;
    const live = this.zone.nodes.keys();
    for (;;) {
      if (this.frozenNames) {
        for (; at < this.frozenNames.length; at++) yield this.frozenNames[at];
        return;
      }
      const next = live.next();
      if (next.done) return;
      at++;
      yield next.value;
    }
  }

  /** Every RRset as of the pin, name by name. */
  *rrsets(): Iterable<RRset> {
    for (const name of this.names()) yield* this.rrsetsAt(name);
  }

  /** Stop keeping changes (the transfer ended). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.zone.unpin(this);
  }
}
