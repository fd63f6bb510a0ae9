// Signed NXDOMAIN replies from a per-encloser head: what every such reply below one closest encloser shares is encoded once.
import type { Name } from '../../zones/model/name.js';
import type { Zone } from '../../zones/zone.js';
import type { DnssecService } from '../../signer/service.js';
import type { ZoneSigner } from '../../signer/zone-signer.js';
import type { Nsec3Entry } from '../../signer/nsec3-chain.js';
import type { Query } from './parse.js';
import type { Answered } from './answer.js';
import { negativeSoa } from './answer.js';
import { Rcode } from './parse.js';
import { encloserProof, nextCloserCover } from './denial.js';
import { proofEntry } from './dnssec.js';
import { preencode, encodeWithPreencoded, type Preencoded } from './encode.js';
import { reusable } from './response-cache.js';
import type { RRsetWireCache } from './rr-wire.js';

/** The shared part of the NXDOMAIN replies below one closest encloser. */
interface Head {
  zone: Zone;
  /** SOA, the NSEC3 matching the encloser, the NSEC3 covering its wildcard (RFC 5155 §7.2.2). */
  records: Preencoded;
  /** Those two NSEC3 entries: a next closer cover that is one of them is not repeated. */
  proof: Nsec3Entry[];
  generation: number;
  made: number;
}

/** Heads kept at once: random labels meet a handful of enclosers (mostly the apex). */
const MAX_HEADS = 1024;

/**
 * A random-label flood gets NXDOMAIN after NXDOMAIN, and no reply cache helps: each qname is
 * new. But below one closest encloser the replies differ only in the question and in one
 * NSEC3 record, the cover of the next closer name. The SOA and the other two NSEC3 records,
 * with their RRSIGs, are encoded once per encloser by the one encoder (encode.ts,
 * `preencode`) and copied into each reply; only the cover is written per query. The bytes
 * are reused under the reply cache's rule (`reusable`): no commit since, at most a minute old.
 */
export class NegativeReplies {
  private readonly heads = new Map<Name, Head>();
  /** Replies made from a head, and heads encoded (observable in tests and the micro-bench). */
  served = 0;
  made = 0;

  /**
   * The reply to `q` when `answered` is a signed NXDOMAIN with nothing else in it; undefined
   * otherwise, or when it does not fit `maxSize` (the full path then truncates it).
   */
  reply(q: Query, answered: Answered, dnssec: DnssecService, generation: number, maxSize: number, wire: RRsetWireCache | undefined, now: number): Buffer | undefined {
    if (answered.steps.length !== 1) return undefined;
    const step = answered.steps[0];
    const result = step.result;
    if (result.kind !== 'nxdomain') return undefined;
    const zs = dnssec.forZone(step.zone);
    if (!zs) return undefined;
    const ce = result.closestEncloser;
    const head = this.head(zs, ce, generation, now, wire);
    const cover = nextCloserCover(zs, step.qname, ce);
    const tail = head.proof.includes(cover) ? undefined : proofEntry(zs, cover, now);
    const bytes = encodeWithPreencoded(q, Rcode.NXDOMAIN, head.records, tail, maxSize, wire, now);
    if (bytes) this.served++;
    return bytes;
  }

  private head(zs: ZoneSigner, ce: Name, generation: number, now: number, wire: RRsetWireCache | undefined): Head {
    const have = this.heads.get(ce);
    if (have && have.zone === zs.zone && reusable(have.generation, have.made, generation, now)) return have;
    const proof = encloserProof(zs, ce);
    const entries = [negativeSoa(zs.zone), ...proof.map((p) => proofEntry(zs, p, now))];
    const soa = entries[0];
    soa.signer = zs;
    const head: Head = { zone: zs.zone, records: preencode(ce, entries, wire, now), proof, generation, made: now };
    if (this.heads.size >= MAX_HEADS) this.heads.clear();
    this.heads.set(ce, head);
    this.made++;
    return head;
  }
}
