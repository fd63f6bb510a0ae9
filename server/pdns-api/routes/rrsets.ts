// PATCH a zone's RRsets: REPLACE and DELETE changes, checked whole, then committed at once through the pipeline (all or nothing).
import type { FastifyInstance } from 'fastify';
import type { RRsetEdit } from '../../../zones/commit.js';
import { parseSettings } from '../../../zones/settings.js';
import { commitChange, forceOf, guardReply } from '../../admin/edit.js';
import type { PdnsApiDeps } from '../deps.js';
import { requireScope, requireVisible } from '../auth.js';
import { PdnsError } from '../errors.js';
import { zoneIdToName } from '../names.js';
import { bodyObject, checkRRset, object, optionalString, optionalTtl, recordsOf, rrsetKey } from '../input.js';
import { checkServer } from './servers.js';

export async function rrsetRoutes(app: FastifyInstance, opts: { deps: PdnsApiDeps }): Promise<void> {
  const { deps } = opts;

  app.patch<{ Params: { server: string; zone: string } }>('/api/v1/servers/:server/zones/:zone', async (req, reply) => {
    checkServer(req.params.server);
    const apex = zoneIdToName(req.params.zone);
    const p = requireVisible(req, apex);
    const row = deps.store.zone(apex);
    if (!row || !deps.zones.get(apex)) throw new PdnsError(404, `Could not find domain '${apex}'`);
    const body = bodyObject(req.body, '{"rrsets": [{"name", "type", "changetype", "ttl", "records"}]}');
    if (!Array.isArray(body.rrsets)) throw new PdnsError(422, 'rrsets: required, a list of RRset changes');
    const signed = parseSettings(row.settings).signed;
    const seen = new Set<string>();
    // Every change is read and checked before any is committed; edits[i] is rrsets[i], so the
    // pipeline's own refusals name the right RRset.
    const edits = body.rrsets.map((v, i): RRsetEdit => {
      const f = `rrsets[${i}]`;
      const s = object(v, f);
      const { name, type } = rrsetKey(s, apex, f);
      requireScope(p, apex, name, type, f);
      checkRRset(name, type, apex, signed, seen, f);
      const changetype = optionalString(s.changetype, `${f}.changetype`)?.toUpperCase();
      // `comments` are accepted and not kept.
      if (changetype === 'DELETE') return { name, type };
      if (changetype !== 'REPLACE') throw new PdnsError(422, `${f}.changetype: must be "REPLACE" or "DELETE", not ${JSON.stringify(s.changetype)}`);
      // REPLACE with no records deletes the RRset. Without a ttl the RRset keeps its own.
      const rdatas = recordsOf(s.records, type, `${f}.records`);
      return { name, type, ttl: optionalTtl(s.ttl, `${f}.ttl`), rdatas };
    });
    // The admin API's rule and wording (`?force=true`, admin tokens only).
    const force = forceOf(req, p);
    const res = edits.length ? commitChange(deps, p, { kind: 'edit', apex, edits, action: 'pdns.patch', force }) : undefined;
    // PowerDNS answers 204; when the write guard acted the body says what it did (a TLSA
    // replacement taken as a rollover, or a forced break), as the admin API's reply does.
    if (!res?.guard?.length) return reply.status(204).send();
    return reply.status(200).send(guardReply(deps, res).extra);
  });
}
