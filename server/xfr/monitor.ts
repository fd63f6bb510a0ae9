// What each secondary really serves: its SOA serial, asked after every NOTIFY and once per refresh interval, stored with its state and lag.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import net, { isIPv6 } from 'node:net';
import type { Name } from '../../zones/model/name.js';
import { readWireName } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { soaSerial, soaRefresh } from '../../zones/model/rdata/index.js';
import type { Store } from '../../zones/store/sqlite.js';
import type { XfrStore } from '../../zones/store/xfr-sqlite.js';
import type { Registry } from '../../zones/registry.js';
import { SecondaryStatusStore, type SecondaryState, type SecondaryStatusRow } from '../../zones/store/secondary-status-sqlite.js';
import { MessageBuilder } from '../wire/message-builder.js';
import { questionWire } from '../wire/encode.js';
import { Rcode } from '../wire/parse.js';
import { notifyTargets, type SecondarySpec } from './acl.js';
import { serialAtLeast } from './ixfr.js';

/** Something an operator should hear about a secondary. */
export interface SecondaryEvent {
  level: 'critical' | 'warning' | 'notice';
  zone: Name;
  secondary: string;
  message: string;
}

export interface MonitorOptions {
  /** How long one SOA query waits for its answer (one retry after it). */
  timeoutMs?: number;
  /** How often the schedule looks for secondaries due a check. */
  tickMs?: number;
  /** After a NOTIFY is sent: ask after these delays (ms), stopping once the secondary is current. */
  afterNotifyMs?: readonly number[];
}

/** A secondary's status as shown to operators (CLI `zone secondary list --json`, the API, metrics). */
export interface SecondaryStatus {
  address: string;
  port: number;
  /** The serial it served when last asked; null before it ever answered. */
  serial: number | null;
  /** Seconds since the first version it lacks was committed; 0 when current, null when unknown. */
  lagSeconds: number | null;
  /** ISO 8601: when it last answered an SOA query. */
  lastAnswer: string | null;
  state: SecondaryState | 'unknown';
  /** What the last check saw, in words (the rcode, the timeout). */
  detail: string;
}

/** While a secondary has an event of one kind this recent, other zones' changes of that kind are counted, not raised. */
export const QUIET_S = 600;

const label = (t: Pick<SecondarySpec, 'address' | 'port'>) => (t.address.includes(':') ? `[${t.address}]:${t.port}` : `${t.address}:${t.port}`);

/** The stored status of every NOTIFY target of `apex` (its own secondaries and its catalog's), for display. */
export function secondaryStatus(store: Store, xs: XfrStore, apex: Name, now: number): SecondaryStatus[] {
  const row = store.zone(apex);
  if (!row) return [];
  const stored = SecondaryStatusStore.of(store);
  return notifyTargets(store, xs, apex).map((t) => {
    const s = stored.one(row.id, t.address, t.port);
    return {
      address: t.address, port: t.port, serial: s?.serial ?? null,
      lagSeconds: !s || s.serial === null ? null : s.behind_since === null ? 0 : Math.max(0, now - s.behind_since),
      lastAnswer: s?.last_answer ? new Date(s.last_answer * 1000).toISOString() : null,
      state: s?.state ?? 'unknown', detail: s?.detail ?? 'not asked yet',
    };
  });
}

/** The serial in the SOA of an answer's answer section, if any. */
export function answeredSerial(msg: Buffer): number | undefined {
  try {
    const qd = msg.readUInt16BE(4), an = msg.readUInt16BE(6);
    let off = 12;
    for (let i = 0; i < qd; i++) off = readWireName(msg, off).next + 4;
    for (let i = 0; i < an; i++) {
      off = readWireName(msg, off).next;
      const type = msg.readUInt16BE(off), rdlen = msg.readUInt16BE(off + 8);
      const rdata = off + 10;
      if (type === RRType.SOA) {
        const afterNames = readWireName(msg, readWireName(msg, rdata).next).next;
        return msg.readUInt32BE(afterNames);
      }
      off = rdata + rdlen;
    }
  } catch { /* malformed: no serial */ }
  return undefined;
}

/**
 * Asks secondaries for their SOA serial (RFC 1996 §3.11 lets a primary do so), in the leader
 * process only: after every NOTIFY (a few times, until the secondary is current) and, for
 * every secondary, once per the zone's SOA refresh interval. Results go to SQLite, where any
 * worker reads them; events are raised on the way into and out of trouble: a secondary that
 * lags by more than the refresh interval, refuses the zone, or does not answer.
 */
