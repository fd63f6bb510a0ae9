// The in-memory zone a query is answered from: names → RRsets, with empty non-terminals.
import { type Name, parentName, isInZone, isWildcard } from './model/name.js';
import { RRType } from './model/types.js';
import type { RRset } from './model/rrset.js';
import { TypeMap } from './model/type-map.js';
import { NameFilter, suffixHash, SUFFIX_HASH_SEED } from './model/name-filter.js';

/** What a pinned snapshot (snapshot.ts) needs to hear before the zone changes: the state it must keep. */
export interface ZonePin {
  /** (name, type) is about to change from `current`; the zone's nodes are still as they were. */
  beforeChange(name: Name, type: number, current: RRset | undefined): void;
}

/** One owner name in the zone. A node with no RRsets is an empty non-terminal (RFC 5155 §7.1). */
export interface ZoneNode {
  readonly name: Name;
  readonly rrsets: TypeMap;
  /** Number of child nodes: a node lives while it has RRsets or children. */
  children: number;
}

/** What an edit changed, for the parts that derive data incrementally (NSEC3 chain, caches). */
export interface ZoneDelta {
  /** Names whose RRset list changed (including names that appeared or vanished). */
  readonly touched: Set<Name>;
  /** Names that came into existence (data or empty non-terminal). */
  readonly added: Set<Name>;
  /** Names that no longer exist. */
  readonly removed: Set<Name>;
  /** RRsets replaced or deleted (their cached signatures are now stale). */
  readonly staleRRsets: RRset[];
  /** Names that became or stopped being zone cuts (NS below the apex added or removed). */
  readonly cutsChanged: Set<Name>;
  /** RRsets put (new or replacing one), in order: with staleRRsets, what an IXFR journal adds and removes. */
  readonly putRRsets: RRset[];
}

/** Slots of Zone's table of nodes found lately (a power of two). */
const RECENT_NODES = 256;

/**
 * Zone contents for answering. Mutated only through `setRRset`, which the commit pipeline
 * (zones/commit.ts) runs synchronously for a whole change, and zone-build.ts for a zone not
 * served yet: Node runs one JavaScript task at a time and the query path is synchronous, so
 * every query sees either all of a change or none of it — the atomic swap of an immutable
 * snapshot, without copying a million-name map per edit. A reader that spans several tasks
 * (a zone transfer) pins a snapshot instead (snapshot.ts), which keeps what changes under it.
 */
export class Zone {
  readonly apex: Name;
  /**
   * suffixHash of the apex as the end of a query name (the seed for the root, whose key '.'
   * is no suffix of its names' text): a lookup extends it, label by label, below the apex.
   */
  readonly apexSuffixHash: number;
  private readonly byName = new Map<Name, ZoneNode>();
  /** Names held, as a filter that tells most missing names without probing `byName`; changed with it, in createNode and prune. */
  private readonly filter = new NameFilter(() => this.byName.keys());
  /**
   * The wildcard node `*.<name>` by its parent `<name>`: a name that does not exist is
   * checked for a wildcard at its closest encloser (RFC 4592 §3.3.1), and probing this
   * small map with the encloser's own key beats building and hashing `*.` + name per query.
   */
  private readonly wildcards = new Map<Name, ZoneNode>();
  /** Nodes `holding` found lately, by hash; emptied whenever a node is removed, so it never names one that is gone. */
  private readonly recent = new Array<ZoneNode | undefined>(RECENT_NODES).fill(undefined);
  /** The apex's node, where every lookup starts; never pruned (prune stops at the apex), so never replaced. */
  readonly apexNode: ZoneNode;
  /** Open snapshots (zone transfers in progress): told before each change. Usually none. */
  private readonly pins = new Set<ZonePin>();
  /** Records held (every RRset's records): what the zone size limit bounds. */
  private records = 0;

  constructor(apex: Name) {
    this.apex = apex;
    this.apexSuffixHash = apex === '.' ? SUFFIX_HASH_SEED : suffixHash(apex, 0, apex.length, SUFFIX_HASH_SEED);
    this.apexNode = { name: apex, rrsets: new TypeMap(), children: 0 };
    this.byName.set(apex, this.apexNode);
    this.filter.add(apex);
  }

  /** Every node, by name: read-only, since the name filter must change with it. */
  get nodes(): ReadonlyMap<Name, ZoneNode> {
    return this.byName;
  }

  get(name: Name): ZoneNode | undefined {
    return this.byName.get(name);
  }

  /**
   * Whether a name whose suffixHash is `h` may exist here: false is certain, true must be
   * checked with get. For lookups that walk a query name, hashing each ancestor on the way.
   */
  mayHold(h: number): boolean {
    return this.filter.mayHold(h);
  }

