// The IXFR journal: per serial change, the signed difference (records, RRSIGs, NSEC3) kept in SQLite, bounded by count, size and age.
import { randomUUID } from 'node:crypto';
import type { Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import type { RRset } from '../../zones/model/rrset.js';
import { soaSerial } from '../../zones/model/rdata/index.js';
import type { Store } from '../../zones/store/sqlite.js';
import type { XfrStore, JournalRow } from '../../zones/store/xfr-sqlite.js';
import type { Registry, ZoneChangeEvent } from '../../zones/registry.js';
import type { Zone, ZoneDelta } from '../../zones/zone.js';
import type { DnssecService, SignedChange } from '../../signer/service.js';
import type { ZoneSigner, ReplacedRRset } from '../../signer/zone-signer.js';
import type { Nsec3Entry } from '../../signer/nsec3-chain.js';
import { base32hexDecode } from '../../signer/nsec3.js';
import type { JournalRR, JournalStep } from './ixfr.js';
import type { JournalSource } from './service.js';

export interface JournalLimits {
  maxEntries: number;
  maxBytes: number;
  /** Older steps are useless anyway once their signatures expired (validity is 14 days). */
  maxAgeSec: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = { maxEntries: 1000, maxBytes: 16 * 1024 * 1024, maxAgeSec: 14 * 86400 };

type Diff = { removed: JournalRR[]; added: JournalRR[] } | undefined;

/**
 * Records each serial step as the signed difference secondaries must apply. Signatures are
 * not persisted, so a step is incremental only when this process recorded it and the client
 * holds a serial this process served; otherwise (restart, whole-zone reload, full re-sign,
 * evicted signatures) IXFR falls back to an AXFR-style reply (RFC 1995 §4).
 */
export class Journal implements JournalSource {
  readonly epoch = randomUUID();
  private readonly lastSerial = new Map<Name, number>();
  private readonly servedSerials = new Map<Name, Set<number>>();
  /** Zones whose next step re-signs everything (refresh): recorded as not incremental. */
  private readonly fullNext = new Set<Name>();
  private handled: ZoneDelta | undefined;

  constructor(private readonly store: Store, private readonly xs: XfrStore, zones: Registry, private readonly dnssec: DnssecService,
    private readonly now: () => number, private readonly log: (m: string) => void, private readonly limits = DEFAULT_JOURNAL_LIMITS) {
    // Signed zones: the signer tells us what it replaced, with the signatures it served (runs first).
    dnssec.onSignedChange((c) => this.onSigned(c));
    zones.onChange((e) => this.onZone(e));
  }

  /** The next recorded step of `apex` is a whole re-sign: secondaries need it AXFR-style. */
  markFullResign(apex: Name): void {
    this.fullNext.add(apex);
  }

  served(apex: Name, serial: number): void {
    let s = this.servedSerials.get(apex);
    if (!s) this.servedSerials.set(apex, (s = new Set()));
    if (s.size >= this.limits.maxEntries) s.delete(s.values().next().value as number);
    s.add(serial);
  }

  steps(apex: Name, from: number, to: number): JournalStep[] | undefined {
    const row = this.store.zone(apex);
    if (!row || !this.servedSerials.get(apex)?.has(from)) return undefined;
    const out: JournalStep[] = [];
    let cur = from;
    // Materialised: the journal is bounded, and a lazy SQLite cursor must not stay open across awaits.
    for (const r of [...this.xs.journalFrom(row.id, from)]) {
      if (r.serial_from !== cur || r.epoch !== this.epoch || r.removed === null || r.added === null) return undefined;
      out.push({ from: r.serial_from, to: r.serial_to, removed: decode(r.removed), added: decode(r.added) });
      cur = r.serial_to;
      if (cur === to) return out;
    }
    return undefined;
  }

  private onSigned(c: SignedChange): void {
    this.handled = c.delta;
    const incremental = !c.chainRebuilt && c.delta.cutsChanged.size === 0 && !this.fullNext.has(c.apex);
    this.record(c.apex, c.signer.zone, incremental ? signedDiff(c.signer, c.delta, c.replaced, this.now()) : undefined);
  }

  private onZone(e: ZoneChangeEvent): void {
    if (e.delta && e.delta === this.handled) return;
    if (!e.zone) { this.lastSerial.delete(e.apex); return; }
    // An unsigned zone's edit: the plain difference. A whole reload: no difference known.
    this.record(e.apex, e.zone, e.delta && !this.dnssec.forZone(e.zone) && !this.fullNext.has(e.apex) ? plainDiff(e.zone, e.delta) : undefined);
  }

  private record(apex: Name, zone: Zone, diff: Diff): void {
    this.fullNext.delete(apex);
    const to = soaSerial(zone.soa.rdatas[0]);
    const from = diff ? soaSerial(diff.removed[0].rdata) : this.lastSerial.get(apex);
    this.lastSerial.set(apex, to);
    const row = this.store.zone(apex);
    if (!row || from === undefined || from === to) return;
    const at = this.now();
    const entry: Omit<JournalRow, 'id'> = { serial_from: from, serial_to: to, at, epoch: this.epoch,
      removed: diff ? encode(diff.removed) : null, added: diff ? encode(diff.added) : null };
    try {
      this.xs.addJournal(row.id, entry);
      this.xs.pruneJournal(row.id, { maxEntries: this.limits.maxEntries, maxBytes: this.limits.maxBytes, minAt: at - this.limits.maxAgeSec });
    } catch (err) {
      // A journal that could not be written only costs secondaries a full transfer.
      this.log(`journal ${apex}: not recorded: ${(err as Error).message}`);
    }
  }
}

function rrsOf(rrset: RRset, sigs: readonly Buffer[] | undefined, withData = true): JournalRR[] {
  const out: JournalRR[] = [];
  if (withData) for (const rdata of rrset.rdatas) out.push({ name: rrset.name, type: rrset.type, ttl: rrset.ttl, rdata });
  for (const rdata of sigs ?? []) out.push({ name: rrset.name, type: RRType.RRSIG, ttl: rrset.ttl, rdata });
  return out;
}

/** Removed and added RRs of a plain (unsigned) edit; the SOAs lead their lists (RFC 1995 §4). */
function plainDiff(zone: Zone, delta: ZoneDelta): Diff {
  return diffOf(zone, delta, delta.staleRRsets.map((rrset) => ({ rrset, sigs: [] })), () => []);
}

/**
 * The signed difference of one edit: replaced RRsets with the RRSIGs they were served with,
 * the new RRsets with fresh RRSIGs (cached, so later transfers and answers send the same),
 * and the NSEC3 records the chain replaced or added. Undefined when a removed signature is
 * no longer known (evicted from the cache): then the step is not incremental.
 */
function signedDiff(signer: ZoneSigner, delta: ZoneDelta, replaced: ReplacedRRset[], now: number): Diff {
  const chain = signer.chain;
  const signed = (r: RRset) => signer.signs(r.name, r.type);
  if (replaced.some((x) => x.sigs === undefined && (x.rrset.type === RRType.NSEC3 || signed(x.rrset)))) return undefined;
  const diff = diffOf(signer.zone, delta, replaced, (r) => (signed(r) ? signer.sigs(r, now) : []));
  if (!diff) return undefined;
  // NSEC3: owners whose record was replaced, plus entries new to the chain (never built yet).
  const owners = new Set(replaced.filter((x) => x.rrset.type === RRType.NSEC3).map((x) => x.rrset.name));
  // Each is signed as soon as it is built: the chain holds a bounded number of NSEC3 RRsets
  // as objects, and keeps the signatures of those it lets go only once they exist.
  const seen = new Set<RRset>();
  const add = (e: Nsec3Entry) => {
    const r = chain.rrsetOf(e);
    if (!seen.has(r)) { seen.add(r); diff.added.push(...rrsOf(r, signer.sigs(r, now))); }
  };
  for (const name of delta.touched) {
    const e = chain.matching(name);
    if (e && !chain.wasSigned(e)) add(e);
  }
  for (const owner of owners) {
    const hash = base32hexDecode(owner.slice(0, owner.indexOf('.'))).toString('latin1');
    const e = chain.size ? chain.coveringHash(hash) : undefined;
    if (e && e.hash === hash) add(e);
  }
  return diff;
}

function diffOf(zone: Zone, delta: ZoneDelta, replaced: ReplacedRRset[], sign: (r: RRset) => readonly Buffer[]): Diff {
  const put = new Set(delta.putRRsets);
  // Intermediate RRsets (put, then replaced again in the same edit) were never served.
  const gone = replaced.filter((x) => !put.has(x.rrset));
  const isSoa = (r: RRset) => r.type === RRType.SOA && r.name === zone.apex;
  const oldSoa = gone.find((x) => isSoa(x.rrset));
  if (!oldSoa) return undefined;
  const removed = [...rrsOf(oldSoa.rrset, undefined), ...gone.flatMap((x) => rrsOf(x.rrset, x.sigs, !isSoa(x.rrset)))];
  const current = delta.putRRsets.filter((r) => zone.rrset(r.name, r.type) === r);
  const newSoa = zone.soa;
  const added = [...rrsOf(newSoa, undefined), ...current.flatMap((r) => rrsOf(r, sign(r), !isSoa(r)))];
  return { removed, added };
}

function encode(rrs: JournalRR[]): string {
  return JSON.stringify(rrs.map((r) => [r.name, r.type, r.ttl, r.rdata.toString('base64')]));
}

function decode(text: string): JournalRR[] {
  return (JSON.parse(text) as [string, number, number, string][]).map(([name, type, ttl, b64]) => ({ name, type, ttl, rdata: Buffer.from(b64, 'base64') }));
}
