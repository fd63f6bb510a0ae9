// `daneprime update-policy add|list|remove`: which RRsets each TSIG key may change by DNS UPDATE.
import { parseArgs } from 'node:util';
import { XfrStore } from '../../zones/store/xfr-sqlite.js';
import { PolicyStore } from '../../zones/store/policy-sqlite.js';
import { addPolicy, listPolicies, removePolicy, PolicyError, type PolicyInfo } from '../update/policy.js';
import { UsageError, dbPath, zoneArg, withStore, nowSeconds } from './common.js';

export const UPDATE_POLICY_USAGE = `  daneprime update-policy add ZONE --key KEY [--name NAME [--subtree]] [--type TYPE]... [--db PATH]
  daneprime update-policy list [ZONE] [--db PATH]
  daneprime update-policy remove ID [--db PATH]`;

const describe = (p: PolicyInfo): string =>
  `${p.id}\t${p.zone}\t${p.key}\t${p.name}${p.subtree ? ' and below' : ''}\t${p.types.length ? p.types.join(',') : 'any but SOA, apex NS, DNSSEC'}`;

export function cmdUpdatePolicy(argv: string[]): void {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest, strict: true, allowPositionals: true,
    options: { db: { type: 'string' }, key: { type: 'string' }, name: { type: 'string' }, subtree: { type: 'boolean' }, type: { type: 'string', multiple: true } },
  });
  const db = dbPath(values.db);
  try {
    switch (sub) {
      case 'add': {
        const zone = positionals[0];
        if (!zone) throw new UsageError('update-policy add needs a ZONE');
        if (!values.key) throw new UsageError('update-policy add needs --key KEY');
        if (values.subtree && values.name === undefined) throw new UsageError('--subtree goes with --name (without --name the policy covers the whole zone)');
        const p = withStore(db, (s) => addPolicy(s, new PolicyStore(s), new XfrStore(s), zone, { key: values.key!, name: values.name, subtree: values.subtree, types: values.type }, nowSeconds()));
        process.stdout.write(`added update policy ${p.id}: key ${p.key} may change ${p.name}${p.subtree ? ' and below' : ''}, ${p.types.length ? p.types.join(', ') : 'any type but SOA, apex NS and DNSSEC'}\n`);
        return;
      }
      case 'list': {
        const zone = positionals[0] !== undefined ? zoneArg(positionals[0]) : undefined;
        withStore(db, (s) => {
          process.stdout.write('id\tzone\tkey\tnames\ttypes\n');
          for (const p of listPolicies(new PolicyStore(s), zone)) process.stdout.write(describe(p) + '\n');
        });
        return;
      }
      case 'remove': {
        const id = Number(positionals[0]);
        if (!/^[1-9][0-9]*$/.test(positionals[0] ?? '')) throw new UsageError('update-policy remove needs the policy ID (see update-policy list)');
        const p = withStore(db, (s) => removePolicy(new PolicyStore(s), id));
        process.stdout.write(`removed update policy ${p.id} (key ${p.key} in ${p.zone})\n`);
        return;
      }
      default:
        throw new UsageError(`unknown update-policy command ${JSON.stringify(sub ?? '')}\n${UPDATE_POLICY_USAGE}`);
    }
  } catch (err) {
    if (err instanceof PolicyError) throw new UsageError(err.message);
    throw err;
  }
}
