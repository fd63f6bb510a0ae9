// KeyStore over the SQLite store's keys table, and key generation for new zones.
import type { Name } from '../zones/model/name.js';
import type { Store, NewKey, KeyRow } from '../zones/store/sqlite.js';
import type { KeyObject } from 'node:crypto';
import { generateKeyPair, privateKeyFromPkcs8, ALG_ECDSAP256SHA256 } from './algorithms.js';
import { dnskeyRdata, keyTag, DNSKEY_FLAGS_KSK, DNSKEY_FLAGS_ZSK, type DnskeyFlags } from './dnskey.js';
import { signsFor, type KeyInfo, type KeyRole, type KeyStore, type SigningKey, type SignaturePolicy } from './keystore.js';
import { KeyPolicyStore } from '../zones/store/key-policy-sqlite.js';

export function flagsFor(role: KeyRole): DnskeyFlags {
  return role === 'zsk' ? DNSKEY_FLAGS_ZSK : DNSKEY_FLAGS_KSK;
}

/** A new key row for `role` from a fresh P-256 key pair, or from an imported one. */
export function newKey(role: KeyRole, now: number, imported?: { privateKeyPkcs8: Buffer; publicKey: Buffer }, state?: NewKey['state']): NewKey {
  const pair = imported ?? generateKeyPair();
  return {
    role,
    algorithm: ALG_ECDSAP256SHA256,
    key_tag: keyTag(dnskeyRdata(flagsFor(role), pair.publicKey)),
    public_key: pair.publicKey,
    private_pkcs8: pair.privateKeyPkcs8,
    created_at: now,
    ...(state ? { state } : {}),
  };
}

/** The key set a new signed zone starts with: KSK + ZSK, or one CSK (RFC 6781 §3.1). */
export function initialKeys(now: number, csk: boolean): NewKey[] {
  return csk ? [newKey('csk', now)] : [newKey('ksk', now), newKey('zsk', now)];
}

export function keyInfo(zone: Name, row: KeyRow): KeyInfo {
  const flags = flagsFor(row.role);
  return { zone, keyTag: row.key_tag, algorithm: ALG_ECDSAP256SHA256, flags, role: row.role, dnskey: dnskeyRdata(flags, row.public_key), active: row.state === 'active', state: row.state };
}

/**
 * Reads keys per zone from the store. A private key becomes a KeyObject when it first signs,
 * once per load, and stays inside this object; `listKeys` hands out public parts only.
 * Parsing every key as its zone loads was 43 % of the start-up of 10,000 zones (0.5 ms a key),
 * spent before the first answer on keys background signing reaches later anyway.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly cache = new Map<Name, { info: KeyInfo; key: SigningKey }[]>();

  constructor(private readonly store: Store) {}

  /** Forget cached keys of a zone (after a reload or a key change). */
  invalidate(zone: Name): void {
    this.cache.delete(zone);
  }

  private load(zone: Name): { info: KeyInfo; key: SigningKey }[] {
    let list = this.cache.get(zone);
    if (!list) {
      const row = this.store.zone(zone);
      list = row ? this.store.keys(row.id).map((k) => {
        const info = keyInfo(zone, k);
        const der = k.private_pkcs8;
        let parsed: KeyObject | undefined;
        const key: SigningKey = {
          keyTag: k.key_tag, algorithm: ALG_ECDSAP256SHA256 as 13, flags: info.flags,
          get privateKey() { return (parsed ??= privateKeyFromPkcs8(der)); },
        };
        return { info, key };
      }) : [];
      this.cache.set(zone, list);
    }
    return list;
  }

  listKeys(zone: Name): KeyInfo[] {
    return this.load(zone).map((e) => e.info);
  }

  /** Read when a signing context is made (zone loaded, keys or epoch changed): a policy change is a commit that changes the epoch. */
  signaturePolicy(zone: Name): SignaturePolicy {
    const row = this.store.zone(zone);
    const p = row ? KeyPolicyStore.of(this.store).policy(row.id) : undefined;
    return { validity: p?.signatureValidity ?? 14 * 86400, refresh: p?.refresh ?? 7 * 86400 };
  }

  signingKeys(zone: Name, purpose: 'ksk' | 'zsk'): SigningKey[] {
    return this.load(zone).filter((e) => signsFor(e.info.role, e.info.state, purpose)).map((e) => e.key);
  }
}
