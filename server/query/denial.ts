// NSEC3 proofs for one lookup result (RFC 5155 §7.2, RFC 4035 §3.1.3): a switch on the result kind.
import { type Name, parentName } from '../../zones/model/name.js';
import type { ZoneSigner } from '../../signer/zone-signer.js';
import { nextCloser, type Nsec3Entry } from '../../signer/nsec3-chain.js';
import type { Lookup } from './resolve.js';

/** The NSEC3 entries that prove `result` for qname/qtype; empty when the result needs none. */
export function denialProof(zs: ZoneSigner, qname: Name, qtype: number, result: Lookup): Nsec3Entry[] {
  const chain = zs.chain;
  switch (result.kind) {
    case 'nxdomain': {
      // §7.2.2: closest encloser matches, the wildcard at the CE is covered, next closer is covered.
      // In the order of encloserProof's part first, so that replies made from a ready head of it
      // (fast/missing-name-reply.ts) are the same bytes as this path's.
      const ce = result.closestEncloser;
      return present(chain.matching(ce), chain.wildcardCover(ce), nextCloserCover(zs, qname, ce));
    }
    case 'nodata':
      if (result.wildcard) {
        // §7.2.5: closest encloser proof plus the matching NSEC3 of the wildcard (no such type there).
        const ce = result.closestEncloser!;
        return present(chain.matching(ce), chain.covering(nextCloser(qname, ce)), chain.matching(result.wildcard));
      }
      // §7.2.3 (and §7.2.4 for a DS query at an opt-out delegation: no matching NSEC3 exists).
      return matchingOrClosestProvable(zs, qname);
    case 'answer': case 'any': case 'cname':
      // §7.2.6: a wildcard answer proves that the next closer name does not exist.
      return result.wildcard ? present(chain.covering(nextCloser(qname, result.closestEncloser!))) : [];
    case 'referral':
      // §7.2.7: with DS, the signed DS is the proof; without, show the delegation's NSEC3 (no DS bit),
      // or under opt-out the closest provable encloser and an opt-out span covering the cut.
      return result.ds ? [] : matchingOrClosestProvable(zs, result.cut);
    case 'dname':
      return [];
  }
}

/**
 * The part of an NXDOMAIN proof (RFC 5155 §7.2.2) that every name below `closestEncloser`
 * shares: the NSEC3 matching the encloser and the one covering its wildcard. Only the
 * next closer name's cover depends on the query name.
 */
export function encloserProof(zs: ZoneSigner, closestEncloser: Name): Nsec3Entry[] {
  return present(zs.chain.matching(closestEncloser), zs.chain.wildcardCover(closestEncloser));
}

/** The NSEC3 covering the next closer name of qname below its closest encloser (RFC 5155 §7.2.1). */
export function nextCloserCover(zs: ZoneSigner, qname: Name, closestEncloser: Name): Nsec3Entry {
  return zs.chain.covering(nextCloser(qname, closestEncloser));
}

/** The NSEC3 matching `name`, else the closest provable encloser proof (RFC 5155 §7.2.1). */
function matchingOrClosestProvable(zs: ZoneSigner, name: Name): Nsec3Entry[] {
  const m = zs.chain.matching(name);
  if (m) return [m];
  let ce = parentName(name);
  while (!zs.chain.matching(ce) && ce !== zs.apex) ce = parentName(ce);
  return present(zs.chain.matching(ce), zs.chain.covering(nextCloser(name, ce)));
}

/** The entries given, without absent ones and repeats (one NSEC3 may prove two things), in order. */
function present(a: Nsec3Entry | undefined, b?: Nsec3Entry, c?: Nsec3Entry): Nsec3Entry[] {
  // Arguments, not an array of them: every random-label NXDOMAIN comes here.
  const out: Nsec3Entry[] = [];
  if (a) out.push(a);
  if (b && b !== a) out.push(b);
  if (c && c !== a && c !== b) out.push(c);
  return out;
}

