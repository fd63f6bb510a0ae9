// The classified response: sections chosen as RRsets, before any byte is written.
import type { Name } from '../../zones/model/name.js';
import type { RRset } from '../../zones/model/rrset.js';
import type { Zone } from '../../zones/zone.js';
import type { CachedSigs, SigValidity } from '../../signer/sig-cache.js';

/**
 * Where an entry's RRSIGs come from (a ZoneSigner). The encoder asks only when the RRset's
 * ready wire pieces (rr-wire.ts) do not already hold current ones, so a repeated RRset costs
 * no signature lookup at all.
 */
export interface EntrySigner {
  /** `uncached`: the caller holds what it gets, so the signer need not keep it in its bounded cache. */
  signatures(rrset: RRset, now: number, uncached?: boolean): CachedSigs;
  /** Whether signatures it gave may still be served at `now`. */
  current(sigs: SigValidity, now: number): boolean;
}

/** One RRset placed in a section. `owner` differs from rrset.name for wildcard answers. */
export interface RREntry {
  owner: Name;
  rrset: RRset;
  /** TTL to send when lower than the RRset's (negative-caching SOA, RFC 2308 §3). */
  ttl?: number;
  /** RRSIG RDATAs covering this RRset, given outright (zone transfers, NOTIFY). */
  sigs?: readonly Buffer[];
  /** Signs this RRset in a reply: set by the DNSSEC step when DO=1; the encoder fetches the RRSIGs. */
  signer?: EntrySigner;
  /**
   * The zone this RRset is from: its apex anchors the owner in the wire pieces, and the
   * DNSSEC step signs the entry with its keys unless `sigs` are given. Absent for data we
   * must not sign in an answer (glue, referral NS, synthesised CNAME).
   */
  zone?: Zone;
  /**
   * An RRset made for this one reply (a synthesised CNAME): written from pieces made on the
   * spot, never held by the wire cache. Held, each would stay until pushed out by 50,000
   * others, and with it the 8 KB pool chunk its RDATA was cut from.
   */
  once?: boolean;
}

export interface Response {
  rcode: number;
  aa: boolean;
  answer: RREntry[];
  authority: RREntry[];
  additional: RREntry[];
  /** RFC 8914 Extended DNS Error to attach when the client speaks EDNS. */
  ede?: { code: number; text: string };
}

export function emptyResponse(rcode: number, aa = false): Response {
  return { rcode, aa, answer: [], authority: [], additional: [], ede: undefined };
}

/**
 * An entry with every field present, in one order. The encoder reads thousands of entries a
 * second; objects of one shape keep V8's property loads there monomorphic, where entries
 * built as literals with different fields (and a signer added later) made them megamorphic.
 */
export function rrEntry(owner: Name, rrset: RRset, zone?: Zone, ttl?: number, sigs?: readonly Buffer[]): RREntry {
  return { owner, rrset, ttl, sigs, signer: undefined, zone, once: false };
}

/** RFC 8914 §5 codes we use. */
export const EDE = { NOT_AUTHORITATIVE: 20, NOT_SUPPORTED: 21, PROHIBITED: 18 } as const;
