// The OpenAPI 3.1 document, generated from the JSON schemas of the routes as fastify registers them.
import type { FastifyInstance, RouteOptions } from 'fastify';

interface Collected {
  method: string;
  url: string;
  schema: Record<string, unknown>;
}

type Json = Record<string, unknown>;

declare module 'fastify' {
  interface FastifySchema {
    /** OpenAPI operation fields carried on the route schema. */
    summary?: string;
    tags?: string[];
    security?: Record<string, string[]>[];
    /** Left out of the OpenAPI document. */
    hide?: boolean;
  }
}

/** Collect every route's schema (an onRoute hook); call before registering routes. */
export function collectRoutes(app: FastifyInstance): Collected[] {
  const routes: Collected[] = [];
  app.addHook('onRoute', (r: RouteOptions) => {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD');
    for (const method of methods) routes.push({ method: method.toLowerCase(), url: r.url, schema: (r.schema ?? {}) as Json });
  });
  return routes;
}

function parameters(schema: Json | undefined, where: 'path' | 'query'): Json[] {
  const props = (schema?.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

function requestBody(body: Json | undefined): Json | undefined {
  if (!body) return undefined;
  const content = body.content as Record<string, { schema: Json }> | undefined;
  if (content) return { required: true, content: Object.fromEntries(Object.entries(content).map(([ct, c]) => [ct, { schema: c.schema }])) };
  return { required: true, content: { 'application/json': { schema: body } } };
}

function responses(resp: Json | undefined): Json {
  const out: Json = {};
  for (const [code, s] of Object.entries((resp ?? {}) as Record<string, Json>)) {
    const { description, ...schema } = s;
    out[code] = { description: (description as string) ?? (code.startsWith('2') ? 'success' : 'error'), content: { 'application/json': { schema } } };
  }
  if (!Object.keys(out).length) out['200'] = { description: 'success' };
  return out;
}

export function openApiDocument(routes: readonly Collected[], info: { title: string; version: string }): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    if (r.schema.hide) continue;
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op: Json = {
      ...(r.schema.summary ? { summary: r.schema.summary } : {}),
      ...(r.schema.tags ? { tags: r.schema.tags } : {}),
      parameters: [...parameters(r.schema.params as Json, 'path'), ...parameters(r.schema.querystring as Json, 'query')],
      responses: responses(r.schema.response as Json),
      ...(r.schema.security ? { security: r.schema.security } : {}),
    };
    const rb = requestBody(r.schema.body as Json);
    if (rb) op.requestBody = rb;
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
