// NOTIFY (RFC 1996) to every secondary of a zone on each change: UDP, TSIG when the peer has a key, retries with backoff.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import type { RRset } from '../../zones/model/rrset.js';
import type { Store } from '../../zones/store/sqlite.js';
import type { XfrStore } from '../../zones/store/xfr-sqlite.js';
import { MessageBuilder } from '../wire/message-builder.js';
import { questionWire } from '../wire/encode.js';
import { rrEntry } from '../wire/response.js';
import { Opcode, Rcode } from '../wire/parse.js';
import { notifyTargets, type SecondarySpec } from './acl.js';
import { lookupTsigKey } from './keys.js';
import { TsigSigner } from '../wire/tsig.js';
import type { Logger } from '../log.js';
import { soaSerial } from '../../zones/model/rdata/soa.js';

export interface NotifyOptions {
  /** Sends per change and target, first one included (RFC 1996 §3.6 suggests a handful). */
  tries?: number;
  /** Wait before the first retry; doubled after each (RFC 1996 §3.6: retransmit with backoff). */
  initialTimeoutMs?: number;
  /** Called when a NOTIFY to a target is first sent (the secondary monitor then asks what it serves, a few times). */
  sent?: (apex: Name, target: SecondarySpec) => void;
  /** Told how each NOTIFY to a target ended (metrics). */
  ended?: (apex: Name, result: NotifyResult) => void;
}

/** How a NOTIFY to one secondary ended. */
export type NotifyResult = 'acknowledged' | 'rejected' | 'unanswered' | 'failed';

/** The NOTIFY request: opcode NOTIFY, AA, question <zone> SOA IN, the new SOA in the answer (RFC 1996 §3.7). */
export function notifyMessage(apex: Name, soa: RRset, id: number): Buffer {
  const b = new MessageBuilder({ id, flags: (Opcode.NOTIFY << 11) | 0x0400, questionWire: questionWire(apex, RRType.SOA), qname: apex }, 4096);
  b.add(rrEntry(apex, soa));
  return b.finish({ request: true });
}

export class Notifier {
  /** One retry loop per zone and target; a newer change replaces the older loop. */
  private readonly pending = new Map<string, () => void>();
  private readonly tries: number;
  private readonly initialMs: number;
  private readonly sent: NotifyOptions['sent'];
  private readonly onEnd: NotifyOptions['ended'];
  /** Completed notifications (acknowledged by the peer), for tests and metrics. */
  acked = 0;

  constructor(private readonly store: Store, private readonly xs: XfrStore, private readonly log: Logger,
    private readonly now: () => number, opts: NotifyOptions = {}) {
    this.tries = opts.tries ?? 5;
    this.initialMs = opts.initialTimeoutMs ?? 1000;
    this.sent = opts.sent;
    this.onEnd = opts.ended;
  }

  /** Tell every secondary of `apex` that its SOA is now `soa`. Targets are read from the store each time. */
  notifyZone(apex: Name, soa: RRset): void {
    for (const t of notifyTargets(this.store, this.xs, apex)) this.start(apex, soa, t);
  }

  private start(apex: Name, soa: RRset, t: SecondarySpec): void {
    const id = `${apex} ${t.address} ${t.port}`;
    this.pending.get(id)?.();
    const sock = dgram.createSocket(isIPv6(t.address) ? 'udp6' : 'udp4');
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const serial = soaSerial(soa.rdatas[0]);
    // One `notify` log event per zone, secondary and change, when it ends.
    const end = (result: NotifyResult, detail: string, more: Record<string, unknown> = {}) => {
      this.log(`notify ${apex} to ${t.address}:${t.port}: ${detail}`, {
        event: 'notify', level: result === 'acknowledged' ? 'info' : 'warn',
        zone: apex, secondary: `${t.address}:${t.port}`, serial, result, attempts: attempt, ...(t.tsigKey ? { key: t.tsigKey } : {}), ...more,
      });
      this.onEnd?.(apex, result);
    };
    let attempt = 0;
    const stop = () => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      sock.close();
      if (this.pending.get(id) === stop) this.pending.delete(id);
    };
    this.pending.set(id, stop);
    const key = t.tsigKey ? lookupTsigKey(this.xs, t.tsigKey) : undefined;
    if (t.tsigKey && !key) { end('failed', `TSIG key ${t.tsigKey} is gone; not sent`); stop(); return; }
    const msgId = randomInt(0, 65536);
    let msg = notifyMessage(apex, soa, msgId);
    if (key) msg = new TsigSigner(key, undefined, this.now).sign(msg);
    sock.on('error', (err) => { if (!done) end('failed', err.message); stop(); });
    sock.on('message', (reply) => {
      // Only a reply to our request counts (RFC 1996 §4.7: same ID, QR set, opcode NOTIFY).
      if (reply.length < 12 || reply.readUInt16BE(0) !== msgId || !(reply[2] & 0x80) || ((reply[2] >> 3) & 0xf) !== Opcode.NOTIFY) return;
      const rcode = reply[3] & 0xf;
      if (rcode === Rcode.NOERROR) { this.acked++; end('acknowledged', `acknowledged, serial ${serial}`); }
      else end('rejected', `answered rcode ${rcode}; not retrying`, { rcode });
      stop();
    });
    const send = () => {
      if (done) return;
      if (attempt >= this.tries) { end('unanswered', `no answer after ${attempt} tries`); stop(); return; }
      const wait = this.initialMs * 2 ** attempt++;
      sock.send(msg, t.port, t.address);
      timer = setTimeout(send, wait);
    };
    send();
    this.sent?.(apex, t);
  }

  close(): void {
    for (const stop of [...this.pending.values()]) stop();
  }
}
