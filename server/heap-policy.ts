// V8 heap growth for a serving process: room above a small live heap, so that a little promoted garbage does not force a full collection every few seconds.
import v8 from 'node:v8';

/**
 * Why. V8 sets the old generation's limit from how cheap a full collection is against how
 * fast the old generation fills. A server answering from a zone of thousands of names has a
 * small live heap (about 30 MB for 10,000 names) that fills slowly: some 20–70 KB/s of
 * per-query objects that happened to outlive two scavenges. Both push V8 to its smallest growth
 * factor. Incremental marking then starts once the room left is less than the young
 * generation, which a flood grows to 16 MB per semi-space. The result is a full collection
 * every 3–13 s under load, each a 6–20 ms pause, which then sets the maximum latency at
 * 50,000–85,000 q/s (16–22 ms, where Knot's is 4–5 ms). With a fixed factor of 2 the same
 * bench load makes 4 full collections where V8's own choice makes 10, and 2 of its 21 cells
 * reach a maximum of 15 ms or more, where V8's choice has 8.
 *
 * Only for small heaps: a factor of 2 on the million-record zone's heap (about 1 GB) could
 * double it, and a big heap's own limit already leaves tens of megabytes of room.
 */
export const SMALL_HEAP_BYTES = 256 * 1024 * 1024;
export const SMALL_HEAP_GROWING_PERCENT = 100;
/** How often the live heap is looked at again (zones grow and shrink through edits). */
const CHECK_MS = 10_000;

/** The `--heap-growing-percent` for a live heap of `usedBytes`: 0 leaves growth to V8. */
export function heapGrowingPercent(usedBytes: number): number {
  return usedBytes <= SMALL_HEAP_BYTES ? SMALL_HEAP_GROWING_PERCENT : 0;
}

/** Whether node was started with its own heap-growth flag, which then stays in charge. */
export const growthSetByOperator = (execArgv: readonly string[]): boolean =>
  execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'));

/**
 * Apply heapGrowingPercent now and every CHECK_MS, telling V8 only when the choice changes;
 * returns the function that stops it. `setFlags` is v8.setFlagsFromString: V8 reads this
 * flag each time it sizes the old generation, so a change takes effect at the next collection.
 */
export function startHeapPolicy(log: (m: string) => void, setFlags: (flags: string) => void = v8.setFlagsFromString,
  used: () => number = () => v8.getHeapStatistics().used_heap_size, execArgv: readonly string[] = process.execArgv): () => void {
  if (growthSetByOperator(execArgv)) return () => {};
  let current = 0;
  const apply = () => {
    const want = heapGrowingPercent(used());
    if (want === current) return;
    setFlags(`--heap-growing-percent=${want}`);
    current = want;
    log(want ? `heap: live heap under ${SMALL_HEAP_BYTES >> 20} MB, old generation may grow ${want}% before a full collection`
      : `heap: live heap over ${SMALL_HEAP_BYTES >> 20} MB, old-generation growth left to V8`);
  };
  apply();
  const timer = setInterval(apply, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
