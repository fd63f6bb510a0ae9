// `daneprime tsig …`: add (secret printed once), list (never secrets), delete TSIG keys.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { XfrStore } from '../../zones/store/xfr-sqlite.js';
import { createTsigKey, listTsigKeys, deleteTsigKey, TsigKeyError } from '../xfr/keys.js';
import { UsageError, dbPath, withStore, nowSeconds } from './common.js';

export const TSIG_USAGE = `  daneprime tsig add NAME [--algorithm hmac-sha256|hmac-sha512|hmac-sha384|hmac-sha224|hmac-sha1|hmac-md5] [--secret-file FILE|-] [--db PATH]
                  (FILE or standard input holds an existing key's base64 secret; --secret BASE64 works too, but shows it to ps)
  daneprime tsig list [--db PATH]
  daneprime tsig delete NAME [--db PATH]`;

export function cmdTsig(argv: string[]): void {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest, strict: true, allowPositionals: true,
    options: { db: { type: 'string' }, algorithm: { type: 'string' }, secret: { type: 'string' }, 'secret-file': { type: 'string' } },
  });
  const db = dbPath(values.db);
  try {
    switch (sub) {
      case 'add': {
        if (!positionals[0]) throw new UsageError('tsig add needs a NAME');
        if (values.secret !== undefined && values['secret-file'] !== undefined) throw new UsageError('give --secret or --secret-file, not both');
        const secret = values['secret-file'] !== undefined ? readSecret(values['secret-file']) : values.secret;
        const k = withStore(db, (s) => createTsigKey(new XfrStore(s), positionals[0], values.algorithm, secret, nowSeconds()));
        // The secret is shown only when we made it, and only this once.
        process.stdout.write(k.generated
          ? `added TSIG key ${k.name} (${k.algorithm}); secret (shown once, store it now):\n${k.secret}\n`
          : `added TSIG key ${k.name} (${k.algorithm})\n`);
        return;
      }
      case 'list':
        withStore(db, (s) => {
          process.stdout.write('name\talgorithm\tcreated\n');
          for (const k of listTsigKeys(new XfrStore(s))) process.stdout.write(`${k.name}\t${k.algorithm}\t${new Date(k.created_at * 1000).toISOString()}\n`);
        });
        return;
      case 'delete':
        if (!positionals[0]) throw new UsageError('tsig delete needs a NAME');
        withStore(db, (s) => deleteTsigKey(new XfrStore(s), positionals[0]));
        process.stdout.write(`deleted TSIG key ${positionals[0]}\n`);
        return;
      default:
        throw new UsageError(`unknown tsig command ${JSON.stringify(sub ?? '')}\n${TSIG_USAGE}`);
    }
  } catch (err) {
    if (err instanceof TsigKeyError) throw new UsageError(err.message);
    throw err;
  }
}

/** A secret from a file or standard input ("-"): the first non-empty line, trimmed (key files end in a newline). */
function readSecret(from: string): string {
  let text: string;
  try {
    text = readFileSync(from === '-' ? 0 : from, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --secret-file ${from}: ${(err as Error).message}`);
  }
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '');
  if (!line) throw new UsageError(`--secret-file ${from}: no secret in it`);
  return line;
}
