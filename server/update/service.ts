// DNS UPDATE (RFC 2136) on the DNS listeners: TSIG required (RFC 8945), per-key policy, then one commit of the one pipeline.
import type { Name } from '../../zones/model/name.js';
import type { Store } from '../../zones/store/sqlite.js';
import type { XfrStore } from '../../zones/store/xfr-sqlite.js';
import type { PolicyStore } from '../../zones/store/policy-sqlite.js';
import { EditError, type CommitPipeline } from '../../zones/commit.js';
import { RdataError } from '../../zones/model/rdata/index.js';
import { Opcode, Rcode, type Query } from '../wire/parse.js';
import { encodeBare } from '../wire/encode.js';
import { verifyTsig, TsigSigner, unsignedTsigError, badTimeSigner } from '../wire/tsig.js';
import { remoteText, type Remote, type Responder } from '../query/responder.js';
import { lookupTsigKey } from '../xfr/keys.js';
import { plainAddress } from '../xfr/acl.js';
import { readUpdate, UpdateFormatError } from './message.js';
import { checkPrerequisites, prescan, updateEdits, UpdateRcode, UpdateRefusal } from './rfc2136.js';
import { updateProblem } from './policy.js';
import type { Logger } from '../log.js';

export interface UpdateDeps {
  store: Store;
  xs: XfrStore;
  ps: PolicyStore;
  pipeline: CommitPipeline;
  log: Logger;
  /** The clock TSIG times are checked against (the wall clock). */
  tsigNow: () => number;
  /** Counts each UPDATE by its result (metrics). */
  observe?: (rcode: number, changed: number, zone: Name | undefined) => void;
}

/** What one UPDATE's log event says about it. */
interface UpdateFacts {
  zone: Name;
  client: string;
  key?: string;
  /** The zone section names a zone this server hosts (the metrics' zone label). */
  hosted?: boolean;
  changed?: number;
  serial?: number;
  reason?: string;
}

const RCODE_NAMES = new Map<number, string>(Object.entries(UpdateRcode).map(([k, v]) => [v, k]));

export class UpdateService {
  constructor(private readonly d: UpdateDeps) {}

  /** The QueryContext.special hook: takes every UPDATE message (opcode 5), and only those. */
  readonly special = (q: Query, msg: Buffer, responder: Responder): boolean => {
    if (q.opcode !== Opcode.UPDATE) return false;
    responder.reply(this.answer(q, msg, responder.remote));
    return true;
  };

  /**
   * Answer one UPDATE message (opcode 5): the reply, signed with the request's key when it
   * was signed with a valid one. RFC 2136 §3 in its order: zone section (§3.1), then under the
   * commit's write lock prerequisites (§3.2), permissions (§3.3), prescan (§3.4.1), the
   * update (§3.4.2) — applied whole or not at all, with one serial for the message.
   */
  answer(q: Query, msg: Buffer, remote: Remote): Buffer {
    const from = plainAddress(remoteText(remote));
    const bare = (rcode: number) => encodeBare(q.id, q.flags, rcode, q);
    const facts: UpdateFacts = { zone: q.qname, client: from };
    if (q.tsigOffset === undefined) {
      return this.done(bare(Rcode.REFUSED), Rcode.REFUSED, { ...facts, reason: 'not signed (UPDATE needs a TSIG key with an update policy)' });
    }
    const now = this.d.tsigNow();
    const v = verifyTsig(msg, q.tsigOffset, (n) => lookupTsigKey(this.d.xs, n), now);
    if (!v.ok) {
      // RFC 8945 §5.2: NOTAUTH with the TSIG error; only BADTIME is signed.
      const reply = bare(Rcode.NOTAUTH);
      return this.done(v.key ? badTimeSigner(v.key, v.record.mac, this.d.tsigNow).sign(reply) : unsignedTsigError(reply, v.record, v.error, now), Rcode.NOTAUTH,
        { ...facts, reason: `TSIG ${v.reason}` });
    }
    const key = v.key;
    facts.key = key.name;
    const signed = (rcode: number, more: Partial<UpdateFacts> = {}) => this.done(new TsigSigner(key, v.record.mac, this.d.tsigNow).sign(bare(rcode)), rcode, { ...facts, ...more });
    let m;
    try {
      m = readUpdate(msg, q.tsigOffset);
    } catch (err) {
      if (!(err instanceof UpdateFormatError)) throw err;
      return signed(Rcode.FORMERR, { reason: err.message });
    }
    // §3.1.1: a zone this server is authoritative for, in its class.
    if (m.zoneClass !== 1 || !this.d.store.zone(m.zone)) return signed(UpdateRcode.NOTAUTH, { reason: 'not a zone of this server' });
    facts.hosted = true;
    const permitted = (name: Name, type: number) => updateProblem(this.d.ps, m.zone, key.name, name, type);
    try {
      const r = this.d.pipeline.commit({
        kind: 'edit', apex: m.zone, action: 'update',
        edits: (zone) => {
          checkPrerequisites(zone, m);
          prescan(zone, m, permitted);
          return updateEdits(zone, m);
        },
      }, { tokenId: null, label: `tsig:${key.name}` });
      // A TLSA replacement the write guard took as a rollover is NOERROR too: the next records
      // are published beside the current ones, said here and in a `rollover-started` event.
      return signed(Rcode.NOERROR, { changed: r.changes.length, ...(r.written ? { serial: r.serial } : {}), ...(r.guard?.length ? { reason: r.guard.map((n) => n.detail).join('; ') } : {}) });
    } catch (err) {
      const rcode = err instanceof UpdateRefusal ? err.rcode
        : err instanceof EditError ? (err.code === 'busy' ? Rcode.SERVFAIL : err.code === 'no_zone' ? UpdateRcode.NOTAUTH : Rcode.REFUSED)
          : err instanceof RdataError ? Rcode.FORMERR : undefined;
      if (rcode === undefined) throw err;
      return signed(rcode, { reason: (err as Error).message });
    }
  }

  /** Every UPDATE ends here: one `update` log event and one count, then the reply. */
  private done(reply: Buffer, rcode: number, f: UpdateFacts): Buffer {
    const name = RCODE_NAMES.get(rcode) ?? String(rcode);
    const changed = f.changed ?? 0;
    const text = rcode === Rcode.NOERROR ? `, ${changed} RRset(s) changed${f.serial !== undefined ? `, serial ${f.serial}` : ''}` : `: ${f.reason ?? ''}`;
    this.d.log(`update: ${f.zone} from ${f.client}${f.key ? ` key ${f.key}` : ''}: ${name}${text}`, {
      event: 'update', level: rcode === Rcode.NOERROR ? 'info' : 'warn',
      zone: f.zone, client: f.client, key: f.key, rcode: name, changed, serial: f.serial, reason: f.reason,
    });
    this.d.observe?.(rcode, changed, f.hosted ? f.zone : undefined);
    return reply;
  }
}
