#!/usr/bin/env node
// The `daneprime` command line: parse arguments, dispatch to a command, print errors as one line.
import { parseArgs } from 'node:util';
import { Store } from '../zones/store/sqlite.js';
import { parseName, type Name } from '../zones/model/name.js';
import { parseZoneFile, ZoneParseError } from '../zones/io/zonefile-parse.js';
import { writeZoneText } from '../zones/io/zonefile-write.js';
import { importZone, ZoneExistsError } from '../zones/update.js';
import { buildZone } from '../zones/zone-build.js';
import { ZoneCheckError } from '../zones/zone-check.js';
import { parseListenAddress } from './net/address.js';
import { serve } from './main.js';
import { log } from './log.js';

const USAGE = `usage:
  daneprime serve [--db PATH] [--dns ADDR:PORT]... [--api ADDR:PORT]
  daneprime zone import FILE [--origin NAME] [--replace] [--db PATH]
  daneprime zone export NAME [--db PATH]
  daneprime zone list [--db PATH]
  daneprime zone delete NAME [--db PATH]

defaults: --db $DANEPRIME_DB or ./data/daneprime.db; --dns $DANEPRIME_DNS (comma-separated)
or 127.0.0.1:5300; --api $DANEPRIME_API or 127.0.0.1:8053; TCP idle timeout $DANEPRIME_TCP_IDLE_MS or 10000`;

/** A user error: printed as one line, exit status 1. */
export class UsageError extends Error {}

const DEFAULT_DB = './data/daneprime.db';

function dbPath(v: string | undefined): string {
  return v ?? process.env.DANEPRIME_DB ?? DEFAULT_DB;
}

function zoneArg(text: string | undefined, what = 'zone name'): Name {
  if (!text) throw new UsageError(`missing ${what}`);
  try {
    return parseName(text.endsWith('.') ? text : text + '.');
  } catch (err) {
    throw new UsageError(`bad ${what} ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}

function withStore<T>(path: string, fn: (s: Store) => T): T {
  const store = new Store(path);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

async function cmdServe(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: { db: { type: 'string' }, dns: { type: 'string', multiple: true }, api: { type: 'string' } },
  });
  const dnsTexts = values.dns?.length ? values.dns : (process.env.DANEPRIME_DNS ?? '127.0.0.1:5300').split(',');
  const dns = dnsTexts.map((t) => {
    try { return parseListenAddress(t, '--dns address'); } catch (err) { throw new UsageError((err as Error).message); }
  });
  const idle = process.env.DANEPRIME_TCP_IDLE_MS;
  if (idle !== undefined && !/^[1-9][0-9]*$/.test(idle)) throw new UsageError(`bad DANEPRIME_TCP_IDLE_MS ${JSON.stringify(idle)}: expected milliseconds > 0`);
  const running = await serve({ db: dbPath(values.db), dns, log, tcpIdleMs: idle === undefined ? undefined : Number(idle) });
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: shutting down`);
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function cmdZone(argv: string[]): void {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest, strict: true, allowPositionals: true,
    options: { db: { type: 'string' }, origin: { type: 'string' }, replace: { type: 'boolean' } },
  });
  const db = dbPath(values.db);
  switch (sub) {
    case 'import': {
      const file = positionals[0];
      if (!file) throw new UsageError('zone import needs a FILE');
      const origin = values.origin ? zoneArg(values.origin, '--origin') : undefined;
      const records = parseZoneFile(file, { origin });
      const apex = origin ?? records.find((r) => r.type === 6)?.name;
      if (!apex) throw new UsageError(`${file}: no SOA record and no --origin: cannot tell the zone name`);
      const res = withStore(db, (s) => importZone(s, apex, records, { replace: values.replace, now: nowSeconds() }));
      process.stdout.write(`${res.replaced ? 'replaced' : 'imported'} zone ${res.apex}: ${res.records} records, ${res.rrsets} RRsets, ${res.names} names\n`);
      return;
    }
    case 'export': {
      const apex = zoneArg(positionals[0]);
      withStore(db, (s) => {
        const row = s.zone(apex);
        if (!row) throw new UsageError(`no such zone: ${apex}`);
        const zone = buildZone(apex, s.records(row.id), false);
        process.stdout.write(writeZoneText(apex, [...zone.allRRsets()].flatMap((r) => r.rdatas.map((rdata) => ({ name: r.name, type: r.type, ttl: r.ttl, rdata })))));
      });
      return;
    }
    case 'list':
      withStore(db, (s) => {
        for (const z of s.listZones()) process.stdout.write(`${z.name}\n`);
      });
      return;
    case 'delete': {
      const apex = zoneArg(positionals[0]);
      withStore(db, (s) => {
        if (!s.deleteZone(apex)) throw new UsageError(`no such zone: ${apex}`);
      });
      process.stdout.write(`deleted zone ${apex}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown zone command ${JSON.stringify(sub ?? '')}\n${USAGE}`);
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': return cmdServe(rest);
    case 'zone': return cmdZone(rest);
    case undefined: case '-h': case '--help': case 'help':
      process.stdout.write(USAGE + '\n');
      return;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const known = err instanceof UsageError || err instanceof ZoneParseError || err instanceof ZoneCheckError || err instanceof ZoneExistsError
    || (err instanceof Error && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION');
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`daneprime: ${known ? msg : (err as Error).stack ?? msg}\n`);
  process.exit(1);
});
