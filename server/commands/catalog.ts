// `daneprime catalog create|add|remove|list`: catalog zones (RFC 9432) that tell secondaries which zones to serve.
import { parseArgs } from 'node:util';
import { CatalogStore } from '../../zones/store/catalog-sqlite.js';
import { initialKeys } from '../../signer/keystore-sqlite.js';
import { UsageError, dbPath, zoneArg, withStore, nowSeconds } from './common.js';
import { commitOffline } from './zone.js';

export const CATALOG_USAGE = `  daneprime catalog create NAME [--signed [--csk]] [--db PATH]
  daneprime catalog add NAME ZONE [--group GROUP] [--db PATH]      (a member: its group changes in place)
  daneprime catalog remove NAME ZONE [--db PATH]
  daneprime catalog list [NAME] [--db PATH]`;

export function cmdCatalog(argv: string[]): void {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest, strict: true, allowPositionals: true,
    options: { db: { type: 'string' }, signed: { type: 'boolean' }, csk: { type: 'boolean' }, group: { type: 'string' } },
  });
  const db = dbPath(values.db);
  switch (sub) {
    case 'create': {
      const apex = zoneArg(positionals[0], 'catalog name');
      if (values.csk && !values.signed) throw new UsageError('--csk goes with --signed');
      const now = nowSeconds();
      withStore(db, (s) => commitOffline(s, { kind: 'catalog-create', apex, signed: !!values.signed, makeKeys: () => initialKeys(now, !!values.csk) }));
      process.stdout.write(`created catalog zone ${apex}${values.signed ? ', signed' : ''}: add members with \`daneprime catalog add ${apex} ZONE\`\n`);
      return;
    }
    case 'add':
    case 'remove': {
      const catalog = zoneArg(positionals[0], 'catalog name');
      const member = zoneArg(positionals[1], 'zone name');
      if (sub === 'remove' && values.group !== undefined) throw new UsageError('--group goes with catalog add');
      const r = withStore(db, (s) => commitOffline(s, { kind: 'catalog-member', catalog, member, group: values.group, remove: sub === 'remove' }));
      const what = sub === 'remove' ? 'removed from' : 'member of';
      process.stdout.write(`${member} ${what} catalog ${catalog}${values.group !== undefined ? ` (group ${values.group})` : ''}${r.written ? `, catalog serial ${r.serial}` : ', unchanged'}\n`);
      return;
    }
    case 'list': {
      const only = positionals[0] !== undefined ? zoneArg(positionals[0], 'catalog name') : undefined;
      withStore(db, (s) => {
        const cs = new CatalogStore(s);
        const catalogs = cs.catalogs().filter((c) => only === undefined || c.name === only);
        if (only !== undefined && !catalogs.length) throw new UsageError(`no such catalog zone: ${only}`);
        if (only === undefined) {
          process.stdout.write('catalog\tmembers\n');
          for (const c of catalogs) process.stdout.write(`${c.name}\t${c.members}\n`);
          return;
        }
        process.stdout.write('zone\tlabel\tgroup\n');
        for (const m of cs.members(catalogs[0].zone_id)) process.stdout.write(`${m.member}\t${m.label}\t${m.grp ?? '-'}\n`);
      });
      return;
    }
    default:
      throw new UsageError(`unknown catalog command ${JSON.stringify(sub ?? '')}\n${CATALOG_USAGE}`);
  }
}
