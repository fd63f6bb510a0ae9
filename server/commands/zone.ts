// `daneprime zone …`: import, export (optionally signed), list, delete, keys, ds, key import.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import type { Store } from '../../zones/store/sqlite.js';
import type { Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { parseZoneFile } from '../../zones/io/zonefile-parse.js';
import { cliActor, ZoneExistsError, type ZoneChange, type CommitResult } from '../../zones/commit.js';
import { rdataToText } from '../../zones/model/rdata/index.js';
import { initialKeys, keyInfo, newKey } from '../../signer/keystore-sqlite.js';
import { dsRdata } from '../../signer/dnskey.js';
import { importPrivateKey } from '../../signer/key-import.js';
import { zoneFileText } from '../../signer/zone-export.js';
import { hostZones } from '../zone-host.js';
import type { KeyRole } from '../../signer/keystore.js';
import { UsageError, dbPath, zoneArg, withStore, nowSeconds } from './common.js';
import { cmdSecondary, SECONDARY_USAGE } from './secondary.js';
import { logKeys } from '../log-keys.js';
import { log } from '../log.js';

export const ZONE_USAGE = `  daneprime zone import FILE [--origin NAME] [--replace [--force]] [--csk] [--unsigned]
                        [--nsec3-iterations N] [--nsec3-salt HEX] [--nsec3-optout]
                        [--serial increment|unixtime] [--catalog NAME [--group GROUP]] [--db PATH]
  daneprime zone export NAME [--signed] [--db PATH]
  daneprime zone list [--db PATH]
  daneprime zone delete NAME [--db PATH]
  daneprime zone keys NAME [--db PATH]
  daneprime zone ds NAME [--db PATH]
  daneprime zone key-import NAME FILE --role ksk|zsk|csk [--db PATH]   (BIND .private or PKCS#8/SEC1 PEM)
${SECONDARY_USAGE}`;

export function cmdZone(argv: string[]): void {
  const [sub, ...rest] = argv;
  // `zone secondary …` has its own options (--tsig) and subcommands.
  if (sub === 'secondary') return cmdSecondary(rest);
  const { values, positionals } = parseArgs({
    args: rest, strict: true, allowPositionals: true,
    options: {
      db: { type: 'string' }, origin: { type: 'string' }, replace: { type: 'boolean' }, signed: { type: 'boolean' },
      csk: { type: 'boolean' }, unsigned: { type: 'boolean' }, role: { type: 'string' },
      'nsec3-iterations': { type: 'string' }, 'nsec3-salt': { type: 'string' }, 'nsec3-optout': { type: 'boolean' },
      serial: { type: 'string' }, catalog: { type: 'string' }, group: { type: 'string' }, force: { type: 'boolean' },
    },
  });
  const db = dbPath(values.db);
  switch (sub) {
    case 'import': {
      const file = positionals[0];
      if (!file) throw new UsageError('zone import needs a FILE');
      const origin = values.origin ? zoneArg(values.origin, '--origin') : undefined;
      const records = parseZoneFile(file, { origin });
      const apex = origin ?? records.find((r) => r.type === RRType.SOA)?.name;
      if (!apex) throw new UsageError(`${file}: no SOA record and no --origin: cannot tell the zone name`);
      const nsec3: Record<string, unknown> = {};
      if (values['nsec3-iterations'] !== undefined) nsec3.iterations = Number(values['nsec3-iterations']);
      if (values['nsec3-salt'] !== undefined) nsec3.salt = values['nsec3-salt'] === '-' ? '' : values['nsec3-salt'];
      if (values['nsec3-optout']) nsec3.optOut = true;
      const settings = {
        ...(values.unsigned ? { signed: false } : {}), ...(Object.keys(nsec3).length ? { nsec3 } : {}),
        ...(values.serial !== undefined ? { serial: values.serial } : {}),
      };
      if (values.group !== undefined && values.catalog === undefined) throw new UsageError('--group needs --catalog');
      const catalog = values.catalog === undefined ? undefined : { name: zoneArg(values.catalog, '--catalog'), group: values.group };
      const now = nowSeconds();
      let res;
      try {
        // --force: past the write guard (the local user is the admin here); audited as guard.forced.
        const r = withStore(db, (s) => commitOffline(s, { kind: 'import', apex, records, replace: values.replace, settings: settings as never,
          makeKeys: () => initialKeys(now, !!values.csk), catalog, force: values.force }));
        for (const n of r.guard ?? []) process.stderr.write(`daneprime: warning: ${n.detail}\n`);
        res = r.imported!;
      } catch (err) {
        if (err instanceof ZoneExistsError) throw new UsageError(`${err.message}; use --replace to overwrite it`);
        throw err;
      }
      const extra = [res.keysCreated ? `${res.keysCreated} new key(s)` : '', res.droppedDnssec ? `${res.droppedDnssec} DNSSEC record(s) dropped (we sign ourselves)` : '']
        .filter(Boolean).join(', ');
      process.stdout.write(`${res.replaced ? 'replaced' : 'imported'} zone ${apex}: ${res.records} records, ${res.rrsets} RRsets, ${res.names} names${extra ? '; ' + extra : ''}${catalog ? `; member of catalog ${catalog.name}` : ''}\n`);
      return;
    }
    case 'export': {
      const apex = zoneArg(positionals[0]);
      withStore(db, (s) => process.stdout.write(exportZone(s, apex, !!values.signed)));
      return;
    }
    case 'list':
      withStore(db, (s) => {
        // One name per line, nothing else: scripts read this.
        for (const z of s.listZones()) process.stdout.write(`${z.name}\n`);
      });
      return;
    case 'delete': {
      const apex = zoneArg(positionals[0]);
      withStore(db, (s) => {
        if (!s.zone(apex)) throw new UsageError(`no such zone: ${apex}`);
        commitOffline(s, { kind: 'delete', apex });
      });
      process.stdout.write(`deleted zone ${apex}\n`);
      return;
    }
    case 'keys': {
      const apex = zoneArg(positionals[0]);
      withStore(db, (s) => {
        const row = mustZone(s, apex);
        process.stdout.write('tag\trole\talgorithm\tactive\tcreated\n');
        for (const k of s.keys(row.id)) {
          process.stdout.write(`${k.key_tag}\t${k.role}\t${k.algorithm} (ECDSAP256SHA256)\t${k.active ? 'yes' : 'no'}\t${new Date(k.created_at * 1000).toISOString()}\n`);
        }
      });
      return;
    }
    case 'ds': {
      const apex = zoneArg(positionals[0]);
      withStore(db, (s) => {
        const row = mustZone(s, apex);
        const ksks = s.keys(row.id).filter((k) => k.role !== 'zsk' && k.active).map((k) => keyInfo(apex, k));
        if (!ksks.length) throw new UsageError(`zone ${apex} has no KSK/CSK: is it signed?`);
        for (const k of ksks) process.stdout.write(`${apex} IN DS ${rdataToText(RRType.DS, dsRdata(apex, k.dnskey, 2))}\n`);
      });
      return;
    }
    case 'key-import': {
      const apex = zoneArg(positionals[0]);
      const file = positionals[1];
      if (!file) throw new UsageError('zone key-import needs NAME and FILE');
      const role = values.role as KeyRole;
      if (!['ksk', 'zsk', 'csk'].includes(role)) throw new UsageError('--role must be ksk, zsk or csk');
      const imported = importPrivateKey(readFileSync(file, 'utf8'));
      const now = nowSeconds();
      const key = newKey(role, now, imported);
      withStore(db, (s) => {
        mustZone(s, apex);
        // New keys sign everything anew: a re-sign of the zone with the key added, new serial.
        commitOffline(s, { kind: 'resign', apex, addKeys: [key], action: 'key.import' });
        logKeys(log, s, apex, 'imported', cliActor().label, (tag) => tag === key.key_tag);
      });
      process.stdout.write(`imported ${role} key tag ${key.key_tag} into ${apex}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown zone command ${JSON.stringify(sub ?? '')}`);
  }
}

function mustZone(s: Store, apex: Name) {
  const row = s.zone(apex);
  if (!row) throw new UsageError(`no such zone: ${apex}`);
  return row;
}

/** A commit from the CLI: the same pipeline the server runs, in this process, without serving anything. */
/** One commit from the CLI, through the pipeline a server uses; a running server catches up within its poll interval. */
export function commitOffline(s: Store, change: ZoneChange): CommitResult {
  return hostZones(s, { serving: false, now: nowSeconds }).pipeline.commit(change, cliActor());
}

/**
 * Zone file text from the store: source records, or (signed) the zone as a server signs it,
 * the same RRSIGs byte for byte (signatures are deterministic, dated from the zone's epoch).
 */
export function exportZone(s: Store, apex: Name, signed: boolean): string {
  mustZone(s, apex);
  const host = hostZones(s, { serving: false, now: nowSeconds });
  const served = host.pipeline.catchUp(apex)!;
  const signer = host.dnssec.forZone(served.zone);
  if (signed && !signer) throw new UsageError(`zone ${apex} is not signed`);
  return zoneFileText(served.zone, signed ? signer : undefined, nowSeconds());
}