  /**
   * The node named by qname's suffix from `start`, whose suffixHash is `h`: what a lookup
   * walking down from the apex asks at each label, having both. The name filter rules out
   * most missing names; a node found lately is then told by comparing text in place; only
   * then is the suffix cut out and the Map probed. Every wildcard answer below `wild.<apex>`
   * passes `wild.<apex>`, and cutting out a fresh suffix, hashing it and probing the Map
   * costs far more than the compare.
   */
  holding(qname: Name, start: number, h: number): ZoneNode | undefined {
    if (!this.filter.mayHold(h)) return undefined;
    const slot = (h ^ (h >>> 16)) & (RECENT_NODES - 1);
    const seen = this.recent[slot];
    if (seen !== undefined && seen.name.length === qname.length - start && qname.startsWith(seen.name, start)) return seen;
    const node = this.byName.get(start === 0 ? qname : qname.slice(start));
    if (node !== undefined) this.recent[slot] = node;
    return node;
  }

  /** The node `*.<name>` when it exists (RFC 4592 §2.1.1: a wildcard's label is exactly `*`). */
  wildcardBelow(name: Name): ZoneNode | undefined {
    return this.wildcards.get(name);
  }

  rrset(name: Name, type: number): RRset | undefined {
    return this.byName.get(name)?.rrsets.get(type);
  }

  get recordCount(): number {
    return this.records;
  }

  get soa(): RRset {
    const soa = this.rrset(this.apex, RRType.SOA);
    if (!soa) throw new Error(`zone ${this.apex} has no SOA`);
    return soa;
  }

  /**
   * Put (or with `rrset` undefined, delete) one RRset, creating or pruning empty
   * non-terminals on the way to the apex. Records the effect in `delta`.
   */
  setRRset(name: Name, type: number, rrset: RRset | undefined, delta: ZoneDelta): void {
    if (!isInZone(name, this.apex)) throw new Error(`${name} is outside zone ${this.apex}`);
    let node = this.byName.get(name);
    if (this.pins.size) for (const p of this.pins) p.beforeChange(name, type, node?.rrsets.get(type));
    if (!rrset) {
      if (!node) return;
      const old = node.rrsets.get(type);
      if (!old) return;
      node.rrsets.delete(type);
      this.records -= old.rdatas.length;
      if (type === RRType.NS && name !== this.apex) delta.cutsChanged.add(name);
      delta.staleRRsets.push(old);
      delta.touched.add(name);
      this.prune(node, delta);
      return;
    }
    if (!node) node = this.createNode(name, delta);
    const old = node.rrsets.get(type);
    if (old) delta.staleRRsets.push(old);
    else if (type === RRType.NS && name !== this.apex) delta.cutsChanged.add(name);
    node.rrsets.set(type, rrset);
    this.records += rrset.rdatas.length - (old?.rdatas.length ?? 0);
    delta.putRRsets.push(rrset);
    delta.touched.add(name);
  }

  private createNode(name: Name, delta: ZoneDelta): ZoneNode {
    const node: ZoneNode = { name, rrsets: new TypeMap(), children: 0 };
    this.byName.set(name, node);
    this.filter.add(name);
    if (isWildcard(name)) this.wildcards.set(parentName(name), node);
    delta.added.add(name);
    delta.removed.delete(name);
    delta.touched.add(name);
    if (name !== this.apex) {
      const p = parentName(name);
      const parent = this.byName.get(p) ?? this.createNode(p, delta);
      parent.children++;
      if (parent.children === 1 && parent.rrsets.size === 0) delta.touched.add(p);
    }
    return node;
  }

  /** Remove a node that has neither data nor children, and then its ancestors likewise. */
  private prune(node: ZoneNode, delta: ZoneDelta): void {
    let n: ZoneNode | undefined = node;
    while (n && n.name !== this.apex && n.rrsets.size === 0 && n.children === 0) {
      this.byName.delete(n.name);
      this.filter.remove(n.name);
      if (isWildcard(n.name)) this.wildcards.delete(parentName(n.name));
      delta.removed.add(n.name);
      delta.added.delete(n.name);
      delta.touched.add(n.name);
      const parent: ZoneNode | undefined = this.byName.get(parentName(n.name));
      if (parent) parent.children--;
      n = parent;
    }
    // Something was removed: `holding` must not find it among the nodes found lately.
    if (n !== node) this.recent.fill(undefined);
  }

  /** Keep `pin` told of every change until `unpin`. */
  pin(pin: ZonePin): void {
    this.pins.add(pin);
  }

  unpin(pin: ZonePin): void {
    this.pins.delete(pin);
  }

  /** Every RRset, apex first, for export and transfer. */
  *allRRsets(): Iterable<RRset> {
    for (const node of this.byName.values()) yield* node.rrsets.values();
  }
}

export function newDelta(): ZoneDelta {
  return { touched: new Set(), added: new Set(), removed: new Set(), staleRRsets: [], cutsChanged: new Set(), putRRsets: [] };
}

/** A set that remembers nothing: for deltas nobody reads. */
class ForgetfulSet<T> extends Set<T> {
  override add(): this { return this; }
}

/** A delta that records nothing: for building a zone from scratch, where no cache or chain exists yet. */
export function ignoredDelta(): ZoneDelta {
  const none: RRset[] = [];
  none.push = () => 0;
  return { touched: new ForgetfulSet(), added: new ForgetfulSet(), removed: new ForgetfulSet(), staleRRsets: none, cutsChanged: new ForgetfulSet(), putRRsets: none };
}
