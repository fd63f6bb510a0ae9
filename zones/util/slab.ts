// Small kept buffers carved from slabs of their own: one ArrayBuffer per slab, not one per buffer.

/**
 * Why not Buffer.allocUnsafeSlow per buffer: every ArrayBuffer V8 makes gets a backing store
 * registered with the GC's sweeper and external-memory count. On a big heap that measured
 * several µs per small buffer, a fifth of a random-label query's time on a 300,000-name
 * zone, where each query makes the wire pieces of an NSEC3 RRset no recent query met.
 *
 * Why not Node's pool (Buffer.allocUnsafe): its 8 KB chunks are shared with short-lived
 * replies, and one kept slice keeps its whole chunk alive. A slab holds kept buffers only.
 * It suits buffers let go in about the order they were made (a FIFO-bounded cache): a slab
 * is then freed soon after the last buffer carved from it.
 */
export class Slabs {
  private slab: Buffer = Buffer.alloc(0);
  private at = 0;

  constructor(private readonly slabSize = 64 * 1024) {}

  /** `n` octets, uninitialised. Buffers over an eighth of a slab get memory of their own. */
  alloc(n: number): Buffer {
    if (n > this.slabSize >>> 3) return Buffer.allocUnsafeSlow(n);
    if (this.at + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(this.slabSize);
      this.at = 0;
    }
    const b = this.slab.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
}
