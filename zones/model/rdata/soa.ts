// SOA helpers: serial and minimum sit at fixed offsets from the end (RFC 1035 §3.3.13),
// so no name parsing is needed.
import { RdataError } from './errors.js';

const SERIAL_FROM_END = 20;
const REFRESH_FROM_END = 16;
const MINIMUM_FROM_END = 4;

function check(rdata: Buffer): void {
  if (rdata.length < 22) throw new RdataError(`SOA rdata too short (${rdata.length} bytes)`);
}

export function soaSerial(rdata: Buffer): number {
  check(rdata);
  return rdata.readUInt32BE(rdata.length - SERIAL_FROM_END);
}

/** How often a secondary should check the primary's serial (seconds). */
export function soaRefresh(rdata: Buffer): number {
  check(rdata);
  return rdata.readUInt32BE(rdata.length - REFRESH_FROM_END);
}

export function soaMinimum(rdata: Buffer): number {
  check(rdata);
  return rdata.readUInt32BE(rdata.length - MINIMUM_FROM_END);
}

/** Copy of the SOA rdata with a new serial (taken modulo 2^32, RFC 1982). */
export function withSoaSerial(rdata: Buffer, serial: number): Buffer {
  check(rdata);
  const out = Buffer.from(rdata);
  out.writeUInt32BE(((serial % 2 ** 32) + 2 ** 32) % 2 ** 32, rdata.length - SERIAL_FROM_END);
  return out;
}
