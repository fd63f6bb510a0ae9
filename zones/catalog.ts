// Catalog zones (RFC 9432), the producer's side: a catalog's fixed records, and the records that make a zone a member of it.
import { randomBytes } from 'node:crypto';
import { childName, nameToWire, type Name } from './model/name.js';
import { RRType, type Rec } from './model/types.js';
import { rdataFromText } from './model/rdata/index.js';
import { EditError, type RRsetEdit } from './commit-plan.js';

/** The schema version this producer writes (RFC 9432 §4.2.1). */
export const CATALOG_SCHEMA_VERSION = '2';

const TTL = 3600;

/** One character-string: a length octet and the text. */
function characterString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/**
 * A new catalog's records: its SOA, the NS RRset RFC 9432 §4.1 asks for (one `invalid.`, as
 * a catalog is for consumers, never for resolvers), and the schema version. The SOA's expire
 * is long (4 weeks): a consumer that expires a catalog may drop its members.
 */
export function catalogRecords(apex: Name, serial: number): Rec[] {
  return [
    { name: apex, type: RRType.SOA, ttl: 0, rdata: rdataFromText(RRType.SOA, `invalid. invalid. ${serial} 3600 600 2419200 0`, apex) },
    { name: apex, type: RRType.NS, ttl: TTL, rdata: nameToWire('invalid.') },
    { name: childName('version', apex), type: RRType.TXT, ttl: TTL, rdata: characterString(CATALOG_SCHEMA_VERSION) },
  ];
}

/** `<label>.zones.<catalog>`: where a member's PTR lives, and below it its properties. */
export function memberOwner(catalog: Name, label: string): Name {
  return childName(label, childName('zones', catalog));
}

/** The member PTR and its group property (RFC 9432 §4.3, §4.4.2); no group deletes the property. */
export function memberEdits(catalog: Name, label: string, member: Name, group: string | null): RRsetEdit[] {
  const owner = memberOwner(catalog, label);
  return [
    { name: owner, type: RRType.PTR, ttl: TTL, rdatas: [nameToWire(member)] },
    { name: childName('group', owner), type: RRType.TXT, ttl: TTL, rdatas: group === null ? [] : [characterString(group)] },
  ];
}

/** Everything a member had in the catalog, deleted. */
export function removalEdits(catalog: Name, label: string): RRsetEdit[] {
  const owner = memberOwner(catalog, label);
  return [{ name: owner, type: RRType.PTR }, { name: childName('group', owner), type: RRType.TXT }];
}

/**
 * A fresh member label: random, so a zone deleted and made again, or moved out and back in,
 * gets a new one and consumers start it afresh (RFC 9432 §5.6) instead of keeping its old
 * data. `taken` says whether the catalog already uses one.
 */
export function newMemberLabel(taken: (label: string) => boolean): string {
  for (;;) {
    const label = randomBytes(6).toString('hex');
    if (!taken(label)) return label;
  }
}

/**
 * A group name as the group property's TXT holds it: one character-string (1–255 octets of
 * UTF-8), without control characters, which consumers' configurations could not name.
 */
export function checkGroup(group: string, field = 'group'): string {
  const octets = Buffer.byteLength(group, 'utf8');
  if (octets === 0 || octets > 255) throw new EditError('invalid', `group ${JSON.stringify(group)}: 1 to 255 octets, not ${octets}`, field);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(group)) throw new EditError('invalid', `group ${JSON.stringify(group)}: no control characters`, field);
  return group;
}
