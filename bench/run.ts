// `npm run bench`: our server vs PowerDNS, Knot and a trivial Node responder under dnsperf, plus in-process micro-benches; writes bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedZone, referenceZone, writeZone } from './lib/zones.js';
import { tmpDir, run, shellLine, cpuSeconds } from './lib/procs.js';
import { ALL, ours, oursDgram, powerdns, knot, ceiling, ceilingBatched, SERVER_CPU, LOADGEN_CPU, type ServerDef, type Running } from './lib/servers.js';
import { MIXES, writeDatafile, type Mix } from './lib/mixes.js';
import { dnsperf, perfCommand } from './lib/dnsperf.js';
import { summarize, mixTable, ratio, median, cpuUs, type Summary, type RunResult } from './lib/report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const NAMES = Number(process.env.BENCH_NAMES ?? 10000);
/** Offered rate of the fixed-rate pass (mix e): loss and latency below saturation. 0 skips it. */
const FIXED_QPS = Number(process.env.BENCH_FIXED_QPS ?? 5000);
/**
 * Offered rates at which mixes a, b and c run once more, on ours and Knot only, to compare
 * server CPU per answer at equal load (a comma list; 0 skips the pass). Unlimited, dnsperf
 * caps the positive mix below our saturation while the random mixes saturate us, and CPU per
 * query moves with load: a datagram that wakes an idle server finds its caches cold, and the
 * random mixes' path touches far more code and memory than a cached positive reply. Hence
 * two rates: one at about half our capacity and one near it (a scratch sweep of one build:
 * NXDOMAIN at 0.59, 0.69 and 0.73 of the positive mix's CPU speed at 30k, 60k and 90k).
 */
const EQUAL_RATES = (process.env.BENCH_EQUAL_QPS ?? '50000,85000').split(',').map(Number).filter((r) => r > 0);
const EQUAL_MIXES = ['a', 'b', 'c'];
/**
 * The equal-load pass runs in rounds of its own after the other passes: in each round each
 * server answers a, b and c back to back (the order rotating from round to round), and the
 * ratios are taken within a round, then their median. This machine drifts between fast and
 * slow phases lasting minutes (the same build measured 9.5 and 13.2 µs per positive answer
 * in two runs an hour apart), and a ratio of medians taken a minute apart can catch the
 * positive mix in one phase and the random mix in another.
 */
const EQUAL_ROUNDS = Number(process.env.BENCH_EQUAL_ROUNDS ?? 6);
const EQUAL_SECONDS = Number(process.env.BENCH_EQUAL_SECONDS ?? 3);
// Enough unique names that a run cannot exhaust them at any rate one core reaches; if it did,
// dnsperf stops at end of file and still reports the rate over the time it ran.
const UNIQUE_PER_SECOND = 200_000;
/** Subsets for quick iterations (comma lists): BENCH_SERVERS=ours,ceiling BENCH_MIXES=b,c; BENCH_MICRO=0 skips the micro-benches. */
const pick = (v: string | undefined) => (v ? new Set(v.split(',').map((x) => x.trim())) : undefined);
const ONLY_SERVERS = pick(process.env.BENCH_SERVERS);
const ONLY_MIXES = pick(process.env.BENCH_MIXES);
const MICRO = process.env.BENCH_MICRO !== '0';
/** Seconds of mix (e), with names no measured run uses, sent to every server once before the first run. 0 skips it. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

const SRC = fileURLToPath(new URL('../../bench/', import.meta.url));
const DIST = fileURLToPath(new URL('./', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const log = (s: string) => console.log(s);

const has = (tool: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0;

function ensureDeps(): void {
  if (['dnsperf', 'pdns_server', 'pdnsutil', 'knotd', 'taskset'].every(has)) return;
  log('bench: some tools are missing; running bench/install-deps.sh (needs root or sudo)');
  const r = spawnSync('bash', [join(SRC, 'install-deps.sh')], { stdio: 'inherit' });
  if (r.status !== 0) log('bench: install-deps.sh failed; install the packages it lists by hand. Continuing with what is there.');
}

function machine(): string[] {
  const sh = (c: string) => { try { return run('sh', ['-c', c]).trim(); } catch { return 'unknown'; } };
  return [
    `- CPU: ${sh("lscpu | sed -n 's/^Model name: *//p' | head -1")}; \`nproc\` = ${sh('nproc')} (${cpus().length} logical CPUs seen by Node)`,
    `- OS: ${sh('. /etc/os-release && echo "$PRETTY_NAME"')}, kernel ${sh('uname -r')}`,
    `- Node ${process.version}; ${[powerdns, knot].map((s) => s.version()).join('; ')}; dnsperf ${sh("dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1")}`,
    `- Servers pinned to CPU ${SERVER_CPU} (\`taskset -c ${SERVER_CPU}\`), dnsperf to CPU ${LOADGEN_CPU}.`,
  ];
}

