// The transfer stage of the query path: AXFR/IXFR and incoming NOTIFY, with TSIG and the per-zone ACL.
import type { Store } from '../../zones/store/sqlite.js';
import type { XfrStore } from '../../zones/store/xfr-sqlite.js';
import type { Registry } from '../../zones/registry.js';
import type { DnssecService } from '../../signer/service.js';
import { RRType, typeToText } from '../../zones/model/types.js';
import type { Zone } from '../../zones/zone.js';
import { Opcode, Rcode, type Query } from '../wire/parse.js';
import { encodeBare } from '../wire/encode.js';
import { MessageBuilder } from '../wire/message-builder.js';
import { rrEntry, type RREntry } from '../wire/response.js';
import { remoteText, type Responder, type ReplyStream } from '../query/responder.js';
import { verifyTsig, TsigSigner, unsignedTsigError, badTimeSigner, type TsigKey } from '../wire/tsig.js';
import { lookupTsigKey } from './keys.js';
import { transferAllowed, plainAddress } from './acl.js';
import { axfrEntries } from './axfr.js';
import { ZoneSnapshot } from '../../zones/snapshot.js';
import { clientSerial, ixfrEntries, serialAtLeast, currentSerial, stepsServable } from './ixfr.js';
import { streamEntries } from './stream.js';

import type { JournalSource } from './journal.js';
import type { Logger } from '../log.js';
import type { Name } from '../../zones/model/name.js';

export interface XfrDeps {
  store: Store;
  xs: XfrStore;
  zones: Registry;
  dnssec?: DnssecService;
  log: Logger;
  now: () => number;
  /** Counts each transfer request by its end: done, refused or failed (metrics). */
  observe?: (zone: Name | undefined, type: string, result: 'done' | 'refused' | 'failed') => void;
  /** Clock for TSIG times (the peer checks them against its clock); defaults to `now`. */
  tsigNow?: () => number;
  journal?: JournalSource;
  /**
   * Answers an ordinary query (the TSIG record taken off): a signed query gets that answer,
   * signed (RFC 8945 §5.3). Secondaries ask for the SOA this way before a transfer.
   */
  answer?: (msg: Buffer, responder: Responder) => Buffer | undefined;
}

export class XfrService {
  constructor(private readonly d: XfrDeps) {}

  /** The QueryContext.special hook: true when the message was ours to answer. */
  readonly special = (q: Query, msg: Buffer, responder: Responder): boolean => {
    // We are the primary: NOTIFY is something we send, not something we act on (RFC 1996 §3.10).
    if (q.opcode === Opcode.NOTIFY) { responder.reply(encodeBare(q.id, q.flags, Rcode.REFUSED, q)); return true; }
    if (q.opcode !== Opcode.QUERY) return false;
    const transferType = q.qtype === RRType.AXFR || q.qtype === RRType.IXFR;
    if (!transferType && (q.tsigOffset === undefined || !this.d.answer)) return false;
    const from = plainAddress(remoteText(responder.remote));
    const auth = this.authenticate(q, msg, from, transferType);
    const reply = Buffer.isBuffer(auth) ? auth
      : transferType ? this.transfer(q, responder, from, msg, auth)
      : auth && this.signedQuery(q, responder, msg, auth);
    if (reply) responder.reply(reply);
    return true;
  };

  /**
   * A request's TSIG (RFC 8945 §5.2): undefined for an unsigned request, the key and request
   * MAC for a valid one, or the error reply — NOTAUTH with the TSIG error; only BADTIME is signed.
   */
  private authenticate(q: Query, msg: Buffer, from: string, transferType: boolean): Buffer | { key: TsigKey; mac: Buffer } | undefined {
    if (q.tsigOffset === undefined) return undefined;
    const tsigNow = this.d.tsigNow ?? this.d.now;
    const now = tsigNow();
    const v = verifyTsig(msg, q.tsigOffset, (n) => lookupTsigKey(this.d.xs, n), now);
    if (v.ok) return { key: v.key, mac: v.record.mac };
    const reason = `TSIG ${v.reason}`;
    if (transferType) this.refused(q, from, undefined, reason);
    else this.d.log(`xfr: refused ${typeToText(q.qtype)} ${q.qname} from ${from}: ${reason}`, { level: 'warn' });
    const bare = encodeBare(q.id, q.flags, Rcode.NOTAUTH, q);
    return v.key ? badTimeSigner(v.key, v.record.mac, tsigNow).sign(bare) : unsignedTsigError(bare, v.record, v.error, now);
  }

  /** A signed ordinary query: the answer it would get unsigned, signed with the request's key (RFC 8945 §5.3). */
  private signedQuery(q: Query, responder: Responder, msg: Buffer, auth: { key: TsigKey; mac: Buffer }): Buffer | undefined {
    const stripped = Buffer.from(msg.subarray(0, q.tsigOffset));
    stripped.writeUInt16BE(q.arcount - 1, 10);
    const reply = this.d.answer!(stripped, responder);
    return reply && new TsigSigner(auth.key, auth.mac, this.d.tsigNow ?? this.d.now).sign(reply);
  }

