// Master file parser (RFC 1035 §5, RFC 2308 §4 $TTL): zone text → Rec[] with BIND's TTL
// defaulting, $ORIGIN/$INCLUDE scoping, and class IN only.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseName, type Name } from '../model/name.js';
import { RRType, typeFromText, type Rec } from '../model/types.js';
import { canonicalRdata, soaMinimum } from '../model/rdata/index.js';
import { ttlFromText } from '../model/rdata/numbers.js';
import { encodeTokens } from '../model/rdata/codec.js';
import { TokenizeError, tokenizeEntries, type Entry, type Token } from './tokenize.js';

export class ZoneParseError extends Error {
  override name = 'ZoneParseError';
  constructor(readonly file: string, readonly line: number, readonly detail: string) {
    super(`${file}:${line}: ${detail}`);
  }
}

export interface ParseOptions {
  origin?: Name;
  fileName?: string;
  /** Reads an $INCLUDE target (path already resolved); absent → $INCLUDE is refused. */
  readInclude?: (path: string) => string;
  /** TTL for records with none when no $TTL or earlier TTL applies (before the SOA-minimum fallback). */
  defaultTtl?: number;
}

const MAX_INCLUDE_DEPTH = 10;
// RFC 2181 §8: TTLs are unsigned 31-bit values.
const MAX_TTL = 0x7fffffff;

/** TTL state shared across $INCLUDEd files, as BIND shares it. */
interface TtlState {
  /** $TTL, or the SOA minimum adopted when the zone had no TTL at all. */
  defaultTtl: number | undefined;
  /** Last TTL written on a record (RFC 1035 §5.1 semantics). */
  lastTtl: number | undefined;
}

/** Per-file scope: origin and current owner revert after an $INCLUDE (RFC 1035 §5.1). */
interface Scope {
  file: string;
  origin: Name | undefined;
  owner: Name | undefined;
  depth: number;
}

interface Ctx {
  ttl: TtlState;
  out: Rec[];
  readInclude?: (path: string) => string;
}

function isClassToken(s: string): boolean {
  return /^(IN|CH|CS|HS|NONE|ANY|CLASS[0-9]+)$/i.test(s);
}

function checkClass(s: string): void {
  const u = s.toUpperCase();
  if (u === 'IN' || u === 'CLASS1') return;
  throw new Error(`class ${u} is not supported (only IN)`);
}

function nameIn(text: string, scope: Scope, what: string): Name {
  const absolute = text === '.' || /(^|[^\\])(\\\\)*\.$/.test(text);
  if (!absolute && scope.origin === undefined) {
    throw new Error(`relative ${what} '${text}' but no origin: add $ORIGIN or pass an origin`);
  }
  return parseName(text, scope.origin);
}

function parseTtlToken(s: string): number {
  const v = ttlFromText(s);
  if (v === undefined || v > MAX_TTL) throw new Error(`bad TTL '${s}' (0-${MAX_TTL}, units w d h m s)`);
  return v;
}

function directive(entry: Entry, scope: Scope, ctx: Ctx): void {
  const [d, ...args] = entry.tokens;
  const arg = (i: number, what: string): string => {
    const t = args[i];
    if (!t) throw new Error(`${d.text} needs ${what}`);
    return t.text;
  };
  switch (d.text.toUpperCase()) {
    case '$ORIGIN':
      if (args.length > 1) throw new Error('$ORIGIN takes one name');
      scope.origin = nameIn(arg(0, 'a name'), scope, 'origin');
      return;
    case '$TTL':
      if (args.length > 1) throw new Error('$TTL takes one value');
      ctx.ttl.defaultTtl = parseTtlToken(arg(0, 'a TTL'));
      return;
    case '$INCLUDE': {
      if (args.length > 2) throw new Error('$INCLUDE takes a file name and an optional origin');
      const rel = arg(0, 'a file name');
      if (!ctx.readInclude) throw new Error('$INCLUDE is not allowed here');
      if (scope.depth >= MAX_INCLUDE_DEPTH) throw new Error(`$INCLUDE nested deeper than ${MAX_INCLUDE_DEPTH}`);
      // Relative paths are relative to the including file, not the process directory.
      const path = isAbsolute(rel) ? rel : resolve(dirname(scope.file), rel);
      let text: string;
      try {
        text = ctx.readInclude(path);
      } catch (e) {
        throw new Error(`cannot read $INCLUDE file ${rel}: ${(e as Error).message}`, { cause: e });
      }
      const origin = args[1] ? nameIn(args[1].text, scope, 'origin') : scope.origin;
      parseInto(text, { file: path, origin, owner: origin === scope.origin ? scope.owner : undefined, depth: scope.depth + 1 }, ctx);
      return;
    }
    case '$GENERATE':
      throw new Error('$GENERATE is not supported');
    default:
      throw new Error(`unknown directive ${d.text}`);
  }
}

