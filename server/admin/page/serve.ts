// The status page on the API listener: one HTML document, one stylesheet and one script, all same-origin, under a strict Content-Security-Policy.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Nothing inline, nothing from elsewhere: the script may only talk to this origin's API, and
 * the page may not be framed (clickjacking) nor post forms anywhere else. SVG the script
 * builds with DOM calls needs no inline-style exception.
 */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The HTML and CSS are kept as source files; the script is compiled (server/admin/page/client/tsconfig.json) next to this module. */
const ASSETS: Record<string, { url: URL; type: string }> = {
  '/': { url: new URL('../../../../server/admin/page/assets/index.html', import.meta.url), type: 'text/html; charset=utf-8' },
  '/page/style.css': { url: new URL('../../../../server/admin/page/assets/style.css', import.meta.url), type: 'text/css; charset=utf-8' },
  '/page/app.js': { url: new URL('./client/app.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
};

function securityHeaders(reply: FastifyReply, type: string): FastifyReply {
  return reply
    .header('content-type', type)
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin')
    // The assets change with the server version; revalidating costs one small request.
    .header('cache-control', 'no-cache');
}

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const cache = new Map<string, Buffer>();
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, { schema: { hide: true } }, async (_req, reply) => {
      let body = cache.get(path);
      if (!body) {
        try {
          body = readFileSync(fileURLToPath(asset.url));
        } catch {
          return reply.status(500).header('content-type', 'text/plain; charset=utf-8')
            .send(`status page asset ${path} is missing (${fileURLToPath(asset.url)}): run npm run build`);
        }
        cache.set(path, body);
      }
      return securityHeaders(reply, asset.type).send(body);
    });
  }
}
