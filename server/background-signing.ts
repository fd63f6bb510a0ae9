// Background signing after load: DnssecService.presign run in short slices on timers, logged when a pass completes.
import type { DnssecService } from '../signer/service.js';

/**
 * 1 ms slices with at least 1 ms (a timer tick) between them, so signing takes at most about
 * half a core and a query never waits behind more than one slice. Once everything is signed
 * it looks again once a second (a key change re-signs, for one).
 */
const SLICE_MS = 1;
const IDLE_MS = 1000;

/** Start signing in the background; returns the function that stops it. */
export function startBackgroundSigning(dnssec: DnssecService, now: () => number, log: (m: string) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let since: number | undefined;
  let signedBefore = 0;
  const slice = () => {
    if (since === undefined) { since = performance.now(); signedBefore = dnssec.cache.signed; }
    let more = false;
    try { more = dnssec.presign(now(), performance.now() + SLICE_MS); } catch (err) { log(`background signing failed: ${(err as Error).message}`); }
    if (!more) {
      const made = dnssec.cache.signed - signedBefore;
      if (made > 0) log(`background signing done: ${made} signatures in ${((performance.now() - since) / 1000).toFixed(1)} s`);
      since = undefined;
    }
    timer = setTimeout(slice, more ? SLICE_MS : IDLE_MS);
    timer.unref();
  };
  slice();
  return () => clearTimeout(timer);
}
