// PowerDNS API errors: the status codes its clients act on, and the one handler that turns any failure into `{"error": "..."}`.
import type { FastifyError, FastifyInstance } from 'fastify';
import { EditError } from '../../zones/commit.js';
import { RdataError } from '../../zones/model/rdata/index.js';
import { ZoneCheckError } from '../../zones/zone-check.js';
import { SettingsError } from '../../zones/settings.js';
import { NameError } from '../../zones/model/name.js';
import { ApiError } from '../admin/errors.js';
import type { Logger } from '../log.js';

/**
 * A refusal with the status PowerDNS gives for it: 400 a body that is not JSON, 401 no or a
 * bad key, 403 outside the token's scope, 404 no such server or zone, 409 the zone exists,
 * 422 JSON that does not say something valid (the message names the field), 409 a change that
 * would break a live-checked service (`would_break_service: …`), 503 busy.
 */
export class PdnsError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const EDIT_STATUS: Record<EditError['code'], number> = {
  no_zone: 404, not_allowed: 422, invalid: 422, stale: 409, exists: 409, busy: 503, would_break_service: 409,
};

/** The pipeline names fields of its change list (`changes[2].name`); PATCH sends them as `rrsets[2]`, one for one. */
function fieldText(field: string | undefined): string {
  return field ? `${field.replace(/^changes\[/, 'rrsets[')}: ` : '';
}

/** Map anything a route throws (or fastify itself) to a status and message. Bad input never becomes a 500. */
export function toPdnsError(err: unknown): PdnsError {
  if (err instanceof PdnsError) return err;
  if (err instanceof EditError) return new PdnsError(EDIT_STATUS[err.code], (err.code === 'would_break_service' ? `${err.code}: ` : '') + fieldText(err.field) + err.message);
  // Helpers shared with the admin API (token scopes, TLSA owner rules) throw its errors.
  if (err instanceof ApiError) return new PdnsError(err.status === 400 ? 422 : err.status, fieldText(err.field) + err.detail);
  if (err instanceof RdataError || err instanceof ZoneCheckError || err instanceof NameError || err instanceof SettingsError) {
    return new PdnsError(422, err.message);
  }
  const fe = err as FastifyError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return new PdnsError(fe.statusCode, fe.message);
  return new PdnsError(500, 'internal error');
}

/** One error handler and a JSON 404 for paths this API does not have. */
export function installErrorHandling(app: FastifyInstance, log: Logger, onError: (status: number) => void): void {
  app.setErrorHandler((err, req, reply) => {
    const e = toPdnsError(err);
    if (e.status >= 500) log(`pdns-api: ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`, { level: 'error' });
    onError(e.status);
    if (e.status === 401) reply.header('www-authenticate', 'X-API-Key realm="daneprime"');
    return reply.status(e.status).send({ error: e.message });
  });
  app.setNotFoundHandler((req, reply) => {
    onError(404);
    return reply.status(404).send({ error: `Not Found: no ${req.method} ${req.url.split('?')[0]}` });
  });
}
