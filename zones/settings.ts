// Per-zone settings kept in the zones.settings JSON column: DNSSEC on/off and NSEC3 parameters.

export interface Nsec3Settings {
  /** Extra SHA-1 iterations; RFC 9276 §3.1: 0. */
  iterations: number;
  /** Salt as hex, "" for none; RFC 9276 §3.1: no salt. */
  salt: string;
  /** Opt-out over insecure delegations (RFC 5155 §6); RFC 9276 §3.1: off unless the zone is huge. */
  optOut: boolean;
}

export type SerialPolicy = 'increment' | 'unixtime';

export interface ZoneSettings {
  signed: boolean;
  nsec3: Nsec3Settings;
  /** How edits move the SOA serial: +1, or the current unix time (never backwards, RFC 1982). */
  serial: SerialPolicy;
}

export const DEFAULT_SETTINGS: ZoneSettings = Object.freeze({
  signed: true,
  nsec3: Object.freeze({ iterations: 0, salt: '', optOut: false }),
  serial: 'increment',
});

export class SettingsError extends Error {}

/** RFC 9276 §3.2 lets validators treat > 100 iterations as insecure; we refuse more than 50. */
const MAX_ITERATIONS = 50;

/** Parse the stored JSON (missing fields take defaults); throws SettingsError on bad values. */
export function parseSettings(json: string | object | undefined): ZoneSettings {
  const raw = (typeof json === 'string' ? JSON.parse(json || '{}') : json ?? {}) as Partial<ZoneSettings> & { nsec3?: Partial<Nsec3Settings> };
  const n = { ...DEFAULT_SETTINGS.nsec3, ...(raw.nsec3 ?? {}) };
  const s: ZoneSettings = { signed: raw.signed ?? DEFAULT_SETTINGS.signed, nsec3: n, serial: raw.serial ?? DEFAULT_SETTINGS.serial };
  if (s.serial !== 'increment' && s.serial !== 'unixtime') throw new SettingsError('serial must be "increment" or "unixtime"');
  if (typeof s.signed !== 'boolean') throw new SettingsError('signed must be true or false');
  if (!Number.isInteger(n.iterations) || n.iterations < 0 || n.iterations > MAX_ITERATIONS) {
    throw new SettingsError(`nsec3.iterations must be an integer from 0 to ${MAX_ITERATIONS} (RFC 9276 recommends 0)`);
  }
  if (typeof n.salt !== 'string' || !/^([0-9a-fA-F]{2}){0,255}$/.test(n.salt)) throw new SettingsError('nsec3.salt must be hex (at most 255 bytes), "" for none');
  if (typeof n.optOut !== 'boolean') throw new SettingsError('nsec3.optOut must be true or false');
  n.salt = n.salt.toLowerCase();
  return s;
}
