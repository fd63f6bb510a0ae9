// Table sizes for hash-indexed arrays: a power of two, so a slot is the hash's low bits.

/** The smallest power of two at least `n` (1 for n ≤ 1). */
export function powerOfTwoAtLeast(n: number): number {
  let size = 1;
  while (size < n) size <<= 1;
  return size;
}
