// Names as PowerDNS clients write them: zone ids (`=2F` escapes, final dot optional) and absolute owner names.
import { parseName, isInZone, NameError, type Name } from '../../zones/model/name.js';
import { typeFromText, isMetaType, typeToText } from '../../zones/model/types.js';
import { PdnsError } from './errors.js';

/**
 * A zone id from a URL → the zone name. PowerDNS makes ids from names by writing every octet
 * other than a letter, digit, `.` or `-` as `=XX` (hex), so `2/0.2.0.192.in-addr.arpa.` is
 * `2=2F0.2.0.192.in-addr.arpa.`; clients pass the id back as they got it, or write the plain
 * name, with or without the final dot. An id that cannot name a zone is a 404, as no zone has it.
 */
export function zoneIdToName(id: string): Name {
  const text = id.replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  try {
    if (text === '' || text === '.') return '.';
    return parseName(text.endsWith('.') ? text : text + '.');
  } catch (err) {
    if (err instanceof NameError) throw new PdnsError(404, `Could not find domain '${id}'`);
    throw err;
  }
}

/** The id PowerDNS would give a zone: the name with every octet but [A-Za-z0-9.-] written as =XX. */
export function zoneId(apex: Name): string {
  if (apex === '.') return '=2E';
  let id = '';
  for (const b of Buffer.from(apex, 'latin1')) {
    const c = String.fromCharCode(b);
    id += /[A-Za-z0-9.-]/.test(c) ? c : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return id;
}

/**
 * An owner name in a request: absolute, as PowerDNS takes it (`www.example.com.`). PowerDNS
 * refuses one without the final dot; it can mean nothing else here, so it is read as if the
 * dot were there, never relative to the zone.
 */
export function absoluteName(value: unknown, field: string): Name {
  if (typeof value !== 'string' || value === '') throw new PdnsError(422, `${field}: required, a domain name such as "www.example.com."`);
  try {
    return parseName(value.endsWith('.') ? value : value + '.');
  } catch (err) {
    if (err instanceof NameError) throw new PdnsError(422, `${field}: bad name ${JSON.stringify(value)}: ${err.message}`);
    throw err;
  }
}

/** An owner name that must lie in the zone. */
export function ownerIn(value: unknown, apex: Name, field: string): Name {
  const name = absoluteName(value, field);
  if (!isInZone(name, apex)) throw new PdnsError(422, `${field}: ${name} is out of zone ${apex}`);
  return name;
}

/** An RR type mnemonic (or TYPEnnn) that can be stored in a zone. */
export function recordType(value: unknown, field: string): number {
  const t = typeof value === 'string' ? typeFromText(value) : undefined;
  if (t === undefined || isMetaType(t)) throw new PdnsError(422, `${field}: unknown type ${JSON.stringify(value)}`);
  return t;
}

export function describe(name: Name, type: number): string {
  return `${name} ${typeToText(type)}`;
}
