#!/usr/bin/env node
// The `daneprime` command line: parse arguments, dispatch to a command, print errors as one line.
import { parseArgs } from 'node:util';
import { ZoneParseError } from '../zones/io/zonefile-parse.js';
import { EditError } from '../zones/commit.js';
import { ZoneCheckError } from '../zones/zone-check.js';
import { SettingsError } from '../zones/settings.js';
import { KeyFormatError } from '../signer/algorithms.js';
import { UsageError, dbPath } from './commands/common.js';
import { cmdZone, ZONE_USAGE } from './commands/zone.js';
import { cmdTsig, TSIG_USAGE } from './commands/tsig.js';
import { cmdUpdatePolicy, UPDATE_POLICY_USAGE } from './commands/update-policy.js';
import { cmdCatalog, CATALOG_USAGE } from './commands/catalog.js';
import { cmdToken, TOKEN_USAGE } from './commands/token.js';
import { cmdBackup, BACKUP_USAGE } from './commands/backup.js';
import { cmdService, SERVICE_USAGE } from './commands/service.js';
import { ApiError } from './admin/errors.js';
import { StoreOpenError } from '../zones/store/sqlite.js';
import { parseListenAddress, isLoopback, formatAddress, ListenError } from './net/address.js';
import { loadTls, TlsFileError } from './admin/tls.js';
import { parseUdpIo, resolveUdpIo, type UdpIoChoice } from './net/udp.js';
import { serve, type RunningServer } from './main.js';
import { runPrimary, isPrimaryProcess, reportStartFailure } from './workers.js';
import { availableParallelism } from 'node:os';
import { maxZoneRecordsFromEnv } from './zone-host.js';
import { log, configureLog, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';

const USAGE = `usage:
  daneprime serve [--db PATH] [--dns ADDR:PORT]... [--api ADDR:PORT|off] [--pdns-api ADDR:PORT|off] [--workers N] [--udp-io auto|batch|dgram] [--fast-path on|off]
                  [--api-tls-cert FILE --api-tls-key FILE] [--api-insecure] [--rrl RATE|off] [--rrl-slip N]
                  [--check-interval DURATION|off] [--event-hook CMD] [--rollover-check-interval DURATION] [--ds-resolver ADDR:PORT] [--max-zone-records N]
                  [--log-format text|json] [--log-level debug|info|warn|error]
${ZONE_USAGE}
${CATALOG_USAGE}
${TSIG_USAGE}
${UPDATE_POLICY_USAGE}
${TOKEN_USAGE}
${BACKUP_USAGE}
${SERVICE_USAGE}

defaults: --db $DANEPRIME_DB or ./data/daneprime.db; --dns $DANEPRIME_DNS (comma-separated)
or 127.0.0.1:5300; --api $DANEPRIME_API or 127.0.0.1:8053 (a non-loopback address needs --api-tls-cert and --api-tls-key, or --api-insecure);
--api-tls-cert $DANEPRIME_API_TLS_CERT, --api-tls-key $DANEPRIME_API_TLS_KEY (PEM; re-read on SIGHUP and when the files change); --api-insecure or DANEPRIME_API_INSECURE=1;
--rrl $DANEPRIME_RRL or off (UDP responses per second per client /24 or /56 and response bucket, for the whole server); --rrl-slip $DANEPRIME_RRL_SLIP or 2 (0-10); --pdns-api $DANEPRIME_PDNS_API or off; TCP idle timeout $DANEPRIME_TCP_IDLE_MS or 10000;
--workers $DANEPRIME_WORKERS or the number of cores; --udp-io $DANEPRIME_UDP_IO or auto (batch: the recvmmsg/sendmmsg addon, dgram: node:dgram);
--fast-path $DANEPRIME_FAST_PATH or on (off: every query takes the full path); background signing after load: DANEPRIME_PRESIGN=1 (0: sign on first use only);
--check-interval $DANEPRIME_CHECK_INTERVAL or 1h (seconds, or with s/m/h/d; off: only on TLSA changes and on request);
--rollover-check-interval $DANEPRIME_ROLLOVER_CHECK_INTERVAL or 30s (the rollover engine's own checks of a service with a rollover under way);
--ds-resolver $DANEPRIME_DS_RESOLVER or none (the resolver the status page asks for each zone's DS at its parent; none: "unknown");
--log-format $DANEPRIME_LOG_FORMAT or text (json: one object per line with level, time, msg and the event's fields); --log-level $DANEPRIME_LOG_LEVEL or info;
--max-zone-records $DANEPRIME_MAX_ZONE_RECORDS or 1000000 (records one zone may hold; every command that writes zones reads the variable)`;

/** `3600`, `90s`, `30m`, `1h`, `2d` → seconds; `off` → 0. */
function parseDuration(text: string, what: string): number {
  if (text === 'off') return 0;
  const m = /^([1-9][0-9]{0,6})([smhd]?)$/.exec(text);
  if (!m) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: expected seconds, or a number with s, m, h or d, or off`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

async function cmdServe(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      db: { type: 'string' }, dns: { type: 'string', multiple: true }, api: { type: 'string' }, 'pdns-api': { type: 'string' }, workers: { type: 'string' }, 'udp-io': { type: 'string' },
      'fast-path': { type: 'string' }, 'check-interval': { type: 'string' }, 'event-hook': { type: 'string' }, 'rollover-check-interval': { type: 'string' },
      'ds-resolver': { type: 'string' },
      'api-tls-cert': { type: 'string' }, 'api-tls-key': { type: 'string' }, 'api-insecure': { type: 'boolean' },
      rrl: { type: 'string' }, 'rrl-slip': { type: 'string' },
      'log-format': { type: 'string' }, 'log-level': { type: 'string' },
      'max-zone-records': { type: 'string' },
    },
  });
  // First, so that everything after (the primary's supervision, each worker's start-up) logs as asked.
  const logFormat = values['log-format'] ?? process.env.DANEPRIME_LOG_FORMAT ?? 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) throw new UsageError(`bad --log-format ${JSON.stringify(logFormat)}: expected ${LOG_FORMATS.join(' or ')}`);
  const logLevel = values['log-level'] ?? process.env.DANEPRIME_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`bad --log-level ${JSON.stringify(logLevel)}: expected one of ${LOG_LEVELS.join(', ')}`);
  configureLog(logFormat as LogFormat, logLevel as LogLevel);
  // Set in the environment: workers re-run this command with it, and the zone host reads it there.
  if (values['max-zone-records'] !== undefined) process.env.DANEPRIME_MAX_ZONE_RECORDS = values['max-zone-records'];
  try { maxZoneRecordsFromEnv(); } catch (err) { throw new UsageError((err as Error).message.replace('DANEPRIME_MAX_ZONE_RECORDS', '--max-zone-records')); }
  const workersText = values.workers ?? process.env.DANEPRIME_WORKERS ?? String(availableParallelism());
  if (!/^[1-9][0-9]{0,2}$/.test(workersText)) throw new UsageError(`bad --workers ${JSON.stringify(workersText)}: expected a number of processes (1-999)`);
  const workers = Number(workersText);
  const dnsTexts = values.dns?.length ? values.dns : (process.env.DANEPRIME_DNS ?? '127.0.0.1:5300').split(',');
  const dns = dnsTexts.map((t) => {
    try { return parseListenAddress(t, '--dns address'); } catch (err) { throw new UsageError((err as Error).message); }
  });
  const apiText = values.api ?? process.env.DANEPRIME_API ?? '127.0.0.1:8053';
  let api;
  try { api = apiText === 'off' ? undefined : parseListenAddress(apiText, '--api address'); } catch (err) { throw new UsageError((err as Error).message); }
  const apiTls = apiTlsFiles(values['api-tls-cert'] ?? process.env.DANEPRIME_API_TLS_CERT, values['api-tls-key'] ?? process.env.DANEPRIME_API_TLS_KEY);
  const insecure = values['api-insecure'] ?? process.env.DANEPRIME_API_INSECURE === '1';
  // Tokens travel in every request's Authorization header: off this host, only inside TLS.
  if (api && !apiTls && !insecure && !isLoopback(api.host)) {
    throw new UsageError(`refusing to serve the admin API on ${formatAddress(api)} without TLS: tokens would cross the network in clear text; give --api-tls-cert and --api-tls-key, or --api-insecure to do it anyway`);
  }
  // Checked here, before any worker starts, so a bad pair is one message and exit status 1.
  if (api && apiTls) loadTls(apiTls);
  const rrlText = values.rrl ?? process.env.DANEPRIME_RRL ?? 'off';
  if (rrlText !== 'off' && !/^[1-9][0-9]{0,6}$/.test(rrlText)) throw new UsageError(`bad --rrl ${JSON.stringify(rrlText)}: expected responses per second (1-9999999) or off`);
  const slipText = values['rrl-slip'] ?? process.env.DANEPRIME_RRL_SLIP ?? '2';
  if (!/^(?:[0-9]|10)$/.test(slipText)) throw new UsageError(`bad --rrl-slip ${JSON.stringify(slipText)}: expected 0 (drop every limited response) to 10`);
  const rrl = rrlText === 'off' ? undefined : { rate: Number(rrlText), slip: Number(slipText), workers };
  const pdnsApiText = values['pdns-api'] ?? process.env.DANEPRIME_PDNS_API ?? 'off';
  let pdnsApi;
  try { pdnsApi = pdnsApiText === 'off' ? undefined : parseListenAddress(pdnsApiText, '--pdns-api address'); } catch (err) { throw new UsageError((err as Error).message); }
  const idle = process.env.DANEPRIME_TCP_IDLE_MS;
  if (idle !== undefined && !/^[1-9][0-9]*$/.test(idle)) throw new UsageError(`bad DANEPRIME_TCP_IDLE_MS ${JSON.stringify(idle)}: expected milliseconds > 0`);
  const presign = process.env.DANEPRIME_PRESIGN ?? '1';
  if (presign !== '0' && presign !== '1') throw new UsageError(`bad DANEPRIME_PRESIGN ${JSON.stringify(presign)}: expected 0 or 1`);
  let udpIo: UdpIoChoice;
  try {
    udpIo = parseUdpIo(values['udp-io'] ?? process.env.DANEPRIME_UDP_IO ?? 'auto');
    resolveUdpIo(udpIo); // `batch` where the addon is missing fails here, before any worker starts
  } catch (err) { throw new UsageError(`--udp-io: ${(err as Error).message}`); }
  const fastPath = values['fast-path'] ?? process.env.DANEPRIME_FAST_PATH ?? 'on';
  if (fastPath !== 'on' && fastPath !== 'off') throw new UsageError(`bad --fast-path ${JSON.stringify(fastPath)}: expected on or off`);
  const checkIntervalSec = parseDuration(values['check-interval'] ?? process.env.DANEPRIME_CHECK_INTERVAL ?? '1h', '--check-interval');
  const rolloverCheckSec = parseDuration(values['rollover-check-interval'] ?? process.env.DANEPRIME_ROLLOVER_CHECK_INTERVAL ?? '30s', '--rollover-check-interval');
  const dsResolverText = values['ds-resolver'] ?? process.env.DANEPRIME_DS_RESOLVER;
  let dsResolver;
  try { dsResolver = dsResolverText === undefined ? undefined : parseListenAddress(dsResolverText, '--ds-resolver address'); } catch (err) { throw new UsageError((err as Error).message); }
  if (workers > 1 && isPrimaryProcess()) {
    // The primary only supervises; each worker re-runs this command and serves.
    runPrimary(workers, log);
    return;
  }
  // Handlers go in before startup: a SIGTERM that arrives while zones load or sockets bind (a
  // supervisor that gives up early, or a test that stops us as soon as we log) still shuts down
  // cleanly with status 0, instead of Node's default of dying by the signal.
  let running: RunningServer | undefined;
  let stopping = false;
  const shutdown = () => { running!.close().then(() => process.exit(0), () => process.exit(1)); };
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: shutting down`);
    if (running) shutdown(); // else: once serve() returns, below
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // SIGHUP re-reads the admin API's certificate and key; without TLS there is nothing to reload,
  // and a daemon must not die of a hangup either way.
  process.on('SIGHUP', () => {
    if (!apiTls) log('SIGHUP: nothing to reload (the admin API has no TLS)');
    else running?.reloadTls('SIGHUP');
  });
  running = await serve({ db: dbPath(values.db), dns, api, apiTls, rrl, pdnsApi, log, tcpIdleMs: idle === undefined ? undefined : Number(idle), presign: presign === '1', udpIo, fastPath: fastPath === 'on', checkIntervalSec, eventHook: values['event-hook'], rolloverCheckSec: rolloverCheckSec || 30, dsResolver });
  if (stopping) shutdown();
}

