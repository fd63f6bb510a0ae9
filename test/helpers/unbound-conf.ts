// One unbound configuration for the tests that run it: a loopback resolver that asks only our servers (stub zones), validating when given trust anchors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface UnboundConf {
  dir: string;
  /** File stem of the .conf and .pid in `dir` (default `unbound`), for two resolvers side by side. */
  name?: string;
  address: string;
  port: number;
  /** trust-anchor values ("ZONE. DNSKEY …" or "ZONE. DS …"); none: a resolver that does not validate. */
  anchors?: readonly string[];
  /** Each zone asked of 127.0.0.1 at its port, nowhere else. */
  stubs: readonly { zone: string; port: number }[];
  /** Keep answers for their TTLs (default), or cache nothing, so each question reaches our server. */
  cache?: boolean;
  logFile?: string;
  /** More `server:` lines. */
  extra?: readonly string[];
}

/** Write the configuration; returns its path (for `unbound -d -c PATH`). */
export function writeUnboundConf(o: UnboundConf): string {
  const name = o.name ?? 'unbound';
  const conf = join(o.dir, `${name}.conf`);
  const anchors = o.anchors ?? [];
  const server = [
    `interface: ${o.address}`, `port: ${o.port}`, 'do-ip6: no', 'do-daemonize: no', 'username: ""', 'chroot: ""',
    `directory: "${o.dir}"`, `pidfile: "${join(o.dir, `${name}.pid`)}"`, ...(o.logFile ? [`logfile: "${o.logFile}"`] : []),
    'use-syslog: no', 'verbosity: 1', 'val-log-level: 2', 'access-control: 127.0.0.0/8 allow',
    `module-config: "${anchors.length ? 'validator iterator' : 'iterator'}"`,
    // RFC 6761 names (.test, .example…) are answered locally by default; these are ours to resolve.
    ...o.stubs.map((s) => `local-zone: "${s.zone}" transparent`),
    ...anchors.map((a) => `trust-anchor: "${a}"`),
    'do-not-query-localhost: no', 'qname-minimisation: no', 'harden-referral-path: no', 'trust-anchor-signaling: no', 'root-key-sentinel: no',
    ...(o.cache === false ? ['cache-max-ttl: 0', 'cache-max-negative-ttl: 0'] : []),
    ...(o.extra ?? []),
  ];
  writeFileSync(conf, `server:\n${server.map((l) => `  ${l}\n`).join('')}`
    + o.stubs.map((s) => `stub-zone:\n  name: "${s.zone}"\n  stub-addr: 127.0.0.1@${s.port}\n`).join('')
    + 'remote-control:\n  control-enable: no\n');
  return conf;
}
