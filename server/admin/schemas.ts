// JSON schemas shared by the route plugins: they validate requests, shape responses and feed the OpenAPI document.
import { errorSchema } from './errors.js';

export const zoneParams = {
  type: 'object', required: ['zone'],
  properties: { zone: { type: 'string', minLength: 1, maxLength: 255, description: 'zone name, final dot optional' } },
} as const;

export const rrsetParams = {
  type: 'object', required: ['zone', 'name', 'type'],
  properties: {
    ...zoneParams.properties,
    name: { type: 'string', minLength: 1, maxLength: 255, description: 'owner: absolute (final dot optional), relative to the zone, or @' },
    type: { type: 'string', minLength: 1, maxLength: 16, description: 'RR type mnemonic, e.g. TLSA' },
  },
} as const;

const ttl = { type: 'integer', minimum: 0, maximum: 2147483647 } as const;
/** A record: presentation text, or the structured JSON form responses show in `data`. */
export const recordInput = { anyOf: [{ type: 'string', minLength: 1, maxLength: 65535 }, { type: 'object' }] } as const;
const records = {
  type: 'array', minItems: 1, maxItems: 1000, items: recordInput,
  description: 'RDATA in presentation format ("3 1 1 ab12…") or structured ({"usage": 3, "selector": 1, "matchingType": 1, "data": "ab12…"})',
} as const;

export const rrsetJson = {
  type: 'object', required: ['name', 'type', 'ttl', 'records'],
  properties: {
    name: { type: 'string' }, type: { type: 'string' }, ttl: { type: 'integer' },
    records: { type: 'array', items: { type: 'string' } },
    data: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'the records as structured JSON' },
  },
} as const;

export const rrsetBody = {
  type: 'object', required: ['records'], additionalProperties: false,
  properties: { ttl, records },
} as const;

export const patchBody = {
  type: 'object', required: ['changes'], additionalProperties: false,
  properties: {
    changes: {
      type: 'array', minItems: 1, maxItems: 1000,
      items: {
        type: 'object', required: ['name', 'type'], additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1 }, type: { type: 'string', minLength: 1 }, ttl, records, delete: { type: 'boolean' } },
      },
    },
  },
} as const;

export const warningsJson = {
  type: 'array',
  items: { type: 'object', required: ['code', 'name', 'detail'], properties: { code: { type: 'string' }, name: { type: 'string' }, detail: { type: 'string' } } },
} as const;

/** Where a service's TLSA rollover stands: `service status --json`, GET …/rollover, and a write the guard took as a rollover. */
export const rolloverSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' }, state: { type: 'string' }, since: { type: ['string', 'null'] }, readyAt: { type: ['string', 'null'] },
    current: { type: 'array', items: { type: 'string' } }, next: { type: 'array', items: { type: 'string' } },
    secondaries: { type: 'array', items: { type: 'object', properties: { address: { type: 'string' }, serial: { type: ['integer', 'null'] }, servesNext: { type: 'boolean' } } } },
    serial: { type: ['integer', 'null'] }, tVis: { type: ['string', 'null'] }, maxTtl: { type: ['integer', 'null'] }, negativeTtl: { type: ['integer', 'null'] },
    prematureSwitch: { type: 'boolean' },
  },
} as const;

/**
 * A write's reply. `guard`: what the write guard did (`rollover`: a replacement taken as a
 * rollover, 202; `forced`: a service an admin's forced change broke); `rollovers`: the status of
 * each rollover so started.
 */
export const writeResult = {
  type: 'object', required: ['serial', 'warnings'],
  properties: {
    serial: { type: 'integer' }, changed: { type: 'integer' }, rrset: rrsetJson, warnings: warningsJson,
    guard: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, service: { type: 'string' }, detail: { type: 'string' } } } },
    rollovers: { type: 'array', items: rolloverSchema },
  },
} as const;

/** Error responses a route can give, by status. */
export function errors(...codes: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = { 401: errorSchema };
  for (const c of codes) out[c] = errorSchema;
  return out;
}
