// `daneprime service …`: add (or add-srv), list, remove and check the TLS services behind a zone's TLSA records.
import { parseArgs } from 'node:util';
import { Store } from '../../zones/store/sqlite.js';
import { CheckStore } from '../../zones/store/checks-sqlite.js';
import { CheckRunner } from '../checks/runner.js';
import { planService, srvServices, hostName, ServiceError, type ServiceRequest } from '../checks/service-spec.js';
import { serviceJson } from '../checks/service-json.js';
import type { CheckJson } from '../checks/types.js';
import { UsageError, dbPath, zoneArg, withStore, nowSeconds } from './common.js';
import { readFileSync } from 'node:fs';
import { startRollover, retireNow, rolloverStatus, serviceOf, RolloverError, type NextKeySource, type RolloverStatus } from '../rollover/rollover.js';
import { commitOffline } from './zone.js';

export const SERVICE_USAGE = `  daneprime service add NAME [--starttls none|smtp|xmpp-client|xmpp-server|imap|pop3] [--connect ADDR:PORT]... [--sni NAME] [--db PATH]
                        (NAME: the TLSA owner _PORT._tcp.HOST in a zone served here)
  daneprime service add-srv SRVNAME [--starttls KIND] [--db PATH]   (one service per SRV target, TLSA at _PORT._tcp.TARGET)
  daneprime service list [ZONE] [--db PATH]
  daneprime service remove NAME [--db PATH]
  daneprime service check NAME [--json] [--db PATH]   (exit 0: every endpoint matches; 1: one does not; 2: usage error)
  daneprime service next NAME (--cert FILE | --spki FILE | --csr FILE | --data HEX) [--db PATH]
                        (publish the next key's TLSA records beside the current ones and start a rollover, RFC 7671 §8)
  daneprime service status NAME [--json] [--db PATH]   (the rollover's state, readyAt, records and secondaries)
  daneprime service retire NAME [--db PATH]   (remove the old records now: only when every endpoint shows the next key)`;

/** A service rule broken: one line, exit 1, the field named. */
function usage(err: ServiceError, exitCode = 1): UsageError {
  return new UsageError(`${err.field}: ${err.message}`, exitCode);
}

