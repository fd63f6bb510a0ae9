// Admin writes: If-Match and the token's name → the commit pipeline (records, audit, journal in one transaction) → metrics.
import type { FastifyRequest } from 'fastify';
import type { Name } from '../../zones/model/name.js';
import { typeToText } from '../../zones/model/types.js';
import { EditError, type RRsetEdit, type CommitResult, type Actor, type ZoneChange } from '../../zones/commit.js';
import type { Zone } from '../../zones/zone.js';
import { soaSerial } from '../../zones/model/rdata/index.js';
import type { ApiDeps } from './deps.js';
import type { Principal } from './tokens.js';
import { ApiError, E } from './errors.js';
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

/** The audit log's name for a token. */
export function actorOf(p: Principal): Actor {
  return { tokenId: p.id, label: p.label };
}

/** Append one audit entry for a write that is not a zone commit (tokens, TSIG keys, secondaries). */
export function audit(deps: ApiDeps, p: Principal, zone: Name, action: string, before: unknown, after: unknown): void {
  deps.store.insertAudit({
    at: now(deps), token_id: p.id, token_label: p.label, zone, action,
    before: before === undefined ? null : JSON.stringify(before), after: after === undefined ? null : JSON.stringify(after),
  });
}

/** Any zone change through the pipeline, in the token's name; counted when something was written. */
export function commitChange(deps: ApiDeps, p: Principal, change: ZoneChange): CommitResult {
  const res = deps.pipeline.commit(change, actorOf(p));
  if (res.written) deps.metrics.edits++;
  return res;
}

/**
 * RRset edits through the pipeline, which writes them with their audit rows and journal step
 * in one transaction. `field` renames the pipeline's `changes[0]…` fields for single-RRset
 * routes (PUT: `name`).
 */
export function commit(deps: ApiDeps, req: FastifyRequest, p: Principal, apex: Name,
  edits: readonly RRsetEdit[] | ((zone: Zone) => readonly RRsetEdit[]), action: string, field?: string): CommitResult {
  try {
    return commitChange(deps, p, { kind: 'edit', apex, edits, ifSerial: ifMatchSerial(req), action });
  } catch (err) {
    // The pipeline names `changes[0]…` of a one-RRset change list: say `records` when it names
    // the records (or the zone's record count), else the route's field.
    if (field && err instanceof EditError && err.code === 'invalid') {
      throw new EditError(err.code, err.message, err.field?.startsWith('changes[0].records') ? err.field.slice('changes[0].'.length) : err.field === 'records' ? 'records' : field);
    }
    throw err;
  }
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
