// `daneprime zone secondary add|list|remove`: NOTIFY targets and transfer ACL of a zone.
import { parseArgs } from 'node:util';
import { XfrStore } from '../../zones/store/xfr-sqlite.js';
import { addSecondary, listSecondaries, removeSecondary, SecondaryError } from '../xfr/acl.js';
import { UsageError, dbPath, zoneArg, withStore, nowSeconds } from './common.js';

export const SECONDARY_USAGE = `  daneprime zone secondary add ZONE ADDR[:PORT] [--tsig NAME] [--db PATH]   (ADDR/LEN: may transfer, not notified)
  daneprime zone secondary list ZONE [--db PATH]
  daneprime zone secondary remove ZONE ADDR[:PORT] [--db PATH]`;

export function cmdSecondary(argv: string[]): void {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest, strict: true, allowPositionals: true, options: { db: { type: 'string' }, tsig: { type: 'string' } },
  });
  const db = dbPath(values.db);
  const apex = zoneArg(positionals[0]);
  try {
    withStore(db, (s) => {
      const xs = new XfrStore(s);
      switch (sub) {
        case 'add': {
          if (!positionals[1]) throw new UsageError('zone secondary add needs ZONE and ADDR[:PORT]');
          const r = addSecondary(s, xs, apex, positionals[1], values.tsig, nowSeconds());
          process.stdout.write(`secondary ${r.address} port ${r.port} of ${apex}${r.tsigKey ? ` (TSIG key ${r.tsigKey})` : ''}\n`);
          return;
        }
        case 'list':
          process.stdout.write('address\tport\ttsig\tnotify\n');
          for (const r of listSecondaries(s, xs, apex)) {
            process.stdout.write(`${r.address}\t${r.port}\t${r.tsigKey ?? '-'}\t${r.address.includes('/') ? 'no' : 'yes'}\n`);
          }
          return;
        case 'remove':
          if (!positionals[1]) throw new UsageError('zone secondary remove needs ZONE and ADDR[:PORT]');
          removeSecondary(s, xs, apex, positionals[1]);
          process.stdout.write(`removed secondary ${positionals[1]} of ${apex}\n`);
          return;
        default:
          throw new UsageError(`unknown zone secondary command ${JSON.stringify(sub ?? '')}\n${SECONDARY_USAGE}`);
      }
    });
  } catch (err) {
    if (err instanceof SecondaryError) throw new UsageError(err.message);
    throw err;
  }
}
