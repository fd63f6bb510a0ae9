// Signed replies for names a zone does not hold — NXDOMAIN and wildcard answers, what random-label floods get — made from the raw query and ready parts.
import { type Name, readWireName, childName, nameWireLength } from '../../../zones/model/name.js';
import { isMetaType } from '../../../zones/model/types.js';
import type { RRset } from '../../../zones/model/rrset.js';
import type { Zone } from '../../../zones/zone.js';
import type { Registry } from '../../../zones/registry.js';
import type { DnssecService } from '../../../signer/service.js';
import type { ZoneSigner } from '../../../signer/zone-signer.js';
import { nextCloser } from '../../../signer/nsec3-chain.js';
import { Rcode } from '../../wire/parse.js';
import { rrEntry, type RREntry } from '../../wire/response.js';
import type { RRsetWireCache } from '../../wire/rr-wire.js';
import { lookup, type Lookup } from '../resolve.js';
import { negativeSoa, addsAddresses } from '../answer.js';
import { denialProof, encloserProof } from '../denial.js';
import { proofEntry } from '../dnssec.js';
import { EdnsMode, type ReplyKey } from '../classify.js';
import { preencode, blockReply, type BlockReply, type Preencoded } from './block-reply.js';
import { BlockTable } from './block-table.js';
import { reusable } from './freshness.js';

/** Records encoded once for many replies, reused under the fast path's freshness rule (freshness.ts). */
interface Block {
  records: Preencoded;
  token: number;
  made: number;
}

/** The part every NXDOMAIN below a zone's apex shares: SOA, the NSEC3 matching the apex, the NSEC3 covering `*.<apex>` (RFC 5155 §7.2.2). */
interface Head extends Block {
  /** Those two NSEC3 entries' chain positions: a next closer cover that is one of them is not repeated. */
  positions: number[];
}

/** Blocks held at once, per kind; a reload makes new Zone and RRset objects, so old keys are let go by this bound. */
const MAX_BLOCKS = 1024;

/**
 * A random-label flood asks for a new name on every query: no reply cache helps, and every
 * reply is NXDOMAIN or a wildcard answer. Those replies differ from one another only in the
 * question and in one NSEC3 record, the cover of the next closer name. So:
 *
 * - The rest is encoded once by the one encoder (block-reply.ts, `preencode`, through
 *   wire/rrset-writer.ts) and copied into each reply with its compression pointers moved: per
 *   zone, the SOA and the two NSEC3 records every NXDOMAIN below the apex shares; per wildcard
 *   RRset, its records and RRSIGs owned by the question name. Blocks are reused under the fast
 *   path's freshness rule (freshness.ts).
 * - The one record that differs, the next closer's cover, is found by its chain position
 *   (Nsec3Chain.coveringPosition) and kept as written in a flat table by that position
 *   (block-table.ts), under the same rule: a flood meets each cover again and again, and a
 *   copy from the table reads no entry, RRset or wire pieces, each a likely cache miss.
 * - The reply is made straight from the raw query, which the classification (classify.ts)
 *   found to be a plain one: no parsed Query, no Response, only the name, the zone and the
 *   lookup (resolve.ts, the same one every answer uses).
 *
 * NXDOMAIN with a deeper closest encloser is written from its records here too, without a
 * block: a block per encloser measured worse than none (random labels below thousands of
 * names made the table churn: 13.4–14.0 µs against 10.9–11.7 µs, and 32 µs while blocks were
 * made on first sight).
 *
 * Anything else — a name the zone holds, a referral, a CNAME, NODATA, a wildcard answer that
 * adds addresses, a reply too big for the client — is left to the full path (full-path.ts),
 * which also truncates, and whose replies the reply cache keeps.
 */
export class MissingNameReplies {
  private readonly heads = new Map<Zone, Head>();
  private readonly wildcards = new Map<RRset, Block>();
  /** NSEC3 covers as written, by chain position (a position names one entry until the freshness token moves); observable in tests. */
  readonly covers = new BlockTable();
  /** Replies made here, and blocks encoded (observable in tests and the micro-bench). */
  served = 0;
  /** The zone of the reply the last `reply` made (undefined when it made none), for metrics. */
  lastZone: Name | undefined;
  made = 0;

  /** The reply to the plain query `msg` when its name is missing from a signed zone; undefined for the full path. */
  reply(msg: Buffer, key: ReplyKey, zones: Registry, token: number, dnssec: DnssecService, wire: RRsetWireCache | undefined, now: number): Buffer | undefined {
    if (key.edns !== EdnsMode.DO) return undefined;
    const qtype = key.qtype;
    // ANY has rules of its own (RFC 8482); the classification let no other meta type through.
    if (isMetaType(qtype)) return undefined;
    const qname = nameOf(msg);
    if (qname === undefined) return undefined;
    const zone = zones.forQuestion(qname, qtype);
    if (!zone) return undefined;
    const zs = dnssec.forZone(zone);
    if (!zs) return undefined;
    // No probe of the zone's name filter first: lookup asks it too, and a name the filter only
    // may hold (0.2–4% of random labels, name-filter.ts) is still answered here when missing.
    // A name the zone holds comes back as an answer or NODATA for the full path, which caches it.
    const found = lookup(zone, qname, qtype);
    let bytes: Buffer | undefined;
    if (found.kind === 'nxdomain') bytes = this.nxdomain(msg, key, qname, zs, found, token, wire, now);
    // The full path adds the targets' addresses to NS, MX and SRV answers.
    else if (found.kind === 'answer' && found.wildcard && !addsAddresses(found.rrset.type)) {
      bytes = this.wildcardAnswer(msg, key, qname, zs, found.rrset, found.wildcard, found.closestEncloser!, token, wire, now);
    }
    if (bytes) this.served++;
    this.lastZone = bytes ? zone.apex : undefined;
    return bytes;
  }

