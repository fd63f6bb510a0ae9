// RDATA as read from a DNS message: names in it may be compressed (RFC 1035 §4.1.4), the store keeps them whole.
import { readWireName, nameToWire, NameError } from '../name.js';
import { typeToText } from '../types.js';
import { RdataError } from './errors.js';
import { SCHEMAS } from './schemas.js';
import { decodeKnown } from './codec.js';

/**
 * The RDATA at msg[start, end) in uncompressed wire form. A name field may point back into
 * the message: RFC 3597 §4 has receivers decompress the types whose names may be compressed,
 * and a pointer in a later type is followed just the same. Types without a schema (RFC 3597
 * unknown types) hold no names this side knows of and are copied as they are. The result is
 * checked as any stored RDATA is. Throws RdataError.
 */
export function rdataFromMessage(type: number, msg: Buffer, start: number, end: number): Buffer {
  const schema = SCHEMAS.get(type);
  let rdata: Buffer;
  if (!schema || !schema.fields.some((f) => f.kind.isName)) {
    rdata = Buffer.from(msg.subarray(start, end));
  } else {
    // The message up to the end of this RDATA: pointers lead backwards, and a field that runs
    // to the end of its RDATA (a type bitmap, base64) ends here.
    const buf = msg.subarray(0, end);
    const parts: Buffer[] = [];
    let off = start;
    try {
      for (const f of schema.fields) {
        if (off > end || (off === end && !f.kind.rest)) throw new RdataError(`${f.label}: truncated`);
        if (f.kind.isName) {
          const n = readWireName(buf, off, true);
          parts.push(nameToWire(n.name));
          off = n.next;
        } else {
          const d = f.kind.decode(buf, off, f.label);
          parts.push(buf.subarray(off, d.next));
          off = d.next;
        }
      }
    } catch (err) {
      if (err instanceof NameError || err instanceof RangeError) throw new RdataError(`${typeToText(type)}: ${(err as Error).message}`);
      if (err instanceof RdataError) throw new RdataError(`${typeToText(type)} ${err.message}`);
      throw err;
    }
    if (off !== end) throw new RdataError(`${typeToText(type)} has ${end - off} trailing bytes`);
    rdata = Buffer.concat(parts);
  }
  decodeKnown(type, rdata);
  return rdata;
}
