// How the admin API and the token CLI read zone and owner names: final dot optional, relative to the zone when short.
import { parseName, isInZone, NameError, type Name } from '../../zones/model/name.js';
import { typeFromText, isMetaType } from '../../zones/model/types.js';
import { ApiError, E } from './errors.js';

/** A zone name with or without the final dot. */
export function zoneName(text: string, field = 'zone'): Name {
  try {
    return parseName(text.endsWith('.') ? text : text + '.');
  } catch (err) {
    throw new ApiError(400, E.INVALID, `bad zone name ${JSON.stringify(text)}: ${(err as Error).message}`, field);
  }
}

/**
 * An owner name in `apex`: `@` is the apex; a name ending in a dot, or one that already ends
 * with the zone name, is absolute; anything else is relative to the zone ("www", "_443._tcp.www").
 * So `www`, `www.example.com` and `www.example.com.` all mean the same owner.
 */
export function ownerName(text: string, apex: Name, field = 'name'): Name {
  try {
    if (text === '@' || text === '') return apex;
    if (text.endsWith('.')) return parseName(text);
    const abs = parseName(text + '.');
    if (isInZone(abs, apex)) return abs;
    return parseName(text, apex);
  } catch (err) {
    if (err instanceof NameError) throw new ApiError(400, E.INVALID, `bad name ${JSON.stringify(text)}: ${err.message}`, field);
    throw err;
  }
}

/** An RR type mnemonic (or TYPEnnn) that can be stored in a zone. */
export function rrType(text: string, field = 'type'): number {
  const t = typeFromText(text);
  if (t === undefined || isMetaType(t)) throw new ApiError(400, E.INVALID, `unknown or meta RR type ${JSON.stringify(text)}`, field);
  return t;
}