export class SecondaryMonitor {
  private readonly stored: SecondaryStatusStore;
  private readonly timers = new Set<NodeJS.Timeout>();
  private tick: NodeJS.Timeout | undefined;
  /** Secondaries an event was raised for and not yet cleared: "zone address port". */
  private readonly troubled = new Set<string>();
  /** The last event per secondary and kind, and the zones' changes counted into the next one. */
  private readonly lastEvent = new Map<string, { at: number; held: number }>();
  private readonly timeoutMs: number;
  private readonly afterNotifyMs: readonly number[];
  private closed = false;

  constructor(private readonly store: Store, private readonly xs: XfrStore, private readonly zones: Registry,
    private readonly log: (m: string) => void, private readonly now: () => number,
    private readonly onEvent: (e: SecondaryEvent) => void = () => {}, private readonly opts: MonitorOptions = {}) {
    this.stored = SecondaryStatusStore.of(store);
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.afterNotifyMs = opts.afterNotifyMs ?? [1000, 3000, 10_000, 30_000];
  }

  /** Check every secondary whose last check is older than its zone's refresh interval, every tick. */
  start(): void {
    const run = () => { for (const apex of this.zones.apexes()) this.checkDue(apex); };
    this.tick = setInterval(run, this.opts.tickMs ?? 30_000);
    this.tick.unref();
    run();
  }

  /**
   * A NOTIFY went to `target`: ask what it serves shortly after (a secondary fetches within a
   * second or two), and again while it is behind, whether or not it answers the NOTIFY.
   */
  afterNotify(apex: Name, target: SecondarySpec): void {
    const step = (i: number) => {
      if (this.closed || i >= this.afterNotifyMs.length) return;
      this.later(this.afterNotifyMs[i], async () => {
        const s = await this.check(apex, target);
        if (s && s.state !== 'current') step(i + 1);
      });
    };
    step(0);
  }

  close(): void {
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => Promise<unknown>): void {
    const t = setTimeout(() => { this.timers.delete(t); void fn().catch((err: Error) => this.log(`secondary check failed: ${err.message}`)); }, ms);
    t.unref();
    this.timers.add(t);
  }

  private checkDue(apex: Name): void {
    const row = this.store.zone(apex);
    const zone = this.zones.get(apex);
    if (!row || !zone) return;
    const refresh = soaRefresh(zone.soa.rdatas[0]);
    for (const t of notifyTargets(this.store, this.xs, apex)) {
      const s = this.stored.one(row.id, t.address, t.port);
      if (!s || this.now() - s.checked_at >= refresh) void this.check(apex, t).catch((err: Error) => this.log(`secondary check failed: ${err.message}`));
    }
  }

  /** Ask `target` for the SOA of `apex` now; store and return what it said. */
  async check(apex: Name, target: SecondarySpec): Promise<SecondaryStatusRow | undefined> {
    const reply = await this.askSoa(apex, target);
    const row = this.store.zone(apex);
    const zone = this.zones.get(apex);
    if (!row || !zone || this.closed) return undefined;
    const now = this.now();
    const ours = soaSerial(zone.soa.rdatas[0]);
    const before = this.stored.one(row.id, target.address, target.port);
    let state: SecondaryState;
    let serial = before?.serial ?? null;
    let lastAnswer = before?.last_answer ?? null;
    let detail: string;
    const theirs = reply && (reply[3] & 0xf) === Rcode.NOERROR ? answeredSerial(reply) : undefined;
    if (!reply) { state = 'unreachable'; detail = `no answer to an SOA query in ${2 * this.timeoutMs} ms`; }
    else if (theirs === undefined) {
      state = 'refused';
      lastAnswer = now;
      detail = `answered the SOA query with rcode ${reply[3] & 0xf}${(reply[2] & 0x04) ? '' : ', not authoritative'}: it does not serve the zone`;
    } else {
      serial = theirs;
      lastAnswer = now;
      state = theirs === ours ? 'current' : 'behind';
      detail = state === 'current' ? `serves serial ${theirs}` : `serves serial ${theirs}; the primary serves ${ours}`;
    }
    // Lag counts from the commit of the first version it lacks (the journal step from its
    // serial), else from when it was first seen behind.
    let behindSince: number | null = null;
    if (serial !== null && serial !== ours) {
      behindSince = before?.behind_since ?? this.firstMissing(row.id, serial) ?? now;
      if (serialAtLeast(serial, ours)) detail += ' (ahead of the primary: was the zone made again with a lower serial?)';
    }
    const next: SecondaryStatusRow = {
      zone_id: row.id, address: target.address, port: target.port, state, serial, last_answer: lastAnswer, checked_at: now, behind_since: behindSince, detail,
    };
    this.stored.put(next);
    this.raise(apex, target, soaRefresh(zone.soa.rdatas[0]), next, now);
    return next;
  }

  private firstMissing(zoneId: number, serial: number): number | undefined {
    for (const step of this.xs.journalFrom(zoneId, serial)) return step.at;
    return undefined;
  }

