// The IXFR journal as transfers read it: the chain of signed steps from a secondary's serial to ours (written by zones/commit.ts).
import type { Name } from '../../zones/model/name.js';
import type { Store } from '../../zones/store/sqlite.js';
import type { XfrStore } from '../../zones/store/xfr-sqlite.js';
import { decodeRRs } from '../../zones/journal-step.js';
import type { JournalStep } from './ixfr.js';

/** Where IXFR finds its difference sequences; undefined when the journal does not reach `from`. */
export interface JournalSource {
  steps(apex: Name, from: number, to: number): JournalStep[] | undefined;
}

/**
 * Each commit journals its step inside its own transaction, so the steps form one chain of
 * serials. A step's RRSIGs are the ones every process serves (signatures are deterministic
 * and dated from the zone's signing epoch), so a secondary that got its serial from any
 * worker, or before a restart, can follow them. A whole-zone step (a re-sign, an import, a
 * key change) breaks the chain: the secondary gets the zone whole (RFC 1995 §4).
 */
export class Journal implements JournalSource {
  constructor(private readonly store: Store, private readonly xs: XfrStore) {}

  steps(apex: Name, from: number, to: number): JournalStep[] | undefined {
    const row = this.store.zone(apex);
    if (!row) return undefined;
    const out: JournalStep[] = [];
    let cur = from;
    // Materialised: the journal is bounded, and a lazy SQLite cursor must not stay open across awaits.
    for (const r of [...this.xs.journalFrom(row.id, from)]) {
      if (r.serial_from !== cur || r.removed === null || r.added === null) return undefined;
      out.push({ from: r.serial_from, to: r.serial_to, removed: decodeRRs(r.removed), added: decodeRRs(r.added) });
      cur = r.serial_to;
      if (cur === to) return out;
    }
    return undefined;
  }
}
