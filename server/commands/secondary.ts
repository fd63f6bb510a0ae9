// `daneprime zone secondary add|list|remove`: NOTIFY targets and transfer ACL of a zone.
import { parseArgs } from 'node:util';
import { XfrStore } from '../../zones/store/xfr-sqlite.js';
import { addSecondary, listSecondaries, removeSecondary, SecondaryError } from '../xfr/acl.js';
import { secondaryStatus } from '../xfr/monitor.js';
import { UsageError, dbPath, zoneArg, withStore, nowSeconds } from './common.js';

export const SECONDARY_USAGE = `  daneprime zone secondary add ZONE ADDR[:PORT] [--tsig NAME] [--db PATH]   (ADDR/LEN: may transfer, not notified)
  daneprime zone secondary list ZONE [--json] [--db PATH]   (with what each serves, as the server last asked)
  daneprime zone secondary remove ZONE ADDR[:PORT] [--db PATH]`;

export function cmdSecondary(argv: string[]): void {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest, strict: true, allowPositionals: true, options: { db: { type: 'string' }, tsig: { type: 'string' }, json: { type: 'boolean' } },
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
        case 'list': {
          const own = listSecondaries(s, xs, apex);
          const status = secondaryStatus(s, xs, apex, nowSeconds());
          if (values.json) {
            process.stdout.write(JSON.stringify(status, null, 2) + '\n');
            return;
          }
          process.stdout.write('address\tport\ttsig\tnotify\tstate\tserial\tlag\n');
          const shown = (a: string, p: number) => status.find((x) => x.address === a && x.port === p);
          for (const r of own) {
            const st = shown(r.address, r.port);
            process.stdout.write(`${r.address}\t${r.port}\t${r.tsigKey ?? '-'}\t${r.address.includes('/') ? 'no' : 'yes'}\t${st?.state ?? '-'}\t${st?.serial ?? '-'}\t${st?.lagSeconds ?? '-'}\n`);
          }
          // A catalog's secondaries serve its members too.
          for (const st of status) {
            if (!own.some((r) => r.address === st.address && r.port === st.port)) {
              process.stdout.write(`${st.address}\t${st.port}\t(catalog)\tyes\t${st.state}\t${st.serial ?? '-'}\t${st.lagSeconds ?? '-'}\n`);
            }
          }
          return;
        }
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