export async function cmdService(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const check = sub === 'check';
  let parsed;
  try {
    parsed = parseArgs({
      args: rest, strict: true, allowPositionals: true,
      options: {
        db: { type: 'string' }, starttls: { type: 'string' }, connect: { type: 'string', multiple: true }, sni: { type: 'string' }, json: { type: 'boolean' },
        cert: { type: 'string' }, spki: { type: 'string' }, csr: { type: 'string' }, data: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message, check ? 2 : 1);
  }
  const { values, positionals } = parsed;
  const db = dbPath(values.db);
  switch (sub) {
    case 'add': {
      const name = nameArg(positionals[0], 1);
      const req: ServiceRequest = { name, starttls: values.starttls, connect: values.connect, sni: values.sni };
      withStore(db, (s) => {
        const row = plan(s, req);
        if (!new CheckStore(s).add(row)) throw new UsageError(`service ${name} exists; remove it first`);
        process.stdout.write(`added service ${name} (${row.starttls}${row.connect !== '[]' ? `, ${(JSON.parse(row.connect) as string[]).join(' ')}` : ''})\n`);
      });
      return;
    }
    case 'add-srv': {
      const srv = nameArg(positionals[0], 1, 'SRV name');
      const store = new Store(db);
      try {
        let found;
        try { found = await srvServices(store, srv, values.starttls); } catch (err) { if (err instanceof ServiceError) throw usage(err); throw err; }
        // Every target checked before any is stored: one bad target stores nothing.
        const rows = found.map((f) => plan(store, f.request));
        const cs = new CheckStore(store);
        store.transaction(() => { for (const r of rows) if (!cs.service(r.name)) cs.add(r); });
        for (const r of rows) process.stdout.write(`added service ${r.name} (${r.starttls}, service domain ${r.domain})\n`);
      } finally {
        store.close();
      }
      return;
    }
    case 'list': {
      const zone = positionals[0] ? zoneArg(positionals[0]) : undefined;
      withStore(db, (s) => {
        process.stdout.write('name\tstarttls\tendpoints\tlast check\tverdict\n');
        for (const r of new CheckStore(s).services(zone)) {
          const j = serviceJson(r);
          process.stdout.write(`${j.name}\t${j.starttls}\t${j.connect.length ? j.connect.join(',') : 'A/AAAA of host'}\t${j.lastCheckedAt ?? '-'}\t${j.lastVerdict ?? '-'}\n`);
        }
      });
      return;
    }
    case 'remove': {
      const name = nameArg(positionals[0], 1);
      withStore(db, (s) => {
        if (!new CheckStore(s).remove(name)) throw new UsageError(`no service ${name}`);
      });
      process.stdout.write(`removed service ${name}\n`);
      return;
    }
    case 'check': {
      const name = nameArg(positionals[0], 2);
      const store = new Store(db);
      let result: CheckJson;
      try {
        // Events go to stderr as they are raised; stdout holds only the result.
        const runner = new CheckRunner({ store, log: (m) => { if (m.startsWith('check event')) process.stderr.write(m + '\n'); } });
        if (!runner.checks.service(name)) throw new UsageError(`no service ${name} (see daneprime service list)`, 2);
        result = await runner.check(name);
      } finally {
        store.close();
      }
      process.stdout.write(values.json ? JSON.stringify(result) + '\n' : checkText(result));
      // Set, not exit(): stdout is flushed first.
      process.exitCode = result.verdict === 'match' ? 0 : 1;
      return;
    }
    case 'next': {
      const name = nameArg(positionals[0], 1);
      const file = (path: string | undefined, flag: string) => {
        if (path === undefined) return undefined;
        try { return readFileSync(path === '-' ? 0 : path, 'utf8'); } catch (err) { throw new UsageError(`--${flag}: ${(err as Error).message}`); }
      };
      const src: NextKeySource = { certificate: file(values.cert, 'cert'), spki: file(values.spki, 'spki'), csr: file(values.csr, 'csr'), data: values.data };
      const store = new Store(db);
      try {
        const st = await rollover(() => startRollover({ store, commit: (c) => commitOffline(store, c) }, name, src));
        process.stdout.write(`${name}: next records ${st.next.join(', ')} published in serial ${st.serial}; ${st.state} (see daneprime service status ${name})\n`);
      } finally {
        store.close();
      }
      return;
    }
    case 'status': {
      const name = nameArg(positionals[0], 1);
      const st = withStore(db, (s) => {
        try { return rolloverStatus(s, serviceOf(s, name)); } catch (err) { if (err instanceof RolloverError) throw new UsageError(`${err.field}: ${err.message}`); throw err; }
      });
      process.stdout.write(values.json ? JSON.stringify(st) + '\n' : statusText(st));
      return;
    }
    case 'retire': {
      const name = nameArg(positionals[0], 1);
      const store = new Store(db);
      try {
        const runner = new CheckRunner({ store });
        const st = await rollover(() => retireNow({ store, commit: (c) => commitOffline(store, c), log: (m) => { if (m.startsWith('rollover event')) process.stderr.write(m + '\n'); } }, name, (svc) => runner.checkService(svc)));
        process.stdout.write(`${name}: old records removed; current ${st.current.join(', ')}\n`);
      } finally {
        store.close();
      }
      return;
    }
    default:
      throw new UsageError(`unknown service command ${JSON.stringify(sub ?? '')}`, 2);
  }
}

function nameArg(text: string | undefined, exitCode: number, what = 'NAME'): string {
  if (!text) throw new UsageError(`missing ${what}`, exitCode);
  try {
    return hostName(text, 'name');
  } catch (err) {
    throw usage(err as ServiceError, exitCode);
  }
}

function plan(s: Store, req: ServiceRequest) {
  try {
    return planService(s, req, { mayConnect: true }, nowSeconds());
  } catch (err) {
    if (err instanceof ServiceError) throw usage(err);
    throw err;
  }
}

/** A rollover refusal: one line naming the field, exit 1. */
async function rollover<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RolloverError) throw new UsageError(`${err.field}: ${err.message}`);
    throw err;
  }
}

function statusText(s: RolloverStatus): string {
  const out = [`${s.name}: ${s.state}${s.since ? ` since ${s.since}` : ''}${s.prematureSwitch ? ' (PREMATURE SWITCH: an endpoint showed the next key before readyAt)' : ''}`];
  if (s.serial !== null && s.state !== 'steady') out.push(`  next records published in serial ${s.serial}; largest TTL ${s.maxTtl} s`);
  if (s.tVis) out.push(`  every secondary served it at ${s.tVis}`);
  if (s.readyAt) out.push(`  ready at ${s.readyAt}`);
  for (const r of s.current) out.push(`  current: ${r}`);
  for (const r of s.next) out.push(`  next: ${r}`);
  for (const x of s.secondaries) out.push(`  secondary ${x.address}: serial ${x.serial ?? '-'}${x.servesNext ? ', serves the next records' : ''}`);
  return out.join('\n') + '\n';
}

function checkText(r: CheckJson): string {
  const out = [`${r.name}: ${r.verdict} (${r.checkedAt})${r.reason ? `: ${r.reason}` : ''}`];
  for (const e of r.endpoints) {
    out.push(`  ${e.address}: ${e.verdict}${e.tls ? ` ${e.tls.version} ${e.tls.cipher}${e.tls.group ? ` ${e.tls.group}` : ''}` : ''}`);
    if (e.reason) out.push(`    reason: ${e.reason}`);
    e.chain.forEach((c, i) => out.push(`    depth ${i}: ${c.subject} (issuer ${c.issuer}; until ${c.notAfter}) spki sha256 ${c.spkiSha256}`));
    for (const m of e.matched) out.push(`    matched: ${m}`);
    for (const w of e.warnings) out.push(`    warning: ${w}`);
  }
  return out.join('\n') + '\n';
}
