#!/usr/bin/env node
// The `daneprime` command line: parse arguments, dispatch to a command, print errors as one line.
import { parseArgs } from 'node:util';
import { ZoneParseError } from '../zones/io/zonefile-parse.js';
import { ZoneCheckError } from '../zones/zone-check.js';
import { SettingsError } from '../zones/settings.js';
import { KeyFormatError } from '../signer/algorithms.js';
import { UsageError, dbPath } from './commands/common.js';
import { cmdZone, ZONE_USAGE } from './commands/zone.js';
import { cmdToken, TOKEN_USAGE } from './commands/token.js';
import { ApiError } from './admin/errors.js';
import { parseListenAddress } from './net/address.js';
import { serve } from './main.js';
import { log } from './log.js';

const USAGE = `usage:
  daneprime serve [--db PATH] [--dns ADDR:PORT]... [--api ADDR:PORT|off]
${ZONE_USAGE}
${TOKEN_USAGE}

defaults: --db $DANEPRIME_DB or ./data/daneprime.db; --dns $DANEPRIME_DNS (comma-separated)
or 127.0.0.1:5300; --api $DANEPRIME_API or 127.0.0.1:8053`;

async function cmdServe(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: { db: { type: 'string' }, dns: { type: 'string', multiple: true }, api: { type: 'string' } },
  });
  const dnsTexts = values.dns?.length ? values.dns : (process.env.DANEPRIME_DNS ?? '127.0.0.1:5300').split(',');
  const dns = dnsTexts.map((t) => parseListenAddress(t, '--dns address'));
  const apiText = values.api ?? process.env.DANEPRIME_API ?? '127.0.0.1:8053';
  const api = apiText === 'off' ? undefined : parseListenAddress(apiText, '--api address');
  const running = await serve({ db: dbPath(values.db), dns, api, log });
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

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': return cmdServe(rest);
    case 'zone': return cmdZone(rest);
    case 'token': return cmdToken(rest);
    case undefined: case '-h': case '--help': case 'help':
      process.stdout.write(USAGE + '\n');
      return;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const known = err instanceof UsageError || err instanceof ZoneParseError || err instanceof ZoneCheckError
    || err instanceof SettingsError || err instanceof KeyFormatError || err instanceof ApiError
    || (err instanceof Error && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION');
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`daneprime: ${known ? msg : (err as Error).stack ?? msg}\n`);
  process.exit(1);
});
