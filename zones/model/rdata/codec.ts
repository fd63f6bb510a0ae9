// The generic schema-driven codec: presentation tokens <-> wire, plus RFC 3597 `\#` handling.
import type { Name } from '../name.js';
import { typeToText } from '../types.js';
import type { Token } from '../../io/tokenize.js';
import { RdataError } from './errors.js';
import { parseHex } from './encodings.js';
import { parseUint } from './numbers.js';
import type { Cursor, JsonValue } from './kinds.js';
import { SCHEMAS, type Schema } from './schemas.js';

const MAX_RDATA = 65535;

/** Run `fn`, prefixing any RdataError message with the type mnemonic. */
function inType<T>(type: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RdataError) throw new RdataError(`${typeToText(type)} ${e.message}`);
    throw e;
  }
}

/** RFC 3597 §5: `\# <length> <hex…>`. */
function parseGeneric(tokens: Token[]): Buffer {
  const len = parseUint(tokens[0]?.text ?? '', 16, 'generic rdata length');
  const data = parseHex(tokens.slice(1).map((t) => t.text).join(''), 'generic rdata');
  if (data.length !== len) throw new RdataError(`generic rdata: length ${len} given but ${data.length} bytes of hex`);
  return data;
}

export interface DecodedRdata {
  texts: string[];
  values: Record<string, JsonValue>;
}

/** Decode wire RDATA with a schema, validating structure and cross-field rules. */
function decodeWith(schema: Schema, rdata: Buffer): DecodedRdata {
  const texts: string[] = [];
  const values: Record<string, JsonValue> = {};
  let off = 0;
  for (const f of schema.fields) {
    const d = f.kind.decode(rdata, off, f.label);
    if (d.text !== '') texts.push(d.text);
    values[f.key] = d.json;
    off = d.next;
  }
  if (off !== rdata.length) throw new RdataError(`has ${rdata.length - off} trailing bytes`);
  const msg = schema.check?.(values);
  if (msg) throw new RdataError(msg);
  return { texts, values };
}

/** Structured decode; undefined for types without a schema. Throws RdataError for bad wire. */
export function decodeKnown(type: number, rdata: Buffer): DecodedRdata | undefined {
  const schema = SCHEMAS.get(type);
  return schema && inType(type, () => decodeWith(schema, rdata));
}

export function encodeTokens(type: number, tokens: Token[], origin: Name | undefined): Buffer {
  return inType(type, () => {
    const schema = SCHEMAS.get(type);
    let wire: Buffer;
    if (tokens.length && tokens[0].text === '\\#' && !tokens[0].quoted) {
      wire = parseGeneric(tokens.slice(1));
    } else {
      if (!schema || schema.genericTextOnly) throw new RdataError('has no presentation format here; use RFC 3597 syntax \\# <length> <hex>');
      const c: Cursor = { tokens, i: 0, origin };
      const parts = schema.fields.map((f) => f.kind.encode(c, f.label));
      if (c.i < tokens.length) throw new RdataError(`unexpected extra text '${tokens[c.i].text}'`);
      wire = Buffer.concat(parts);
    }
    if (wire.length > MAX_RDATA) throw new RdataError(`rdata longer than ${MAX_RDATA} bytes`);
    // Validating through the decoder applies one set of rules to text, `\#` and wire input alike.
    if (schema) decodeWith(schema, wire);
    return wire;
  });
}

export function genericText(rdata: Buffer): string {
  return rdata.length ? `\\# ${rdata.length} ${rdata.toString('hex').toUpperCase()}` : '\\# 0';
}

export function wireToText(type: number, rdata: Buffer): string {
  const schema = SCHEMAS.get(type);
  if (!schema || schema.genericTextOnly) {
    if (schema) decodeKnown(type, rdata);
    return genericText(rdata);
  }
  return decodeKnown(type, rdata)!.texts.join(' ');
}
