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
import { clientSerial, ixfrEntries, serialAtLeast, currentSerial, type JournalStep } from './ixfr.js';
import { streamEntries } from './stream.js';

/** Where IXFR finds its difference sequences; undefined when the journal does not reach `from`. */
export interface JournalSource {
  steps(apex: string, from: number, to: number): JournalStep[] | undefined;
  /** The secondary now holds `serial` as this process served it (its signatures are ours). */
  served(apex: string, serial: number): void;
}

export interface XfrDeps {
  store: Store;
  xs: XfrStore;
  zones: Registry;
  dnssec?: DnssecService;
  log: (m: string) => void;
  now: () => number;
  /** Clock for TSIG times (the peer checks them against its clock); defaults to `now`. */
  tsigNow?: () => number;
  journal?: JournalSource;
}

export class XfrService {
  constructor(private readonly d: XfrDeps) {}

  /** The QueryContext.special hook: true when the message was ours to answer. */
  readonly special = (q: Query, msg: Buffer, responder: Responder): boolean => {
    // We are the primary: NOTIFY is something we send, not something we act on (RFC 1996 §3.10).
    if (q.opcode === Opcode.NOTIFY) { responder.reply(encodeBare(q.id, q.flags, Rcode.REFUSED, q)); return true; }
    if (q.opcode !== Opcode.QUERY || (q.qtype !== RRType.AXFR && q.qtype !== RRType.IXFR)) return false;
    const reply = this.transfer(q, responder, plainAddress(remoteText(responder.remote)), msg);
    if (reply) responder.reply(reply);
    return true;
  };

  /** The one reply to a transfer request, or undefined when the transfer streams its messages itself. */
  private transfer(q: Query, responder: Responder, remote: string, msg: Buffer): Buffer | undefined {
    const stream = responder.stream;
    const tsigNow = this.d.tsigNow ?? this.d.now;
    const now = tsigNow();
    const what = `${typeToText(q.qtype)} ${q.qname} from ${remote}`;
    let key: TsigKey | undefined;
    let requestMac: Buffer | undefined;
    if (q.tsigOffset !== undefined) {
      const v = verifyTsig(msg, q.tsigOffset, (n) => lookupTsigKey(this.d.xs, n), now);
      if (!v.ok) {
        // RFC 8945 §5.2: TSIG failures are NOTAUTH with the TSIG error; only BADTIME is signed.
        this.d.log(`xfr: refused ${what}: TSIG ${v.reason}`);
        const bare = encodeBare(q.id, q.flags, Rcode.NOTAUTH, q);
        return v.key ? badTimeSigner(v.key, v.record.mac, tsigNow).sign(bare) : unsignedTsigError(bare, v.record, v.error, now);
      }
      key = v.key;
      requestMac = v.record.mac;
    }
    const signer = () => (key ? new TsigSigner(key, requestMac, tsigNow) : undefined);
    const single = (m: Buffer) => signer()?.sign(m) ?? m;
    const zone = this.d.zones.get(q.qname);
    // RFC 5936 §2.2.1: not authoritative for this zone → NOTAUTH.
    if (!zone) return single(encodeBare(q.id, q.flags, Rcode.NOTAUTH, q));
    const acl = transferAllowed(this.d.store, this.d.xs, zone.apex, remote, key?.name ?? null);
    if (!acl.allowed) {
      this.d.log(`xfr: refused ${what}${key ? ` (key ${key.name})` : ''}: ${acl.reason}`);
      return single(encodeBare(q.id, q.flags, Rcode.REFUSED, q));
    }
    if (q.qtype === RRType.IXFR) {
      const have = clientSerial(msg, q);
      if (have === undefined) return single(encodeBare(q.id, q.flags, Rcode.FORMERR, q));
      // Current client, or UDP: one SOA tells it our version (RFC 1995 §2, §4).
      if (!stream || serialAtLeast(have, currentSerial(zone.soa))) return single(this.soaOnly(q, zone));
      void this.run(what, q, zone, stream, signer(), have);
      return undefined;
    }
    // RFC 5936 §4.2: AXFR is a TCP-only affair.
    if (!stream) return single(encodeBare(q.id, q.flags, Rcode.NOTIMP, q));
    void this.run(what, q, zone, stream, signer());
    return undefined;
  }

  private soaOnly(q: Query, zone: Zone): Buffer {
    const b = new MessageBuilder({ id: q.id, flags: q.flags, questionWire: q.questionWire, qname: q.qname }, 4096);
    b.add(rrEntry(zone.apex, zone.soa));
    return b.finish({ aa: true, edns: q });
  }

  /** Stream AXFR (or IXFR from `have`): incremental when the journal reaches, AXFR-style otherwise (RFC 1995 §4). */
  private async run(what: string, q: Query, zone: Zone, sink: ReplyStream, tsig: TsigSigner | undefined, have?: number): Promise<void> {
    const started = Date.now();
    const now = this.d.now();
    const soa = zone.soa;
    const serial = currentSerial(soa);
    const signer = this.d.dnssec?.forZone(zone);
    let entries: Iterable<RREntry>;
    let style = 'AXFR';
    const steps = have !== undefined ? this.d.journal?.steps(zone.apex, have, serial) : undefined;
    if (steps) { entries = ixfrEntries(soa, steps); style = `IXFR ${have}→${serial}, ${steps.length} step(s)`; }
    else { entries = axfrEntries(zone, signer, now); if (have !== undefined) style = `AXFR-style IXFR from ${have}`; }
    // A transfer must show one version: if the zone changes under it, stop and let the client retry.
    const stale = () => (this.d.zones.get(zone.apex) !== zone || zone.soa !== soa ? 'zone changed during transfer' : undefined);
    try {
      const r = await streamEntries(entries, { q, sink, tsig, stale });
      if (r.aborted) { this.d.log(`xfr: ${what}: aborted: ${r.aborted}`); return; }
      this.d.journal?.served(zone.apex, serial);
      this.d.log(`xfr: ${what}: ${style}, serial ${serial}: ${r.records} records in ${r.messages} messages, ${r.bytes} bytes, ${Date.now() - started} ms`);
    } catch (err) {
      this.d.log(`xfr: ${what}: failed: ${(err as Error).stack ?? err}`);
      sink.close();
    }
  }
}
