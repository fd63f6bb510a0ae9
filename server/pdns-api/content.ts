// Record content as PowerDNS takes and shows it: presentation RDATA with absolute names, TXT as quoted strings, hex in lowercase.
import { RRType, typeToText } from '../../zones/model/types.js';
import { rdataToText, RdataError } from '../../zones/model/rdata/index.js';
import { encodeTokens } from '../../zones/model/rdata/codec.js';
import { escapeBytes } from '../../zones/model/rdata/encodings.js';
import { tokenize, TokenizeError, type Token } from '../../zones/io/tokenize.js';
import { PdnsError } from './errors.js';

/** Types whose presentation ends in a hex field, which PowerDNS shows in lowercase (our zone files use uppercase). */
const LOWERCASE_HEX = new Set<number>([RRType.DS, RRType.CDS, RRType.TLSA, RRType.SMIMEA, RRType.SSHFP, RRType.ZONEMD]);

/** Types whose content is a list of character-strings: PowerDNS takes them quoted only. */
const CHARACTER_STRINGS = new Set<number>([RRType.TXT, RRType.SPF]);

const isGeneric = (tokens: Token[]) => tokens.length > 0 && tokens[0].text === '\\#' && !tokens[0].quoted;

/**
 * Content → wire RDATA. Names have no origin to be relative to: `mail` is refused, not read
 * as `mail.` (PowerDNS refuses it too, rather than publish a name nobody meant). TXT and SPF
 * content must be quoted: unquoted, `v=spf1 -all` would be two strings, which a reader joins
 * into `v=spf1-all`. Errors name `field`.
 */
export function contentToRdata(type: number, content: unknown, field: string): Buffer {
  const what = typeToText(type);
  if (typeof content !== 'string') throw new PdnsError(422, `${field}: required, the ${what} record as text`);
  let tokens: Token[];
  try {
    tokens = tokenize(content);
  } catch (err) {
    if (err instanceof TokenizeError) throw new PdnsError(422, `${field}: ${what} content ${JSON.stringify(content)}: ${err.message}`);
    throw err;
  }
  if (CHARACTER_STRINGS.has(type) && !isGeneric(tokens) && tokens.some((t) => !t.quoted)) {
    throw new PdnsError(422, `${field}: ${what} content ${JSON.stringify(content)} must be quoted character-strings, such as "\\"v=spf1 -all\\""`);
  }
  try {
    return encodeTokens(type, tokens, undefined);
  } catch (err) {
    if (err instanceof RdataError) {
      const hint = /relative name/.test(err.message) ? ' (names in content are absolute: end them with a dot)' : '';
      throw new PdnsError(422, `${field}: ${what} content ${JSON.stringify(content)}: ${err.message}${hint}`);
    }
    throw err;
  }
}

/** Wire RDATA → content, in the form PowerDNS 4.7 shows. */
export function rdataToContent(type: number, rdata: Buffer): string {
  if (CHARACTER_STRINGS.has(type)) {
    const text = characterStringsContent(rdata);
    if (text !== undefined) return text;
  }
  const text = rdataToText(type, rdata);
  // Every field before the hex is a number, and RFC 3597 `\# len hex` has only digits and hex.
  return LOWERCASE_HEX.has(type) || text.startsWith('\\# ') ? text.toLowerCase() : text;
}

// ignoreBOM: a leading U+FEFF is part of the string, not a byte-order mark to drop.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * TXT and SPF as quoted strings, with text in UTF-8 shown as the characters it spells
 * (`"café"`), as PowerDNS shows what clients send it; `"` and `\` escaped, and control
 * octets, and any string that is not UTF-8, as `\DDD`. Undefined for malformed RDATA.
 */
function characterStringsContent(rdata: Buffer): string | undefined {
  const parts: string[] = [];
  for (let off = 0; off < rdata.length; ) {
    const end = off + 1 + rdata[off];
    if (end > rdata.length) return undefined;
    const bytes = rdata.subarray(off + 1, end);
    off = end;
    let text: string;
    try {
      text = [...utf8.decode(bytes)].map((c) => (c.charCodeAt(0) < 0x80 ? escapeBytes(Buffer.from(c, 'latin1')) : c)).join('');
    } catch {
      text = escapeBytes(bytes);
    }
    parts.push(`"${text}"`);
  }
  return parts.length ? parts.join(' ') : undefined;
}
