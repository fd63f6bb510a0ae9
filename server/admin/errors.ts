// Admin API error codes, the error type routes throw, and the one handler turning any failure into `{error, field, detail}`.
import type { FastifyError, FastifyInstance } from 'fastify';
import { EditError } from '../../zones/commit.js';
import { RdataError } from '../../zones/model/rdata/index.js';
import { ZoneParseError } from '../../zones/io/zonefile-parse.js';
import { ZoneCheckError } from '../../zones/zone-check.js';
import { SettingsError } from '../../zones/settings.js';
import { NameError } from '../../zones/model/name.js';
import { TsigKeyError } from '../xfr/keys.js';
import { SecondaryError } from '../xfr/acl.js';
import { PolicyError } from '../update/policy.js';
import { ServiceError } from '../checks/service-spec.js';
import { RolloverError } from '../rollover/records.js';
import type { Logger } from '../log.js';

/** The `error` field of every error response: stable strings clients can switch on. */
export const E = {
  INVALID: 'invalid',
  NOT_ALLOWED: 'not_allowed',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  EXISTS: 'exists',
  /** 409: still referenced (a TSIG key a secondary requires). */
  IN_USE: 'in_use',
  STALE: 'stale',
  /** 409: the request does not fit the state it finds (a rollover under way, or not yet ready to retire). */
  CONFLICT: 'conflict',
  /** 409: the change would leave a live-checked service with no TLSA record for the key it presents. */
  WOULD_BREAK_SERVICE: 'would_break_service',
  /** 503: another writer held the database past the busy timeout; nothing was written, retry. */
  BUSY: 'busy',
  UNSUPPORTED_MEDIA: 'unsupported_media_type',
  TOO_LARGE: 'too_large',
  INTERNAL: 'internal',
} as const;
export type ErrorCode = (typeof E)[keyof typeof E];

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: ErrorCode, readonly detail: string, readonly field?: string) {
    super(detail);
  }
}

export interface ErrorBody {
  error: ErrorCode;
  field: string | null;
  detail: string;
}

/** JSON schema of every error response (used in route schemas and the OpenAPI document). */
export const errorSchema = {
  type: 'object',
  required: ['error', 'field', 'detail'],
  properties: {
    error: { type: 'string' },
    field: { type: ['string', 'null'] },
    detail: { type: 'string' },
  },
} as const;

const EDIT_STATUS: Record<EditError['code'], [number, ErrorCode]> = {
  no_zone: [404, E.NOT_FOUND],
  not_allowed: [400, E.NOT_ALLOWED],
  invalid: [400, E.INVALID],
  stale: [412, E.STALE],
  exists: [409, E.EXISTS],
  busy: [503, E.BUSY],
  would_break_service: [409, E.WOULD_BREAK_SERVICE],
};

const TSIG_STATUS: Record<TsigKeyError['code'], [number, ErrorCode]> = {
  invalid: [400, E.INVALID],
  exists: [409, E.EXISTS],
  missing: [404, E.NOT_FOUND],
  in_use: [409, E.IN_USE],
};

const SECONDARY_STATUS: Record<SecondaryError['code'], [number, ErrorCode]> = {
  invalid: [400, E.INVALID],
  no_key: [400, E.INVALID],
  no_zone: [404, E.NOT_FOUND],
  missing: [404, E.NOT_FOUND],
};

const POLICY_STATUS: Record<PolicyError['code'], [number, ErrorCode]> = {
  invalid: [400, E.INVALID],
  no_key: [400, E.INVALID],
  no_zone: [404, E.NOT_FOUND],
  missing: [404, E.NOT_FOUND],
};

/** Map anything thrown by a route (or by fastify itself) to a status and body. Bad input never becomes a 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof EditError) {
    const [status, code] = EDIT_STATUS[err.code];
    return new ApiError(status, code, err.message, err.field);
  }
  if (err instanceof TsigKeyError || err instanceof SecondaryError || err instanceof PolicyError) {
    const [status, code] = err instanceof TsigKeyError ? TSIG_STATUS[err.code] : err instanceof SecondaryError ? SECONDARY_STATUS[err.code] : POLICY_STATUS[err.code];
    return new ApiError(status, code, err.message, err.field);
  }
  if (err instanceof RolloverError) return new ApiError(err.status, err.status === 404 ? E.NOT_FOUND : err.status === 409 ? E.CONFLICT : E.INVALID, err.message, err.field);
  if (err instanceof ServiceError) return err.notFound ? new ApiError(404, E.NOT_FOUND, err.message, err.field) : new ApiError(400, E.INVALID, err.message, err.field);
  if (err instanceof RdataError || err instanceof ZoneCheckError || err instanceof NameError) return new ApiError(400, E.INVALID, err.message);
  if (err instanceof ZoneParseError) return new ApiError(400, E.INVALID, err.message, 'zonefile');
  if (err instanceof SettingsError) return new ApiError(400, E.INVALID, err.message, 'settings');
  const fe = err as FastifyError;
  if (fe && Array.isArray(fe.validation)) {
    const v = fe.validation[0];
    const ctx = (fe.validationContext ?? 'body') as string;
    const params = v?.params as { missingProperty?: string; additionalProperty?: string } | undefined;
    const extra = params?.missingProperty ?? params?.additionalProperty;
    const path = [ctx, ...(v?.instancePath ?? '').split('/').filter(Boolean), ...(extra ? [extra] : [])].join('.');
    return new ApiError(400, E.INVALID, fe.message, path);
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = fe.statusCode === 415 ? E.UNSUPPORTED_MEDIA : fe.statusCode === 413 ? E.TOO_LARGE : E.INVALID;
    return new ApiError(fe.statusCode, code, fe.message);
  }
  return new ApiError(500, E.INTERNAL, 'internal error');
}

export function body(e: ApiError): ErrorBody {
  return { error: e.code, field: e.field ?? null, detail: e.detail };
}

/** Install the single error handler and a JSON 404 for unknown routes. */
export function installErrorHandling(app: FastifyInstance, log: Logger, onError: (status: number) => void): void {
  app.setErrorHandler((err, req, reply) => {
    const e = toApiError(err);
    // Only our own bugs reach the log with a stack; client errors are the client's business.
    if (e.status >= 500) log(`api: ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`, { level: 'error' });
    onError(e.status);
    if (e.status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.status(e.status).send(body(e));
  });
  app.setNotFoundHandler((req, reply) => {
    onError(404);
    return reply.status(404).send(body(new ApiError(404, E.NOT_FOUND, `no route ${req.method} ${req.url.split('?')[0]}`)));
  });
}
