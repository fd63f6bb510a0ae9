// The zones this process serves, matched by longest suffix: what the query path reads. Only the commit pipeline changes it.
import { type Name, parentName, labelCount, isInZone } from './model/name.js';
import { RRType } from './model/types.js';
import type { ZoneRow } from './store/sqlite.js';
import type { Zone } from './zone.js';

/** A served zone: the zone in memory and the stored row it is the version of. */
export interface ServedZone {
  zone: Zone;
  /** The stored row as of the version served (zone.version is the commit the memory holds). */
  row: ZoneRow;
}

/** Up to this many zones, `find` tests each apex in turn (see deepestFirst); past it, it probes the Map by suffix. */
const FEW_ZONES = 8;

export class Registry {
  private readonly zones = new Map<Name, ServedZone>();
  /** Zones held per apex label count (a name has at most 127 labels), so that `find` probes only depths some zone is at. */
  private readonly atDepth = new Uint32Array(128);
  /**
   * While few zones are held (FEW_ZONES), all of them, deepest apex first: `find` then tests
   * each apex as a suffix in place. Cutting the query name into suffixes to probe the Map
   * (counting its labels, finding its dots, hashing the slice) costs several times the
   * in-place test with one zone.
   */
  private deepestFirst: Zone[] | undefined = [];

  /**
   * Changes applied to any served zone so far, by this process: what encoded replies and
   * other derived answers are fresh against (the fast path's freshness token). Moves on every
   * commit, catch-up or reload, before any query sees the change.
   */
  generation = 0;

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

  served(apex: Name): ServedZone | undefined {
    return this.zones.get(apex);
  }

  row(apex: Name): ZoneRow | undefined {
    return this.zones.get(apex)?.row;
  }

  apexes(): Name[] {
    return [...this.zones.keys()];
  }

  /** Serve `zone` for its apex, replacing what was served there (the commit pipeline's whole-zone step). */
  install(zone: Zone, row: ZoneRow): ServedZone {
    const entry = { zone, row };
    if (!this.zones.has(zone.apex)) this.atDepth[labelCount(zone.apex)]++;
    this.zones.set(zone.apex, entry);
    this.reorder();
    this.generation++;
    return entry;
  }

  /** Stop serving a zone (deleted). */
  remove(apex: Name): void {
    if (!this.zones.delete(apex)) return;
    this.atDepth[labelCount(apex)]--;
    this.reorder();
    this.generation++;
  }

  /** A served zone changed in place (the commit pipeline): record its row, move the freshness token. */
  changed(entry: ServedZone, row: ZoneRow): void {
    entry.row = row;
    this.generation++;
  }

  /** After a zone was added, replaced or removed, before anyone is told: deepestFirst must name the zones served. */
  private reorder(): void {
    this.deepestFirst = this.zones.size <= FEW_ZONES
      ? [...this.zones.values()].map((e) => e.zone).sort((a, b) => labelCount(b.apex) - labelCount(a.apex))
      : undefined;
  }
}
