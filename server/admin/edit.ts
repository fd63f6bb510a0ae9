// Admin writes: If-Match and the token's name → the commit pipeline (records, audit, journal in one transaction) → metrics.
import { logKeys } from '../log-keys.js';
import type { FastifyRequest } from 'fastify';
import type { Name } from '../../zones/model/name.js';
import { typeToText } from '../../zones/model/types.js';
import { EditError, type RRsetEdit, type CommitResult, type Actor, type ZoneChange, type GuardNote } from '../../zones/commit.js';
import { CheckStore } from '../../zones/store/checks-sqlite.js';
import { rolloverStatus, type RolloverStatus } from '../rollover/rollover.js';
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

/**
 * `?force=true`: the change is made even where the write guard would refuse it (it would leave
 * a live-checked service without a record for its key). An admin's call only; audited.
 */
export function forceOf(req: FastifyRequest, p: Principal): boolean {
  const v = (req.query as Record<string, unknown> | undefined)?.force;
  if (v === undefined || v === 'false' || v === '0') return false;
  if (v !== 'true' && v !== '1' && v !== '') throw new ApiError(400, E.INVALID, `force must be true or false, not ${JSON.stringify(v)}`, 'force');
  if (!p.admin) throw new ApiError(403, E.FORBIDDEN, 'force needs an admin token: a scoped token cannot override the write guard', 'force');
  return true;
}

/**
 * What a write reply adds when the guard acted: 202 and the rollovers a replacement started
 * (the records asked for are published as the next key's, beside the current ones), or the
 * services a forced change broke; else 200.
 */
export function guardReply(deps: ApiDeps, res: CommitResult): { status: number; extra: { guard?: GuardNote[]; rollovers?: RolloverStatus[] } } {
  if (!res.guard?.length) return { status: 200, extra: {} };
  const checks = new CheckStore(deps.store);
  const rollovers = res.guard.filter((n) => n.kind === 'rollover').map((n) => checks.service(n.service)).filter((s) => s !== undefined).map((s) => rolloverStatus(deps.store, s));
  return { status: rollovers.length ? 202 : 200, extra: { guard: res.guard, ...(rollovers.length ? { rollovers } : {}) } };
}

/** Any zone change through the pipeline, in the token's name; counted when something was written. */
export function commitChange(deps: ApiDeps, p: Principal, change: ZoneChange): CommitResult {
  const actor = actorOf(p);
  const res = deps.pipeline.commit(change, actor);
  if (res.written) deps.metrics.edits++;
  if (res.imported?.keysCreated) logKeys(deps.log, deps.store, res.apex, 'created', actor.label);
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
    return commitChange(deps, p, { kind: 'edit', apex, edits, ifSerial: ifMatchSerial(req), action, force: forceOf(req, p) });
  } catch (err) {
    // The pipeline names `changes[0]…` of a one-RRset change list: say `records` when it names
    // the records (or the zone's record count), else the route's field.
    if (field && err instanceof EditError && (err.code === 'invalid' || err.code === 'would_break_service')) {
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
