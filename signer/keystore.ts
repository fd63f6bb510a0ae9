// Key store contract (what the signer needs from wherever keys live) and an in-memory implementation for tests.
//
// Synchronous on purpose: the production store is better-sqlite3 (synchronous), PKCS#11
// bindings for Node are synchronous too, and the signer sits on the query path where an extra
// await per answer costs latency. Stores hand out KeyObjects; the private scalar never leaves
// as anything but PKCS#8 at rest (see key-import.ts), and nothing here logs or serializes it.
import type { KeyObject } from 'node:crypto';
import type { Name } from '../zones/model/name.js';
import type { KeyState } from '../zones/store/sqlite.js';
import { privateKeyFromPkcs8, publicKeyFromPrivate, ALG_ECDSAP256SHA256 } from './algorithms.js';
import { dnskeyRdata, keyTag, DNSKEY_FLAGS_KSK, DNSKEY_FLAGS_ZSK, type DnskeyFlags } from './dnskey.js';

/**
 * KSK signs the DNSKEY (and CDS/CDNSKEY) RRset and is what the parent's DS points to;
 * ZSK signs everything else; CSK does both (RFC 6781 §3.1).
 */
export type KeyRole = 'ksk' | 'zsk' | 'csk';

/** What signRRset needs: enough to fill the RRSIG header and produce the signature. */
export interface SigningKey {
  keyTag: number;
  algorithm: 13;
  privateKey: KeyObject;
  flags: DnskeyFlags;
}

/** Public metadata of one key — safe to list, log and publish. */
export interface KeyInfo {
  zone: Name;
  keyTag: number;
  algorithm: 13;
  flags: DnskeyFlags;
  role: KeyRole;
  /** DNSKEY RDATA as published. */
  dnskey: Buffer;
  /** Signing: state `active`. */
  active: boolean;
  /**
   * Where the key is in a rollover (RFC 7583 §3.1): every state is in the DNSKEY RRset;
   * `ready` (a KSK/CSK whose DS the parent is asked to publish) signs the DNSKEY RRset and
   * is in CDS/CDNSKEY; `active` signs for its role; `retired` no longer signs.
   */
  state: KeyState;
}

export type { KeyState };

/** Whether a key in `state` with `role` signs for `purpose` (the keys a SigningContext holds). */
export function signsFor(role: KeyRole, state: KeyState, purpose: 'ksk' | 'zsk'): boolean {
  if (role !== purpose && role !== 'csk') return false;
  return state === 'active' || (purpose === 'ksk' && state === 'ready');
}

/** Whether the parent should point to this key: CDS/CDNSKEY list it (RFC 7344 §3). */
export function wantsDs(k: Pick<KeyInfo, 'role' | 'state'>): boolean {
  return k.role !== 'zsk' && (k.state === 'active' || k.state === 'ready');
}

export interface KeyStore {
  /** Every key of the zone that belongs in its DNSKEY RRset, active or not. */
  listKeys(zone: Name): KeyInfo[];
  /**
   * Active keys that sign for `purpose`: 'ksk' → the DNSKEY/CDS/CDNSKEY RRsets,
   * 'zsk' → all other RRsets. A CSK is returned for both.
   */
  signingKeys(zone: Name, purpose: 'ksk' | 'zsk'): SigningKey[];
  /** How long the zone's signatures are valid and how long before expiry they are renewed (seconds); absent: 14 and 7 days. */
  signaturePolicy?(zone: Name): SignaturePolicy;
}

export interface SignaturePolicy { validity: number; refresh: number }

interface MemEntry { info: KeyInfo; key: SigningKey }

/** Keys held in process memory — for tests and tools; nothing is persisted. */
export class MemoryKeyStore implements KeyStore {
  private readonly zones = new Map<Name, MemEntry[]>();

  /** Add a key from its PKCS#8 DER; returns its public metadata. */
  addKey(zone: Name, privateKeyPkcs8: Buffer, role: KeyRole, active = true): KeyInfo {
    const privateKey = privateKeyFromPkcs8(privateKeyPkcs8);
    const flags: DnskeyFlags = role === 'zsk' ? DNSKEY_FLAGS_ZSK : DNSKEY_FLAGS_KSK;
    const dnskey = dnskeyRdata(flags, publicKeyFromPrivate(privateKey));
    const tag = keyTag(dnskey);
    const info: KeyInfo = { zone, keyTag: tag, algorithm: ALG_ECDSAP256SHA256, flags, role, dnskey, active, state: active ? 'active' : 'published' };
    const list = this.zones.get(zone) ?? [];
    list.push({ info, key: { keyTag: tag, algorithm: ALG_ECDSAP256SHA256, privateKey, flags } });
    this.zones.set(zone, list);
    return info;
  }

  listKeys(zone: Name): KeyInfo[] {
    return (this.zones.get(zone) ?? []).map((e) => e.info);
  }

  signingKeys(zone: Name, purpose: 'ksk' | 'zsk'): SigningKey[] {
    return (this.zones.get(zone) ?? [])
      .filter((e) => signsFor(e.info.role, e.info.state, purpose))
      .map((e) => e.key);
  }
}