  /**
   * Events on the way into trouble (once per zone) and out of it. One secondary serves many
   * zones (a catalog's consumer serves every member): while it has an event of the same kind
   * from the last QUIET_S seconds, a zone's change is counted into the next one instead of
   * raised on its own, so a consumer that is down, or still loading 10,000 members, makes one
   * event, not 10,000.
   */
  private raise(apex: Name, t: SecondarySpec, refresh: number, s: SecondaryStatusRow, now: number): void {
    const key = `${apex} ${t.address} ${t.port}`;
    const who = label(t);
    let trouble: string | undefined;
    let kind: string;
    if (s.state === 'refused' || s.state === 'unreachable') { trouble = `${s.state}: ${s.detail}`; kind = s.state; }
    else if (s.state === 'behind' && s.behind_since !== null && now - s.behind_since > refresh) {
      trouble = `lags ${now - s.behind_since} s, more than the zone's refresh interval (${refresh} s): ${s.detail}`;
      kind = 'lagging';
    } else kind = 'current';
    if (trouble && !this.troubled.has(key)) {
      this.troubled.add(key);
      this.emit(who, kind, now, 'warning', apex, trouble);
    } else if (!trouble && s.state === 'current' && this.troubled.delete(key)) {
      this.emit(who, kind, now, 'notice', apex, `current again (serial ${s.serial})`);
    }
  }

  /** Raise, or count into the next event of this secondary and kind while one is recent. */
  private emit(who: string, kind: string, now: number, level: SecondaryEvent['level'], zone: Name, text: string): void {
    const k = `${who} ${kind}`;
    const last = this.lastEvent.get(k);
    if (last && now - last.at < QUIET_S) { last.held++; return; }
    const more = last?.held ? ` (and ${last.held} more zone(s) since the last such event)` : '';
    this.lastEvent.set(k, { at: now, held: 0 });
    this.log(`secondary ${who} of ${zone}: ${text}${more}`);
    this.onEvent({ level, zone, secondary: who, message: `secondary ${who} ${text}${more}` });
  }

  private askSoa(apex: Name, t: SecondarySpec): Promise<Buffer | undefined> {
    return querySoa(apex, t, 'udp', this.timeoutMs);
  }
}

/**
 * One SOA query to a secondary over UDP (one retry) or TCP (RFC 7766 framing); undefined
 * without an answer. Unsigned: a secondary answers its zone's SOA to anyone, and one that
 * lost the transfer key would answer a signed query with BADKEY, hiding the serial it serves.
 */
export function querySoa(apex: Name, t: Pick<SecondarySpec, 'address' | 'port'>, transport: 'udp' | 'tcp', timeoutMs = 2000): Promise<Buffer | undefined> {
  return queryOnce(apex, RRType.SOA, 0, t, transport, timeoutMs);
}

/**
 * One query (`flags`: the header's second 16 bits, e.g. RD) over UDP (one retry) or TCP
 * (RFC 7766 framing): the reply with the query's ID, or undefined without one in time.
 */
export function queryOnce(qname: Name, qtype: number, flags: number, t: Pick<SecondarySpec, 'address' | 'port'>, transport: 'udp' | 'tcp', timeoutMs = 2000): Promise<Buffer | undefined> {
  const id = randomInt(0, 65536);
  const msg = new MessageBuilder({ id, flags, questionWire: questionWire(qname, qtype), qname }, 512).finish({ request: true });
  const ok = (reply: Buffer) => reply.length >= 12 && reply.readUInt16BE(0) === id && (reply[2] & 0x80) !== 0;
  if (transport === 'tcp') {
    return new Promise((resolve) => {
      const sock = net.connect({ host: t.address, port: t.port });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => done(undefined), 2 * timeoutMs);
      const done = (r: Buffer | undefined) => { clearTimeout(timer); sock.destroy(); resolve(r); };
      sock.on('error', () => done(undefined));
      sock.on('close', () => done(undefined));
      sock.on('connect', () => { const len = Buffer.alloc(2); len.writeUInt16BE(msg.length); sock.write(Buffer.concat([len, msg])); });
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length > 65537) { done(undefined); return; }
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const reply = buf.subarray(2, 2 + buf.readUInt16BE(0));
          done(ok(reply) ? reply : undefined);
        }
      });
    });
  }
  return new Promise((resolve) => {
    const sock = dgram.createSocket(isIPv6(t.address) ? 'udp6' : 'udp4');
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (r: Buffer | undefined) => { if (timer) clearTimeout(timer); try { sock.close(); } catch { /* closed */ } resolve(r); };
    sock.on('error', () => done(undefined));
    sock.on('message', (reply) => { if (ok(reply)) done(reply); });
    const send = () => {
      if (tries++ >= 2) { done(undefined); return; }
      sock.send(msg, t.port, t.address);
      timer = setTimeout(send, timeoutMs);
    };
    send();
  });
}
