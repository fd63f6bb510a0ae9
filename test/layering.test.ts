// The layering rules, checked on the import statements of the source: no import cycles, and no layer imports from a layer that uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAYERS = ['zones', 'signer', 'server'];

/** One import: the file that imports, the file it names (relative to the repo root), and the statement's line. */
interface Edge { from: string; to: string; line: number }

/**
 * The relative imports of one TypeScript source: `import … from`, `export … from`, bare
 * `import '…'` and `import('…')`, type-only imports included (a cycle of types is still a
 * cycle in the design). Specifiers name the compiled `.js`; the edge names the `.ts`.
 */
export function importsOf(file: string, text: string): Edge[] {
  const edges: Edge[] = [];
  const patterns = [
    /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\}|[\w$]+)\s+from\s*['"]([^'"]+)['"]/gm,
    /^[ \t]*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      const spec = m[1];
      if (!spec.startsWith('.')) continue; // packages and node: builtins
      const to = relative(ROOT, resolve(dirname(join(ROOT, file)), spec)).replace(/\.js$/, '.ts');
      edges.push({ from: file, to, line: text.slice(0, m.index).split('\n').length });
    }
  }
  return edges;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(path));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const files = LAYERS.flatMap(sources).sort();
const edges = files.flatMap((f) => importsOf(f, readFileSync(join(ROOT, f), 'utf8')));
const show = (e: Edge) => `${e.from}:${e.line} imports ${e.to}`;

/** The strongly connected components of more than one file (or a file importing itself): each holds a cycle. */
export function cycles(nodes: readonly string[], out: (n: string) => readonly string[]): string[][] {
  // Tarjan's algorithm, iterative: the graph is a few hundred files, but recursion depth is not ours to bound.
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    index.set(root, next); low.set(root, next); next++;
    stack.push(root); onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      const succ = out(v);
      if (i < succ.length) {
        top[1]++;
        const w = succ[i];
        if (!index.has(w)) {
          index.set(w, next); low.set(w, next); next++;
          stack.push(w); onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) { const u = work[work.length - 1][0]; low.set(u, Math.min(low.get(u)!, low.get(v)!)); }
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
        if (scc.length > 1 || out(v).includes(v)) found.push(scc.sort());
      }
    }
  }
  return found;
}

/**
 * Cycles that are known and owned elsewhere, each named by its files. Any other cycle fails;
 * so does an entry here that no longer matches a cycle (remove it then).
 */
const KNOWN_CYCLES: string[][] = [];

/** What a layer must not import: its users (the layers built on it) and the rooms beside it. */
const RULES: { layer: string; mustNot: string[]; why: string }[] = [
  { layer: 'zones/', mustNot: ['signer/', 'server/'], why: 'zones are the data every other layer reads' },
  { layer: 'signer/', mustNot: ['server/'], why: 'the signer works on zones, for any server' },
  { layer: 'server/wire/', mustNot: ['server/query/', 'server/xfr/', 'server/net/', 'server/admin/'], why: 'the message codec is shared by queries, transfers and updates' },
  { layer: 'server/query/', mustNot: ['server/net/', 'server/xfr/', 'server/admin/'], why: 'the query path answers through a Responder, whatever the transport' },
  { layer: 'server/net/', mustNot: ['server/xfr/', 'server/admin/', 'server/wire/'], why: 'listeners carry messages; they do not read them' },
  { layer: 'server/checks/', mustNot: ['server/admin/', 'server/commands/', 'server/query/', 'server/net/', 'server/xfr/', 'server/wire/', 'server/rollover/'], why: 'probes are protocol clients apart from the DNS server; the API and the CLI use them' },
  { layer: 'server/dane/', mustNot: ['server/admin/', 'server/checks/', 'server/commands/', 'server/rollover/'], why: 'TLSA association data is shared by the API and the checks' },
  { layer: 'server/rollover/', mustNot: ['server/admin/', 'server/commands/', 'server/pdns-api/', 'server/update/', 'server/query/', 'server/net/'], why: 'rollovers are built on the checks, the secondaries\' SOA and the commit pipeline; the API, the CLI and the server wire them' },
  { layer: 'server/xfr/', mustNot: ['server/rollover/'], why: 'the rollover clock asks the secondaries through the transfer layer, not the other way round' },
];

/**
 * Who may import the fast path: the wiring that builds it. The query path reaches it only
 * through the FastPath contract (server/query/context.ts), at its one entry point.
 */
const FAST_PATH = 'server/query/fast/';
const FAST_PATH_USERS = ['server/main.ts'];

test('the import parser sees every form of import statement (a parser that saw none would pass every rule)', () => {
  const text = [
    "import { a } from './a.js';",
    "import type { B } from '../b.js';",
    "import C, { c } from './c.js';",
    "import * as d from './d.js';",
    'import {\n  e,\n  type E,\n} from "./e.js";',
    "export { f } from './f.js';",
    "export * from './g.js';",
    "import './h.js';",
    "const i = await import('./i.js');",
    "import x from 'dns-packet';",
    "// not an import: const from = './no.js';",
  ].join('\n');
  assert.deepEqual(importsOf('server/query/x.ts', text).map((e) => e.to).sort(),
    ['server/b.ts', ...['a', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((n) => `server/query/${n}.ts`)].sort());
  assert.ok(edges.length > 300, `${edges.length} imports found in ${files.length} files`);
  assert.ok(edges.some((e) => e.from === 'server/query/handle.ts' && e.to === 'server/query/responder.ts'));
});

test('the cycle finder finds a cycle, a self-import, and none in a chain', () => {
  const g: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'], d: ['d'], e: ['f'], f: [] };
  assert.deepEqual(cycles(Object.keys(g), (n) => g[n]), [['a', 'b', 'c'], ['d']]);
});

test('every import names a source file that exists', () => {
  const known = new Set(files);
  const dangling = edges.filter((e) => LAYERS.some((l) => e.to.startsWith(`${l}/`)) && !known.has(e.to));
  assert.deepEqual(dangling.map(show), []);
});

test('no import cycles among zones/, signer/ and server/', () => {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const found = cycles(files, (n) => out.get(n) ?? []);
  const key = (c: string[]) => c.join(' ');
  const known = new Set(KNOWN_CYCLES.map(key));
  assert.deepEqual(found.filter((c) => !known.has(key(c))), [], 'import cycles');
  const stale = KNOWN_CYCLES.filter((c) => !found.some((f) => key(f) === key(c)));
  assert.deepEqual(stale, [], 'KNOWN_CYCLES entries that no longer occur: remove them');
});

for (const rule of RULES) {
  test(`${rule.layer} imports nothing from ${rule.mustNot.join(', ')} (${rule.why})`, () => {
    const broken = edges.filter((e) => e.from.startsWith(rule.layer) && rule.mustNot.some((m) => e.to.startsWith(m)));
    assert.deepEqual(broken.map(show), []);
  });
}

test(`the fast path has one way in: nothing but ${FAST_PATH_USERS.join(' and ')} imports from ${FAST_PATH}`, () => {
  const entering = edges.filter((e) => e.to.startsWith(FAST_PATH) && !e.from.startsWith(FAST_PATH) && !FAST_PATH_USERS.includes(e.from));
  assert.deepEqual(entering.map(show), []);
});