  /** The one reply to a transfer request, or undefined when the transfer streams its messages itself. */
  private transfer(q: Query, responder: Responder, remote: string, msg: Buffer, auth: { key: TsigKey; mac: Buffer } | undefined): Buffer | undefined {
    const stream = responder.stream;
    const tsigNow = this.d.tsigNow ?? this.d.now;
    const key = auth?.key;
    const signer = () => (auth ? new TsigSigner(auth.key, auth.mac, tsigNow) : undefined);
    const single = (m: Buffer) => signer()?.sign(m) ?? m;
    const zone = this.d.zones.get(q.qname);
    // RFC 5936 §2.2.1: not authoritative for this zone → NOTAUTH.
    if (!zone) {
      this.refused(q, remote, key?.name, 'not a zone of this server');
      return single(encodeBare(q.id, q.flags, Rcode.NOTAUTH, q));
    }
    const acl = transferAllowed(this.d.store, this.d.xs, zone.apex, remote, key?.name ?? null);
    if (!acl.allowed) {
      this.refused(q, remote, key?.name, acl.reason, zone.apex);
      return single(encodeBare(q.id, q.flags, Rcode.REFUSED, q));
    }
    if (q.qtype === RRType.IXFR) {
      const have = clientSerial(msg, q);
      if (have === undefined) {
        this.refused(q, remote, key?.name, 'no SOA in the authority section (RFC 1995 §3)', zone.apex);
        return single(encodeBare(q.id, q.flags, Rcode.FORMERR, q));
      }
      // Current client, or UDP: one SOA tells it our version (RFC 1995 §2, §4).
      if (!stream || serialAtLeast(have, currentSerial(zone.soa))) {
        this.ended(q, remote, key?.name, zone.apex, 'done', { style: 'SOA only', serial: currentSerial(zone.soa), client_serial: have });
        return single(this.soaOnly(q, zone));
      }
      void this.run(q, remote, key?.name, zone, stream, signer(), have);
      return undefined;
    }
    // RFC 5936 §4.2: AXFR is a TCP-only affair.
    if (!stream) {
      this.refused(q, remote, key?.name, 'AXFR over UDP (RFC 5936 §4.2)', zone.apex);
      return single(encodeBare(q.id, q.flags, Rcode.NOTIMP, q));
    }
    void this.run(q, remote, key?.name, zone, stream, signer());
    return undefined;
  }

  private refused(q: Query, client: string, key: string | undefined, reason: string, zone?: Name): void {
    this.ended(q, client, key, zone, 'refused', { reason });
  }

  /**
   * Every transfer request ends here: one `xfr.transfer` log event with what was sent (or why
   * not), and one count.
   */
  private ended(q: Query, client: string, key: string | undefined, zone: Name | undefined, result: 'done' | 'refused' | 'failed', facts: Record<string, unknown>): void {
    const type = typeToText(q.qtype);
    const what = `${type} ${q.qname} from ${client}${key ? ` (key ${key})` : ''}`;
    const text = result === 'done'
      ? `xfr: ${what}: ${String(facts.style)}, serial ${String(facts.serial)}${facts.records !== undefined ? `: ${String(facts.records)} records in ${String(facts.messages)} messages, ${String(facts.bytes)} bytes, ${String(facts.ms)} ms` : ''}${facts.commits_meanwhile ? ' (commits landed meanwhile)' : ''}`
      : result === 'refused' ? `xfr: refused ${what}: ${String(facts.reason)}` : `xfr: ${what}: failed: ${String(facts.error)}`;
    this.d.log(text, {
      event: 'xfr.transfer', level: result === 'done' ? 'info' : result === 'refused' ? 'warn' : 'error',
      zone: q.qname, type, client, ...(key ? { key } : {}), result, ...facts,
    });
    this.d.observe?.(zone, type, result);
  }

  private soaOnly(q: Query, zone: Zone): Buffer {
    const b = new MessageBuilder({ id: q.id, flags: q.flags, questionWire: q.questionWire, qname: q.qname }, 4096);
    b.add(rrEntry(zone.apex, zone.soa));
    return b.finish({ aa: true, edns: q });
  }

  /**
   * Stream AXFR (or IXFR from `have`): incremental when the journal reaches, AXFR-style
   * otherwise (RFC 1995 §4). The reply shows the version current when it started: a snapshot
   * of the zone is pinned for as long as it streams, so commits land meanwhile without
   * stopping it, and the journal's steps are read at once.
   */
  private async run(q: Query, remote: string, key: string | undefined, zone: Zone, sink: ReplyStream, tsig: TsigSigner | undefined, have?: number): Promise<void> {
    const started = Date.now();
    const now = this.d.now();
    const soa = zone.soa;
    const serial = currentSerial(soa);
    // Journal steps are read whole here; a whole zone is read through a snapshot pinned now.
    const journaled = have !== undefined ? this.d.journal?.steps(zone.apex, have, serial) : undefined;
    const steps = journaled && stepsServable(journaled, now) ? journaled : undefined;
    const snapshot = steps ? undefined : new ZoneSnapshot(zone);
    let entries: Iterable<RREntry>;
    let style = 'AXFR';
    if (steps) { entries = ixfrEntries(soa, steps); style = `IXFR ${have}→${serial}, ${steps.length} step(s)`; }
    else {
      const signer = this.d.dnssec?.forZone(zone);
      entries = axfrEntries(snapshot!, signer ? { signer, ctx: signer.context } : undefined, now);
      if (have !== undefined) style = `AXFR-style IXFR from ${have}${journaled ? ' (the journal\'s signatures are outside their validity now)' : ''}`;
    }
    try {
      const r = await streamEntries(entries, { q, sink, tsig });
      this.ended(q, remote, key, zone.apex, 'done', {
        style, serial, ...(have !== undefined ? { client_serial: have } : {}), records: r.records, messages: r.messages, bytes: r.bytes,
        ms: Date.now() - started, ...(snapshot?.changed ? { commits_meanwhile: true } : {}),
      });
    } catch (err) {
      this.ended(q, remote, key, zone.apex, 'failed', { serial, error: (err as Error).stack ?? String(err) });
      sink.close();
    } finally {
      snapshot?.close();
    }
  }
}
