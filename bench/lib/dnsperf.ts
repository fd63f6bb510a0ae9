// Drives dnsperf (pinned to the load-generator core) for one run and parses its summary.
import { LOADGEN_CPU } from './servers.js';
import { execFile } from 'node:child_process';
import { shellLine } from './procs.js';

export interface PerfResult {
  sent: number;
  completed: number;
  lost: number;
  noerror: number;
  nxdomain: number;
  servfail: number;
  qps: number;
  /** Seconds. */
  avgLatency: number;
  maxLatency: number;
}

export interface PerfOptions {
  port: number;
  datafile: string;
  seconds: number;
  /** Read the datafile once (unique-label mixes). */
  once: boolean;
  /** Offered rate cap (-Q); unlimited when absent. */
  maxQps?: number;
}

/**
 * Client sockets (source ports) dnsperf uses. With several workers each worker has its own
 * SO_REUSEPORT socket and the kernel hashes flows across them, so 4 flows can land 3:1 or 4:0;
 * the multi-worker run uses more (BENCH_CLIENTS=16).
 */
const CLIENTS = process.env.BENCH_CLIENTS ?? '4';

/** dnsperf's arguments: BENCH_CLIENTS clients, 200 outstanding, one thread (it has one core), DO=1, 2 s timeout. */
export function perfArgs(o: PerfOptions): string[] {
  return [
    '-c', LOADGEN_CPU, 'dnsperf', '-s', '127.0.0.1', '-p', String(o.port), '-d', o.datafile, '-D',
    '-l', String(o.seconds), '-c', CLIENTS, '-q', '200', '-T', '1', '-t', '2',
    ...(o.once ? ['-n', '1'] : []), ...(o.maxQps ? ['-Q', String(o.maxQps)] : []),
  ];
}

export const perfCommand = (o: PerfOptions): string => shellLine('taskset', perfArgs(o));

// Asynchronous on purpose: while dnsperf runs, the event loop keeps draining the servers' output
// pipes; a blocking spawnSync would let a chatty server fill its pipe and stall mid-measurement.
export function dnsperf(o: PerfOptions): Promise<PerfResult> {
  return new Promise((resolve, reject) => {
    execFile('taskset', perfArgs(o), { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${perfCommand(o)}: ${err.message}\n${stderr.slice(-1500)}`));
      try { resolve(parsePerf(stdout + stderr)); } catch (e) { reject(e as Error); }
    });
  });
}

export function parsePerf(out: string): PerfResult {
  const num = (re: RegExp, what: string): number => {
    const m = re.exec(out);
    if (!m) throw new Error(`dnsperf output has no ${what}:\n${out.slice(-1500)}`);
    return Number(m[1]);
  };
  const rcode = (name: string) => Number(new RegExp(`Response codes:[^\\n]*\\b${name} (\\d+)`).exec(out)?.[1] ?? 0);
  return {
    sent: num(/Queries sent:\s+(\d+)/, 'Queries sent'),
    completed: num(/Queries completed:\s+(\d+)/, 'Queries completed'),
    lost: num(/Queries lost:\s+(\d+)/, 'Queries lost'),
    noerror: rcode('NOERROR'),
    nxdomain: rcode('NXDOMAIN'),
    servfail: rcode('SERVFAIL'),
    qps: num(/Queries per second:\s+([\d.]+)/, 'Queries per second'),
    avgLatency: num(/Average Latency \(s\):\s+([\d.]+)/, 'Average Latency'),
    maxLatency: num(/Average Latency \(s\):[^\n]*max ([\d.]+)/, 'max latency'),
  };
}
