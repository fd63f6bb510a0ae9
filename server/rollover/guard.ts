// The write guard, at the commit pipeline's plan step for every writer (REST, PowerDNS API, DNS UPDATE, CLI, the engine): no change leaves a live-checked service without a TLSA record for the key it presents; a replacement by another key's records becomes a rollover.
import { X509Certificate } from 'node:crypto';
import type { Store, ZoneRow } from '../../zones/store/sqlite.js';
import { CheckStore, type ServiceRow } from '../../zones/store/checks-sqlite.js';
import { RolloverStore } from '../../zones/store/rollover-sqlite.js';
import { EditError, type Actor, type CommitGuard, type GuardContext, type GuardNote, type GuardReview, type RRsetEdit } from '../../zones/commit.js';
import type { Zone } from '../../zones/zone.js';
import type { Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { evaluateRRset, tlsaRecord, type TlsaRecord } from '../checks/tlsa-match.js';
import { serviceNames } from '../checks/runner.js';
import type { CheckEvent, CheckJson } from '../checks/types.js';
import { nextRecords, RolloverError } from './records.js';
import { publishingRow, raise } from './rollover.js';

/** One endpoint a change would break: the key it presents (SPKI SHA-256) would match no TLSA record. */
export interface Break { service: Name; endpoint: string; spki: string }

/** The guard's refusal (409 `would_break_service` over the APIs, REFUSED to UPDATE). */
export class WouldBreakServiceError extends EditError {
  constructor(message: string, field: string | undefined, readonly breaks: readonly Break[]) {
    super('would_break_service', message, field);
  }
}

export interface GuardOptions {
  store: Store;
  log?: (m: string) => void;
  /** Told of each event once it is stored (the event hook, metrics). */
  onEvent?: (e: CheckEvent) => void;
  /** Wall clock, milliseconds (a rollover's times). */
  nowMs?: () => number;
}

/** A TLSA RRset the change touches at a service's owner: as stored, and as the change leaves it. */
interface Touched { svc: ServiceRow; before: readonly Buffer[]; after: readonly Buffer[]; field: string; ttlBefore?: number }

/** A TLSA replacement taken as a rollover: the current records stay, the new ones are published as next. */
interface Roll { svc: ServiceRow; current: TlsaRecord[]; next: TlsaRecord[]; ttlBefore: number }

const text = (rs: readonly TlsaRecord[]) => rs.map((r) => r.text).join(', ') || 'none';
const rdataOf = (r: TlsaRecord) => Buffer.concat([Buffer.from([r.usage, r.selector, r.matching]), r.data]);
const sameSet = (a: readonly Buffer[], b: readonly Buffer[]) => a.length === b.length && a.every((x) => b.some((y) => y.equals(x))) && b.every((y) => a.some((x) => x.equals(y)));

export class WriteGuard implements CommitGuard {
  private cs: CheckStore | undefined;

  constructor(private readonly o: GuardOptions) {}

  private get checks(): CheckStore {
    return (this.cs ??= new CheckStore(this.o.store));
  }

  reviewEdit(zone: Zone, edits: readonly RRsetEdit[], ctx: GuardContext): GuardReview | undefined {
    // Most commits touch no TLSA RRset, and cost no look-up here.
    if (!edits.some((e) => e.type === RRType.TLSA)) return undefined;
    const services = new Map(this.checks.services(zone.apex).map((s) => [s.name, s]));
    if (!services.size) return undefined;
    const touched = new Map<number, Touched>();
    edits.forEach((e, i) => {
      const svc = e.type === RRType.TLSA ? services.get(e.name) : undefined;
      if (!svc) return;
      const current = zone.rrset(e.name, RRType.TLSA);
      touched.set(i, { svc, before: current?.rdatas ?? [], after: e.rdatas ?? [], field: e.rdatas?.length ? `changes[${i}].records` : `changes[${i}]`, ttlBefore: current?.ttl });
    });
    const review = this.review([...touched.values()], ctx, true);
    if (!review.rolls.length) return review.notes.length ? review : undefined;
    const out = [...edits];
    for (const [i, t] of touched) {
      const roll = review.rolls.find((r) => r.svc.id === t.svc.id);
      if (roll) out[i] = { ...edits[i], rdatas: [...t.before, ...roll.next.map(rdataOf)] };
    }
    return { ...review, edits: out };
  }

  reviewImport(row: ZoneRow, after: Zone, ctx: GuardContext): GuardReview | undefined {
    const services = this.checks.services(row.name);
    if (!services.length) return undefined;
    const touched = services.map((svc): Touched => ({
      svc, before: this.o.store.recordsAt(row.id, svc.name).filter((r) => r.type === RRType.TLSA).map((r) => r.rdata),
      after: after.rrset(svc.name, RRType.TLSA)?.rdatas ?? [], field: 'zonefile',
    }));
    // A zone replaced whole is never taken apart into rollovers: refused, or forced.
    const review = this.review(touched, ctx, false);
    return review.notes.length ? review : undefined;
  }

  /** A refused commit, rolled back: logged, and a warning event per service (outside the transaction, so it stays). */
  refused(err: EditError, actor: Actor): void {
    if (!(err instanceof WouldBreakServiceError)) return;
    this.o.log?.(`guard: refused a change by ${actor.label}: ${err.message}`);
    for (const name of new Set(err.breaks.map((b) => b.service))) {
      const svc = this.checks.service(name);
      const eps = err.breaks.filter((b) => b.service === name).map((b) => b.endpoint);
      if (svc) raise(this.o, svc, 'warning', 'would-break-service', `a change by ${actor.label} was refused: it would have left ${eps.join(', ')} with no TLSA record for the key presented`);
    }
  }

  private review(touched: readonly Touched[], ctx: GuardContext, mayRoll: boolean): GuardReview & { rolls: Roll[] } {
    const notes: GuardNote[] = [];
    const rolls: Roll[] = [];
    const refusals: string[] = [];
    const broken: Break[] = [];
    let field: string | undefined;
    for (const t of touched) {
      const breaks = this.breaks(t, ctx.now);
      if (!breaks.length) continue;
      const eps = breaks.map((b) => `${b.endpoint} (key SPKI SHA-256 ${b.spki})`).join(', ');
      if (ctx.force) {
        notes.push({ kind: 'forced', service: t.svc.name, detail: `${t.svc.name}: forced: ${eps} present a key no TLSA record names any more (records now ${text(t.after.map(tlsaRecord))})` });
        continue;
      }
      const roll = mayRoll ? this.asRollover(t) : 'a zone replaced whole is not made a rollover';
      if (typeof roll !== 'string') {
        rolls.push(roll);
        notes.push({ kind: 'rollover', service: t.svc.name, detail: `${t.svc.name}: ${eps} present a key the new records do not name: the current records stay and ${text(roll.next)} are published as the next key's (RFC 7671 §8)` });
        continue;
      }
      broken.push(...breaks);
      field ??= t.field;
      refusals.push(`${t.svc.name}: ${eps} present a key that no TLSA record would name after this change (records as changed: ${text(t.after.map(tlsaRecord))}); DANE clients would fail. Not taken as a rollover: ${roll}`);
    }
    if (refusals.length) {
      throw new WouldBreakServiceError(`${refusals.join('; ')}. Publish the next key beside the current one first (daneprime service next, POST …/services/{name}/next), or have an admin force the change`, field, broken);
    }
    const written = rolls.length ? (serial: number) => this.startRollovers(rolls, serial) : undefined;
    const forced = notes.filter((n) => n.kind === 'forced');
    const warn = forced.length ? () => {
      for (const n of forced) {
        const svc = this.checks.service(n.service);
        if (svc) raise(this.o, svc, 'warning', 'forced-break', n.detail);
      }
    } : undefined;
    return { notes, rolls, written: written || warn ? (serial) => { written?.(serial); warn?.(); } : undefined };
  }

  /**
   * The endpoints whose key, as last presented, the RRset as stored names and the RRset as
   * changed would not: held against the chain each sent, by the checks' own matcher. A change
   * that leaves the RRset as it is (a renewal that kept the key), a service never checked, and
   * an endpoint the stored RRset already fails are none of the guard's business.
   */
  private breaks(t: Touched, now: number): Break[] {
    if (sameSet(t.before, t.after)) return [];
    const last = this.checks.checks(t.svc.id, 1)[0];
    if (!last) return [];
    const before = t.before.map(tlsaRecord), after = t.after.map(tlsaRecord);
    const { names } = serviceNames(t.svc);
    const out: Break[] = [];
    for (const e of (JSON.parse(last.result) as CheckJson).endpoints) {
      const f = this.checks.lastFingerprint(t.svc.id, e.address);
      const chain = f?.chain ? pemChain(f.chain) : [];
      if (!chain.length) continue;
      const ctx = { chain, names, now: new Date(now * 1000) };
      const matches = (rs: TlsaRecord[]) => evaluateRRset(rs, ctx).some((o) => o.matched);
      if (matches(before) && !matches(after)) out.push({ service: t.svc.name, endpoint: e.address, spki: f!.spki_sha256 });
    }
    return out;
  }

  /** The change as a rollover, or why it cannot be one: the records it adds must each be a next record of the current set. */
  private asRollover(t: Touched): Roll | string {
    const row = RolloverStore.of(this.o.store).one(t.svc.id);
    if (row && row.state !== 'steady') return `a rollover of ${t.svc.name} is under way (${row.state})`;
    const current = t.before.map(tlsaRecord);
    const have = new Set(current.map((r) => r.text));
    const fresh = t.after.map(tlsaRecord).filter((r) => !have.has(r.text));
    if (!fresh.length) return 'it adds no record for another key, it only removes records';
    const next: TlsaRecord[] = [];
    for (const r of fresh) {
      try {
        next.push(...nextRecords(current, { data: r.data.toString('hex'), usage: r.usage, selector: r.selector, matching: r.matching }));
      } catch (err) {
        if (err instanceof RolloverError) return `${r.text} cannot be a next record: ${err.message}`;
        throw err;
      }
    }
    return { svc: t.svc, current, next, ttlBefore: t.ttlBefore ?? 0 };
  }

  /** The rollovers' rows, in the commit's transaction, with the serial that published the next records: the engine moves them on. */
  private startRollovers(rolls: readonly Roll[], serial: number): void {
    const nowMs = (this.o.nowMs ?? Date.now)();
    const rs = RolloverStore.of(this.o.store);
    for (const r of rolls) {
      const row = publishingRow(this.o.store, r.svc, r.current, r.next, nowMs);
      rs.put({ ...row, serial, committed_at: nowMs, max_ttl: Math.max(row.max_ttl, r.ttlBefore) });
      this.o.log?.(`rollover ${r.svc.name}: steady → publishing: a replacement of its TLSA records taken as a rollover; next records ${text(r.next)} published in serial ${serial}`);
      raise(this.o, r.svc, 'notice', 'rollover-started', `a replacement of the TLSA records was taken as a rollover: the current records (${text(r.current)}) stay, ${text(r.next)} published as the next key's in serial ${serial}`);
    }
  }
}

/** Chains parsed, by their PEM: a key changes rarely, and parsing costs more than matching. */
const parsed = new Map<string, X509Certificate[]>();
const PARSED_MAX = 256;

/** The certificates of a chain kept as PEM, leaf first. */
function pemChain(pem: string): X509Certificate[] {
  let chain = parsed.get(pem);
  if (!chain) {
    chain = (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((c) => new X509Certificate(c));
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
    parsed.set(pem, chain);
  }
  return chain;
}