/** Both files or neither: a certificate without its key (or the reverse) is a usage error, not a silent plain-text API. */
function apiTlsFiles(cert: string | undefined, key: string | undefined): { cert: string; key: string } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined) throw new UsageError('--api-tls-key needs --api-tls-cert (the certificate it belongs to)');
  if (key === undefined) throw new UsageError('--api-tls-cert needs --api-tls-key (the certificate\'s private key)');
  return { cert, key };
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': return cmdServe(rest);
    case 'zone': return cmdZone(rest);
    case 'catalog': return cmdCatalog(rest);
    case 'tsig': return cmdTsig(rest);
    case 'update-policy': return cmdUpdatePolicy(rest);
    case 'token': return cmdToken(rest);
    case 'backup': return cmdBackup(rest);
    case 'service': return cmdService(rest);
    case undefined: case '-h': case '--help': case 'help':
      process.stdout.write(USAGE + '\n');
      return;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const known = err instanceof UsageError || err instanceof ZoneParseError || err instanceof ZoneCheckError || err instanceof EditError
    || err instanceof SettingsError || err instanceof KeyFormatError || err instanceof ApiError || err instanceof StoreOpenError
    || err instanceof ListenError || err instanceof TlsFileError
    || (err instanceof Error && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION');
  const msg = err instanceof Error ? err.message : String(err);
  // A worker's start-up failure is printed once, by the primary, which then stops the service.
  if (known && reportStartFailure(msg)) return;
  process.stderr.write(`daneprime: ${known ? msg : (err as Error).stack ?? msg}\n`);
  // `service check` promises 2 for a usage error (0 and 1 are its verdicts).
  process.exit(err instanceof UsageError ? err.exitCode : 1);
});