/** The in-process micro-benches, on the server core, output kept verbatim. */
function microBenches(): string {
  const parts: string[] = [];
  for (const [file, env] of [['query-path.js', { BENCH_NAMES: String(NAMES), BENCH_SECONDS: '2' }], ['crypto-sign.js', {}], ['nsec3-hash.js', {}]] as const) {
    const args = ['-c', SERVER_CPU, process.execPath, join(DIST, file)];
    log(`bench: micro ${file}`);
    let out: string;
    try { out = run('taskset', args, { env: { ...process.env, ...env } }).trim(); } catch (e) { out = `failed: ${(e as Error).message}`; }
    log(out);
    const envText = Object.entries(env).map(([k, v]) => `${k}=${v} `).join('');
    parts.push(`\`${envText}${shellLine('taskset', args).replace(DIST, 'dist/bench/')}\`\n\n\`\`\`\n${out}\n\`\`\``);
  }
  return parts.join('\n\n');
}

interface Started { def: ServerDef; running?: Running; why?: string }

/** The ceilings answer with a fixed packet: at a fixed offered rate they say nothing. */
const isCeiling = (d: ServerDef) => d === ceiling || d === ceilingBatched;

const mixOf = (k: string): Mix => MIXES.find((m) => m.key === k)!;

/** One measured pass over every server: a mix, unlimited or at a fixed offered rate (`equal`: the equal-load CPU pass). */
interface Pass { mix: Mix; fixed?: number; equal?: boolean }
const passKey = (p: Pass) => (p.fixed ? `${p.mix.key}@${p.fixed}` : p.mix.key);
/** Which servers a pass measures: the equal-load pass only those that sustain its rate on every mix. */
const measures = (p: Pass, d: ServerDef): boolean => (p.equal ? d === ours || d === knot : !(p.fixed && isCeiling(d)));