function record(entry: Entry, scope: Scope, ctx: Ctx): void {
  const toks = entry.tokens;
  let i = 0;
  if (!entry.ownerOmitted) {
    scope.owner = nameIn(toks[i++].text, scope, 'owner name');
  } else if (scope.owner === undefined) {
    throw new Error('no owner name: the first record must not start with blank space');
  }
  let ttl: number | undefined;
  let sawClass = false;
  // [<TTL>] [<class>] <type> or [<class>] [<TTL>] <type> (RFC 1035 §5.1).
  for (let k = 0; k < 2 && i < toks.length; k++) {
    const s = toks[i].text;
    if (!sawClass && isClassToken(s)) { checkClass(s); sawClass = true; i++; }
    else if (ttl === undefined && /^[0-9]/.test(s)) { ttl = parseTtlToken(s); i++; }
    else break;
  }
  const typeTok = toks[i++];
  if (!typeTok) throw new Error('missing RR type');
  const type = typeFromText(typeTok.text);
  if (type === undefined) throw new Error(`unknown RR type '${typeTok.text}'`);
  const rdataTokens: Token[] = toks.slice(i);
  const rdata = encodeTokens(type, rdataTokens, scope.origin);
  ctx.out.push({ name: scope.owner!, type, ttl: resolveTtl(ttl, type, rdata, ctx.ttl), rdata });
}

/**
 * BIND's order (lib/dns/master.c): explicit TTL; else $TTL; else the last explicit TTL
 * (RFC 1035 semantics); else, for the SOA, its MINIMUM field, which then becomes the default.
 * Anything else without a TTL is an error, as BIND rejects the zone.
 */
function resolveTtl(explicit: number | undefined, type: number, rdata: Buffer, st: TtlState): number {
  if (explicit !== undefined) { st.lastTtl = explicit; return explicit; }
  if (st.defaultTtl !== undefined) return st.defaultTtl;
  if (st.lastTtl !== undefined) return st.lastTtl;
  if (type === RRType.SOA) {
    st.defaultTtl = Math.min(soaMinimum(rdata), MAX_TTL);
    return st.defaultTtl;
  }
  throw new Error('no TTL specified and no $TTL or earlier TTL to use');
}

function parseInto(text: string, scope: Scope, ctx: Ctx): void {
  let entries: Entry[];
  try {
    entries = tokenizeEntries(text);
  } catch (e) {
    if (e instanceof TokenizeError) throw new ZoneParseError(scope.file, e.line, e.message);
    throw e;
  }
  for (const entry of entries) {
    try {
      const first = entry.tokens[0];
      if (!entry.ownerOmitted && !first.quoted && first.text.startsWith('$')) directive(entry, scope, ctx);
      else record(entry, scope, ctx);
    } catch (e) {
      // RdataError, NameError and our own checks all become `file:line: message`.
      if (e instanceof ZoneParseError || !(e instanceof Error)) throw e;
      throw new ZoneParseError(scope.file, entry.line, e.message);
    }
  }
}

/**
 * Like BIND when loading: drop exact duplicates (compared in canonical form) and give every
 * RR of an RRset the TTL of its first RR (RFC 2181 §5.2 requires one TTL per RRset).
 */
function normalize(recs: Rec[]): Rec[] {
  const setTtl = new Map<string, number>();
  const seen = new Set<string>();
  const out: Rec[] = [];
  for (const r of recs) {
    const setKey = `${r.name} ${r.type}`;
    const key = `${setKey} ${canonicalRdata(r.type, r.rdata).toString('hex')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ttl = setTtl.get(setKey);
    if (ttl === undefined) setTtl.set(setKey, r.ttl);
    out.push(ttl === undefined || ttl === r.ttl ? r : { ...r, ttl });
  }
  return out;
}

/** Parse master-file text. Throws ZoneParseError (`file:line: message`). */
export function parseZoneText(text: string, opts: ParseOptions = {}): Rec[] {
  const file = opts.fileName ?? '<zone>';
  let origin: Name | undefined;
  if (opts.origin !== undefined) {
    try { origin = parseName(opts.origin); } catch (e) { throw new ZoneParseError(file, 0, `bad origin: ${(e as Error).message}`); }
  }
  const ctx: Ctx = { ttl: { defaultTtl: undefined, lastTtl: opts.defaultTtl }, out: [], readInclude: opts.readInclude };
  parseInto(text, { file, origin, owner: undefined, depth: 0 }, ctx);
  return normalize(ctx.out);
}

/** Parse a zone file from disk; $INCLUDE paths resolve relative to the including file. */
export function parseZoneFile(path: string, opts: { origin?: Name } = {}): Rec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ZoneParseError(path, 0, `cannot read file: ${(e as Error).message}`);
  }
  return parseZoneText(text, { origin: opts.origin, fileName: path, readInclude: (p) => readFileSync(p, 'utf8') });
}
