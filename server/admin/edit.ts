// Admin writes: If-Match → applyEdits and the audit rows in one SQLite transaction → metrics. The only way routes change zones.
import type { FastifyRequest } from 'fastify';
import type { Name } from '../../zones/model/name.js';
import { typeToText } from '../../zones/model/types.js';
import { applyEdits, EditError, type EditResult, type RRsetEdit } from '../../zones/update.js';
import type { Zone } from '../../zones/zone.js';
import { soaSerial } from '../../zones/model/rdata/index.js';
import type { ApiDeps } from './app.js';
import type { Principal } from './tokens.js';
import { ApiError, E } from './errors.js';
import { rrsetToJson } from './rrset-json.js';
import { lintChanges, type Warning } from './dane-lint.js';

/** The serial an `If-Match` header demands (ETag = `"serial"`); undefined when absent or `*`. */
export function ifMatchSerial(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined || h.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?([0-9]{1,10})"?\s*$/.exec(h);
  if (!m) throw new ApiError(400, E.INVALID, 'If-Match must be the zone ETag: "SERIAL"', 'if-match');
  return Number(m[1]);
}

export function etag(serial: number): string {
  return `"${serial}"`;
}

export function serialOf(zone: Zone): number {
  return soaSerial(zone.soa.rdatas[0]);
}

export function now(deps: ApiDeps): number {
  return deps.now ? deps.now() : Math.floor(Date.now() / 1000);
}

/** Append one audit entry (inside the caller's transaction). */
export function audit(deps: ApiDeps, p: Principal, zone: Name, action: string, before: unknown, after: unknown): void {
  deps.store.insertAudit({
    at: now(deps), token_id: p.id, token_label: p.label, zone, action,
    before: before === undefined ? null : JSON.stringify(before), after: after === undefined ? null : JSON.stringify(after),
  });
}

/**
 * Apply edits atomically with their audit rows: applyEdits runs its transaction nested in
 * ours (a savepoint), so the records, the serial bump and the audit log commit together.
 * `field` renames applyEdits' `changes[0]…` fields for single-RRset routes (PUT: `name`).
 */
export function commit(deps: ApiDeps, req: FastifyRequest, p: Principal, apex: Name, edits: RRsetEdit[], action: string,
  field?: string): EditResult {
  const ifSerial = ifMatchSerial(req);
  let applied = false;
  let res: EditResult;
  try {
    res = deps.store.transaction(() => {
      const r = applyEdits(deps.store, deps.zones, apex, edits, { now: now(deps), ifSerial });
      applied = true;
      for (const c of r.changes) {
        audit(deps, p, apex, action, c.before && rrsetToJson(c.before), c.after && rrsetToJson(c.after));
      }
      return r;
    });
  } catch (err) {
    // The edit reached memory but the transaction rolled back (the audit insert failed):
    // the zone row's generation now differs from the store's, so sync() reloads the zone.
    if (applied) deps.zones.sync();
    if (field && err instanceof EditError && err.code === 'invalid') {
      throw new EditError(err.code, err.message, field);
    }
    throw err;
  }
  if (res.changes.length) deps.metrics.edits++;
  return res;
}

/** DANE lint for the TLSA edits in a change list, judged against the zone as it is now. */
export function lintEdits(deps: ApiDeps, zone: Zone, edits: readonly RRsetEdit[]): Warning[] {
  // RRSIGs per answer: one per active ZSK/CSK, none when the zone is served unsigned.
  const row = deps.dnssec?.forApex(zone.apex) ? deps.store.zone(zone.apex) : undefined;
  const signatures = row ? deps.store.keys(row.id).filter((k) => k.active && k.role !== 'ksk').length : 0;
  return lintChanges(zone, edits, { signatures });
}

export function describe(name: Name, type: number): string {
  return `${name} ${typeToText(type)}`;
}
