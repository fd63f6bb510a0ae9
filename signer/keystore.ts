// Key store contract (what the signer needs from wherever keys live) and an in-memory implementation for tests.
//
// Synchronous on purpose: the production store is better-sqlite3 (synchronous), PKCS#11
// bindings for Node are synchronous too, and the signer sits on the query path where an extra
// await per answer costs latency. Stores hand out KeyObjects; the private scalar never leaves
// as anything but PKCS#8 at rest (see key-import.ts), and nothing here logs or serializes it.
import type { KeyObject } from 'node:crypto';
import type { Name } from '../zones/model/name.js';
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
  /** Published in the DNSKEY RRset but not (or no longer) signing — pre-publish / retire phases of a rollover. */
  active: boolean;
}

export interface KeyStore {
  /** Every key of the zone that belongs in its DNSKEY RRset, active or not. */
  listKeys(zone: Name): KeyInfo[];
  /**
   * Active keys that sign for `purpose`: 'ksk' → the DNSKEY/CDS/CDNSKEY RRsets,
   * 'zsk' → all other RRsets. A CSK is returned for both.
   */
  signingKeys(zone: Name, purpose: 'ksk' | 'zsk'): SigningKey[];
}

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
    const info: KeyInfo = { zone, keyTag: tag, algorithm: ALG_ECDSAP256SHA256, flags, role, dnskey, active };
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
      .filter((e) => e.info.active && (e.info.role === purpose || e.info.role === 'csk'))
      .map((e) => e.key);
  }
}