async function startAll(zoneFile: string): Promise<Started[]> {
  const out: Started[] = [];
  for (const def of ALL.filter((d) => !ONLY_SERVERS || ONLY_SERVERS.has(d.key))) {
    log(`bench: starting ${def.label}`);
    const sdir = tmpDir(`bench-${def.key}-`);
    const t = Date.now();
    try {
      out.push({ def, running: await def.start(sdir, zoneFile) });
      log(`bench: ${def.label} ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    } catch (e) {
      const why = (e as Error).message;
      log(`bench: ${def.label} could not be started, continuing without it:\n${why}`);
      out.push({ def, why: why.split('\n')[0] });
    }
  }
  return out;
}

type Results = Map<string, RunResult[]>; // key `${mix}/${server}`

/**
 * Every server answers the mixed mix once, unmeasured, before the first run: JIT warm-up for
 * us and the ceiling, packet and signature caches for PowerDNS, and for us the first
 * signature of each NSEC3 RRset (made when a proof first needs it; Knot signs them all at
 * load). Without it the first run of each cell measures start-up, not serving.
 */
async function warmUp(up: Started[], dir: string): Promise<void> {
  const mix = mixOf('e');
  const datafile = writeDatafile(dir, mix, WARMUP * UNIQUE_PER_SECOND, NAMES, -1);
  for (const s of up) {
    log(`bench: warming up ${s.def.label} (${WARMUP} s of mix e, not measured)`);
    try { await dnsperf({ port: s.running!.port, datafile, seconds: WARMUP, once: true }); } catch (e) { log(`bench: warm-up of ${s.def.label} failed: ${(e as Error).message.split('\n')[0]}`); }
  }
  rmSync(datafile, { force: true });
}

async function main(): Promise<void> {
  ensureDeps();
  if (!has('dnsperf') || !has('taskset')) {
    console.error('bench: dnsperf and taskset are required: run `bash bench/install-deps.sh` (Debian/Ubuntu, root) first.');
    process.exit(1);
  }
  const t0 = Date.now();
  const dir = tmpDir('bench-');
  const refFile = join(dir, 'reference.zone');
  const zoneFile = join(dir, `generated-${NAMES}.zone`);
  writeZone(refFile, referenceZone());
  // The generated zone contains the reference zone, so every mix's names exist in the zone all servers load.
  writeZone(zoneFile, generatedZone(NAMES));
  log(`bench: zones written (reference + ${NAMES} generated names); ${RUNS} runs × ${SECONDS} s per cell`);

  const micro = MICRO ? microBenches() : '(skipped: BENCH_MICRO=0)';
  const servers = await startAll(zoneFile);
  const up = servers.filter((s) => s.running);
  if (WARMUP > 0) await warmUp(up, dir);
  const results: Results = new Map();
  const perfLines = new Set<string>();
  const passes: Pass[] = [
    ...MIXES.map((mix) => ({ mix })),
    ...(FIXED_QPS > 0 ? [{ mix: mixOf('e'), fixed: FIXED_QPS }] : []),
    ...EQUAL_RATES.flatMap((rate) => EQUAL_MIXES.map((k) => ({ mix: mixOf(k), fixed: rate, equal: true }))),
  ].filter((p) => !ONLY_MIXES || ONLY_MIXES.has(p.mix.key));

  /** One dnsperf run of `pass` against `s`, recorded under the pass; undefined when dnsperf failed. */
  const measure = async (s: Started, pass: Pass, datafile: string, seconds: number, what: string): Promise<RunResult | undefined> => {
    const opts = { port: s.running!.port, datafile, seconds, once: pass.mix.unique, maxQps: pass.fixed };
    perfLines.add(perfCommand(opts).replace(String(opts.port), 'PORT').replace(datafile, `mix-${pass.mix.key}-RUN.txt`));
    let res: RunResult;
    try {
      const cpu0 = cpuSeconds(s.running!.pid);
      const perf = await dnsperf(opts);
      res = { ...perf, cpuSeconds: cpuSeconds(s.running!.pid) - cpu0 };
    } catch (e) { log(`bench: dnsperf against ${s.def.label} failed: ${(e as Error).message.split('\n')[0]}`); return undefined; }
    const k = `${passKey(pass)}/${s.def.key}`;
    results.set(k, [...(results.get(k) ?? []), res]);
    log(`${what} ${passKey(pass).padEnd(7)} ${s.def.label.padEnd(12)} ${Math.round(res.qps).toString().padStart(7)} q/s  avg ${(res.avgLatency * 1000).toFixed(2)} ms  max ${(res.maxLatency * 1000).toFixed(1)} ms  lost ${res.lost}  cpu ${res.completed ? cpuUs(res).toFixed(1) : '—'} µs/q  SERVFAIL ${res.servfail}  NXDOMAIN ${res.nxdomain}`);
    return res;
  };
  for (let r = 0; r < RUNS; r++) {
    for (const pass of passes.filter((p) => !p.equal)) {
      const datafile = writeDatafile(dir, pass.mix, pass.mix.unique ? SECONDS * UNIQUE_PER_SECOND : 0, NAMES, r);
      // Rotate the order each run so no server always goes first (or right after the heaviest one).
      const order = up.map((_, i) => up[(i + r) % up.length]).filter((s) => measures(pass, s.def));
      for (const s of order) await measure(s, pass, datafile, SECONDS, `run ${r + 1}/${RUNS}`);
      rmSync(datafile, { force: true });
    }
  }
  // Per server and rate (`key@rate`), per round: CPU µs per answer by mix key, for ratios taken within a round.
  const rounds = new Map<string, Map<string, number>[]>();
  const equalPasses = passes.filter((p) => p.equal);
  for (let r = 0; r < (equalPasses.length ? EQUAL_ROUNDS : 0); r++) {
    const files = new Map(EQUAL_MIXES.map((k) => { const mix = mixOf(k); return [k, writeDatafile(dir, mix, mix.unique ? EQUAL_SECONDS * UNIQUE_PER_SECOND : 0, NAMES, 100 + r)]; }));
    const order = up.map((_, i) => up[(i + r) % up.length]).filter((s) => measures(equalPasses[0], s.def));
    for (const s of order) {
      for (const rate of EQUAL_RATES) {
        const atRate = equalPasses.filter((p) => p.fixed === rate);
        const cpu = new Map<string, number>();
        for (let i = 0; i < atRate.length; i++) {
          const pass = atRate[(i + r) % atRate.length];
          const res = await measure(s, pass, files.get(pass.mix.key)!, EQUAL_SECONDS, `round ${r + 1}/${EQUAL_ROUNDS}`);
          if (res?.completed) cpu.set(pass.mix.key, cpuUs(res));
        }
        const key = `${s.def.key}@${rate}`;
        rounds.set(key, [...(rounds.get(key) ?? []), cpu]);
      }
    }
    for (const f of files.values()) rmSync(f, { force: true });
  }
  for (const s of up) await s.running!.stop();

  // ---- report ----
  const sum = (pk: string, key: string): Summary | undefined => { const runs = results.get(`${pk}/${key}`); return runs?.length ? summarize({ runs }) : undefined; };
  const noises: number[] = [];
  const sections: string[] = [];
  const ratioRows = ['| mix | ours ÷ Knot | ours ÷ PowerDNS | ours ÷ Node ceiling | ours ÷ ours on dgram | ours ÷ batched ceiling |', '|---|---:|---:|---:|---:|---:|'];
  for (const pass of passes) {
    const pk = passKey(pass);
    const rows = servers.filter((s) => measures(pass, s.def)).map((s) => {
      const su = sum(pk, s.def.key);
      if (su) noises.push(su.noise);
      return { label: s.def.label, s: su, why: s.why };
    });
    const title = pass.fixed ? `${pass.mix.title}, at a fixed offered rate of ${pass.fixed.toLocaleString('en-US')} q/s (-Q)` : pass.mix.title;
    sections.push(`### ${title}\n\n${mixTable(rows)}`);
    // At a rate every measured server sustains, QPS ratios are 1.00× by construction.
    if (pass.equal) continue;
    const o = sum(pk, ours.key);
    const vsCeiling = (c: ServerDef) => (pass.fixed ? 'n/a' : ratio(o, sum(pk, c.key)));
    ratioRows.push(`| ${title} | ${ratio(o, sum(pk, knot.key))} | ${ratio(o, sum(pk, powerdns.key))} | ${vsCeiling(ceiling)} | ${ratio(o, sum(pk, oursDgram.key))} | ${vsCeiling(ceilingBatched)} |`);
  }
  /** Positive mix's CPU per answer ÷ this mix's, with both figures. */
  const cpuSpeed = (pos: Summary | undefined, o: Summary | undefined): string =>
    (o && pos && o.cpuUs > 0 ? `${(pos.cpuUs / o.cpuUs).toFixed(2)}× (${o.cpuUs.toFixed(1)} vs ${pos.cpuUs.toFixed(1)} µs)` : '—');
  /** The equal-load rounds' positive CPU ÷ mix k's CPU, taken within each round: median, range, and the medians of both. */
  const pairedSpeed = (key: string, k: string, rate: number): string => {
    const both = (rounds.get(`${key}@${rate}`) ?? []).filter((c) => c.has('a') && c.has(k));
    if (both.length === 0) return '—';
    const ratios = both.map((c) => c.get('a')! / c.get(k)!);
    const us = (m: string) => median(both.map((c) => c.get(m)!)).toFixed(1);
    return `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} over ${both.length} rounds; ${us(k)} vs ${us('a')} µs)`;
  };
  const positive = sum('a', ours.key);
  const vsPositive = ['b', 'c', 'e'].filter((k) => passes.some((p) => passKey(p) === k)).map((k) => {
    const o = sum(k, ours.key);
    const equal = EQUAL_RATES.flatMap((rate) => [ours, knot].map((d) => pairedSpeed(d.key, k, rate)));
    return `| ${mixOf(k).title} | ${ratio(o, positive)} | ${cpuSpeed(positive, o)} | ${equal.join(' | ')} |`;
  });
  const commands = up.map((s) => `# ${s.def.label}\n${s.running!.commands.join('\n')}`
    .replace(/\/tmp\/bench-[\w-]+/g, '$TMP').replaceAll(ROOT, './').replace(new RegExp(`\\b${s.running!.port}\\b`, 'g'), 'PORT')).join('\n\n');
  const minutes = ((Date.now() - t0) / 60000).toFixed(1);
  const noiseLine = noises.length
    ? `Noise per cell = (max − min) / median of the ${RUNS} runs' QPS: median ${(100 * median(noises)).toFixed(0)}%, worst ${(100 * Math.max(...noises)).toFixed(0)}%.`
    : 'No cell was measured.';
  const md = `# Benchmark results

Generated by \`npm run bench\` on ${new Date().toISOString()} in ${minutes} min: ${RUNS} runs × ${SECONDS} s per server per mix,
zone of ${NAMES.toLocaleString('en-US')} generated names plus the reference zone, every query with DO=1, UDP.
Figures are medians over runs; servers interleaved within each run. See bench/README.md for method and caveats.

## Noise

${noiseLine}
${SERVER_CPU.split(',').includes(LOADGEN_CPU)
    ? `The servers run on CPU ${SERVER_CPU} and dnsperf on CPU ${LOADGEN_CPU}, so they share a core, and anything else running`
    : `The machine has 2 cores: one for the server, one for dnsperf, so anything else running`}
(a compile, a test) lands on one of them. Servers start once; before the first run each
answered ${WARMUP} s of mix (e) with other names, unmeasured (BENCH_WARMUP), so the runs
measure serving, not start-up. Treat differences under the noise figure of the cell as no
difference.

## Ratios (QPS, ours ÷ peer)

Each ratio is the median of the ${RUNS} runs' own ratios: within a run the servers answer one
mix back to back, so both met the same phase of the machine.

${ratioRows.join('\n')}

## Ours: the random mixes against the positive mix

Target: random NXDOMAIN and wildcard within 20% of the positive mix (≥ 0.80×). dnsperf on
its one core limits the positive mix, so the QPS ratio flatters the random mixes; the CPU
ratio (positive mix's server CPU per query ÷ this mix's) compares the work per answer.
Unlimited, the positive mix leaves the server partly idle while the random mixes saturate
it, and CPU per query moves with load (a query that wakes an idle server finds its caches
cold, and a random-label answer touches far more code and memory than a stored reply), so
the later columns compare CPU with every mix offered the same rate (BENCH_EQUAL_QPS:
${EQUAL_RATES.map((r) => r.toLocaleString('en-US')).join(' and ')} q/s), for us and for Knot: ${EQUAL_ROUNDS} rounds in which each server
answers (a), (b) and (c) back to back for ${EQUAL_SECONDS} s each at each rate; the ratio is taken within each round,
and the table gives the median, the range, and the median µs per answer of the mix and of (a).

| mix | QPS ÷ positive | CPU speed ÷ positive, unlimited | ${EQUAL_RATES.map((r) => `CPU speed ÷ positive at ${r.toLocaleString('en-US')} q/s | Knot, same`).join(' | ')} |
|---|---:|---:|${EQUAL_RATES.map(() => '---:|---:|').join('')}
${vsPositive.join('\n')}

## Per mix

"server CPU µs/query" = the server's user + system CPU over the run (all its processes, from
/proc) ÷ the queries dnsperf saw answered. "lost" = queries without a reply within 2 s (dnsperf \`Queries lost\`), median per run; at the unlimited
offered rate an overloaded server drops queries, so loss there measures overload, not bugs.

${sections.join('\n\n')}
${servers.filter((s) => s.why).map((s) => `\n**${s.def.label} not measured:** ${s.why}\n`).join('')}
## In-process micro-benches

${micro}

## Machine

${machine().join('\n')}

## Exact command lines

Setup and servers ($TMP is a fresh temporary directory, PORT a free port):

\`\`\`
${commands}
\`\`\`

Load (one per mix and run; \`-n 1\` for the unique-label mixes):

\`\`\`
${[...perfLines].join('\n')}
\`\`\`
`;
  // BENCH_OUT names another results file (e.g. the multi-worker run) so one run does not overwrite the other.
  // A subset run never overwrites the full results.
  const out = process.env.BENCH_OUT ?? (ONLY_SERVERS || ONLY_MIXES ? 'RESULTS-subset.md' : 'RESULTS.md');
  writeFileSync(join(SRC, out), md);
  log('\n' + md);
  log(`bench: wrote bench/${out} (${minutes} min)`);
}

main().then(() => process.exit(0), (e: unknown) => { console.error(`bench: ${(e as Error).stack ?? String(e)}`); process.exit(1); });