  private nxdomain(msg: Buffer, key: ReplyKey, qname: Name, zs: ZoneSigner, found: Extract<Lookup, { kind: 'nxdomain' }>, token: number, wire: RRsetWireCache | undefined, now: number): Buffer | undefined {
    const apex = zs.zone.apex;
    const r = blockReply;
    if (!r.begin(msg, key.questionEnd, qname, key.maxSize)) return undefined;
    if (found.closestEncloser === apex) {
      const head = this.head(zs, token, now, wire);
      // Encoded after `*.<apex>`, a head that points at that name would point at the question name in a reply.
      if (!head.records.namesQuestion) {
        const at = coverPosition(zs, qname, apex);
        if (!r.block(head.records, 'authority')) return undefined;
        // The cover may be one of the head's two records: not repeated.
        if (!head.positions.includes(at) && !this.cover(r, zs, at, token, now, wire)) return undefined;
        return r.finish(Rcode.NXDOMAIN, key.maxSize);
      }
    }
    // No block: the records of the full path (SOA and RFC 5155 §7.2.2), in its order.
    const entries = [signedSoa(zs), ...denialProof(zs, qname, 0, found).map((p) => proofEntry(zs, p, now))];
    return r.records(entries, wire, now) ? r.finish(Rcode.NXDOMAIN, key.maxSize) : undefined;
  }

  /** RFC 4592 §3.3.1 synthesis, signed (RFC 4035 §3.1.3.3): the wildcard's records owned by qname, and the next closer's cover (RFC 5155 §7.2.6). */
  private wildcardAnswer(msg: Buffer, key: ReplyKey, qname: Name, zs: ZoneSigner, rrset: RRset, wildcard: Name, encloser: Name,
    token: number, wire: RRsetWireCache | undefined, now: number): Buffer | undefined {
    let block = this.wildcards.get(rrset);
    if (!block || !reusable(block.token, block.made, token, now)) {
      const e = rrEntry(wildcard, rrset, zs.zone);
      e.signer = zs;
      block = { records: preencode(wildcard, [e], wire, now), token, made: now };
      this.keep(this.wildcards, rrset, block);
    }
    const r = blockReply;
    if (!r.begin(msg, key.questionEnd, qname, key.maxSize) || !r.block(block.records, 'answer')) return undefined;
    if (!this.cover(r, zs, coverPosition(zs, qname, encloser), token, now, wire)) return undefined;
    return r.finish(Rcode.NOERROR, key.maxSize);
  }

  /** The NSEC3 record at chain position `at` and its RRSIGs into the authority section: copied when kept, else written and kept. */
  private cover(r: BlockReply, zs: ZoneSigner, at: number, token: number, now: number, wire: RRsetWireCache | undefined): boolean {
    const chain = zs.chain;
    const slot = this.covers.find(at, chain.serial, token, now);
    if (slot >= 0) return r.slot(this.covers, slot);
    const keep = this.covers.keeper(at, chain.serial, token, now, nameWireLength(zs.zone.apex));
    return r.records([proofEntry(zs, chain.entryAt(at), now)], wire, now, keep);
  }

  /** The zone's head, kept even when it cannot be used (namesQuestion), so that it is not encoded again per query. */
  private head(zs: ZoneSigner, token: number, now: number, wire: RRsetWireCache | undefined): Head {
    const have = this.heads.get(zs.zone);
    if (have && reusable(have.token, have.made, token, now)) return have;
    const apex = zs.zone.apex;
    const proof = encloserProof(zs, apex);
    const records = preencode(childName('*', apex), [signedSoa(zs), ...proof.map((p) => proofEntry(zs, p, now))], wire, now);
    const head: Head = { records, positions: proof.map((e) => zs.chain.coveringPosition(e.hash)), token, made: now };
    this.keep(this.heads, zs.zone, head);
    return head;
  }

  private keep<K>(map: Map<K, Block>, key: K, block: Block): void {
    if (map.size >= MAX_BLOCKS) map.clear();
    map.set(key, block);
    this.made++;
  }
}

/** Where the NSEC3 covering qname's next closer below `encloser` sits in the chain (RFC 5155 §7.2.1). */
function coverPosition(zs: ZoneSigner, qname: Name, encloser: Name): number {
  return zs.chain.coveringPosition(zs.chain.hash(nextCloser(qname, encloser)));
}

/** The question name of a plain query (classify.ts checked it has no pointers); undefined when it is not a valid name. */
function nameOf(msg: Buffer): Name | undefined {
  try {
    return readWireName(msg, 12).name;
  } catch {
    return undefined; // not a name the zone model takes: the full path decides
  }
}

/** The negative-answer SOA (RFC 2308 §3) with its zone's signer. */
function signedSoa(zs: ZoneSigner): RREntry {
  const e = negativeSoa(zs.zone);
  e.signer = zs;
  return e;
}
