// `daneprime token …`: create (the secret is printed once, on stdout), list, revoke admin API tokens.
import { parseArgs } from 'node:util';
import { createToken, tokenInfo, tokenSpec } from '../admin/tokens.js';
import { UsageError, dbPath, withStore, nowSeconds } from './common.js';

export const TOKEN_USAGE = `  daneprime token create --admin [--label TEXT] [--db PATH]
  daneprime token create --zone Z --name N [--name N]... [--subtree] --type T [--type T]... [--label TEXT] [--db PATH]
  daneprime token list [--db PATH]
  daneprime token revoke ID [--db PATH]`;

export function cmdToken(argv: string[]): void {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest, strict: true, allowPositionals: true,
    options: {
      db: { type: 'string' }, admin: { type: 'boolean' }, zone: { type: 'string' }, name: { type: 'string', multiple: true },
      subtree: { type: 'boolean' }, type: { type: 'string', multiple: true }, label: { type: 'string' },
    },
  });
  const db = dbPath(values.db);
  switch (sub) {
    case 'create': {
      withStore(db, (s) => {
        // The same rules as POST /api/v1/tokens.
        const spec = tokenSpec({ admin: values.admin, zone: values.zone, names: values.name, subtree: values.subtree, types: values.type, label: values.label },
          (z) => s.zone(z) !== undefined);
        const { secret, info } = createToken(s, spec, nowSeconds());
        // Only the secret goes to stdout, so `TOKEN=$(daneprime token create …)` works; it is never shown again.
        process.stdout.write(secret + '\n');
        process.stderr.write(`created ${info.admin ? 'admin' : 'scoped'} token id ${info.id}${info.admin ? '' : ` for ${describeScope(info)}`}\n`);
      });
      return;
    }
    case 'list':
      withStore(db, (s) => {
        process.stdout.write('id\tkind\tscope\tlabel\tcreated\trevoked\n');
        for (const t of s.tokens().map(tokenInfo)) {
          process.stdout.write(`${t.id}\t${t.admin ? 'admin' : 'scoped'}\t${t.admin ? '*' : describeScope(t)}\t${t.label}\t${t.createdAt}\t${t.revokedAt ?? '-'}\n`);
        }
      });
      return;
    case 'revoke': {
      const id = Number(positionals[0]);
      if (!Number.isInteger(id) || id < 1) throw new UsageError('token revoke needs a token ID (see token list)');
      withStore(db, (s) => {
        if (!s.revokeToken(id, nowSeconds())) throw new UsageError(`no live token with id ${id}`);
      });
      process.stdout.write(`revoked token ${id}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown token command ${JSON.stringify(sub ?? '')}\n${TOKEN_USAGE}`);
  }
}

function describeScope(t: { zone: string | null; names: string[]; subtree: boolean; types: string[] }): string {
  return `${t.zone}: ${t.names.join(',')}${t.subtree ? ' (and below)' : ''} ${t.types.join(',')}`;
}
