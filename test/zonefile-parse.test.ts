// Master-file syntax: directives, TTL rules, escapes, errors as `file:line: message`, and write→parse round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZoneParseError, parseZoneFile, parseZoneText } from '../zones/io/zonefile-parse.js';
import { writeZoneText } from '../zones/io/zonefile-write.js';
import { tokenize } from '../zones/io/tokenize.js';
import { rdataToText } from '../zones/model/rdata/index.js';
import { typeToText, type Rec } from '../zones/model/types.js';

const show = (recs: Rec[]): string[] => recs.map((r) => `${r.name} ${r.ttl} ${typeToText(r.type)} ${rdataToText(r.type, r.rdata)}`);
const parse = (text: string, origin?: string): string[] => show(parseZoneText(text, { origin, fileName: 'z' }));
const fails = (text: string, message: string, opts: { origin?: string } = { origin: 'example.com.' }): void => {
  assert.throws(() => parseZoneText(text, { ...opts, fileName: 'z' }), (e: unknown) => e instanceof ZoneParseError && e.message === message, message);
};

test('$ORIGIN, @, relative names, omitted owner, parentheses and comments', () => {
  assert.deepEqual(parse([
    '$ORIGIN example.com.',
    '$TTL 300',
    '@ IN SOA ns1 host.master ( 1 ; serial',
    '  2 3 4 5 ) ; end',
    '  NS ns1 ; owner repeated',
    'www A 192.0.2.1',
    '$ORIGIN sub.example.com.',
    'x A 192.0.2.2',
  ].join('\n')), [
    'example.com. 300 SOA ns1.example.com. host.master.example.com. 1 2 3 4 5',
    'example.com. 300 NS ns1.example.com.',
    'www.example.com. 300 A 192.0.2.1',
    'x.sub.example.com. 300 A 192.0.2.2',
  ]);
});

test('TTL and class in either order, TTL units, CLASS1/TYPEnnn', () => {
  assert.deepEqual(parse([
    'a 1h IN A 192.0.2.1',
    'b IN 1w2d3h4m5s A 192.0.2.2',
    'c CLASS1 TYPE1 192.0.2.3',
    'd 1H30M TYPE65280 \\# 1 ff',
  ].join('\n'), 'example.com.'), [
    'a.example.com. 3600 A 192.0.2.1',
    'b.example.com. 788645 A 192.0.2.2',
    'c.example.com. 788645 A 192.0.2.3',
    'd.example.com. 5400 TYPE65280 \\# 1 FF',
  ]);
});

test('TTL defaulting follows BIND: $TTL, else previous TTL, else SOA minimum', () => {
  assert.deepEqual(parse('@ SOA ns h 1 2 3 4 77\na A 192.0.2.1\nb 10 A 192.0.2.2\nc A 192.0.2.3', 'example.com.'), [
    'example.com. 77 SOA ns.example.com. h.example.com. 1 2 3 4 77',
    'a.example.com. 77 A 192.0.2.1',
    'b.example.com. 10 A 192.0.2.2',
    // The SOA minimum became the default, as BIND does, so it wins over the previous explicit TTL.
    'c.example.com. 77 A 192.0.2.3',
  ]);
  assert.deepEqual(parse('a 10 A 192.0.2.1\nb A 192.0.2.2\n$TTL 20\nc A 192.0.2.3', 'example.com.'), [
    'a.example.com. 10 A 192.0.2.1', 'b.example.com. 10 A 192.0.2.2', 'c.example.com. 20 A 192.0.2.3',
  ]);
  assert.deepEqual(show(parseZoneText('a A 192.0.2.1', { origin: 'example.com.', defaultTtl: 42 })), ['a.example.com. 42 A 192.0.2.1']);
  fails('a A 192.0.2.1', 'z:1: no TTL specified and no $TTL or earlier TTL to use');
});

test('RRset TTLs unified to the first, duplicates dropped (BIND behaviour)', () => {
  assert.deepEqual(parse('$TTL 5\na 10 A 192.0.2.1\na 20 A 192.0.2.2\na A 192.0.2.1', 'example.com.'), [
    'a.example.com. 10 A 192.0.2.1', 'a.example.com. 10 A 192.0.2.2',
  ]);
});

test('escapes in names and strings', () => {
  assert.deepEqual(parse('$TTL 1\nesc\\.dot A 192.0.2.1\n\\065bc A 192.0.2.2\nt TXT "a\\"b" \\059semi "\\195\\169"\nx CNAME Mixed\\046Case', 'example.com.'), [
    'esc\\.dot.example.com. 1 A 192.0.2.1',
    'abc.example.com. 1 A 192.0.2.2',
    't.example.com. 1 TXT "a\\"b" ";semi" "\\195\\169"',
    'x.example.com. 1 CNAME Mixed\\.Case.example.com.',
  ]);
});

test('owner names are lowercased, RDATA names keep case', () => {
  assert.deepEqual(parse('$TTL 1\nWWW.Example.COM. MX 1 MAIL.example.com.'), ['www.example.com. 1 MX 1 MAIL.example.com.']);
});

test('errors carry file:line of the record start', () => {
  fails('$TTL 1\na A 192.0.2.1\nb TLSA ( 3 1 1\n ab )', 'z:3: TLSA matching type 1 needs 32 bytes of data, got 1');
  fails('$TTL 1\na CH TXT "x"', 'z:2: class CH is not supported (only IN)');
  fails('$TTL 1\na HS A 1.2.3.4', 'z:2: class HS is not supported (only IN)');
  fails('$TTL 1\na IN FOO 1', "z:2: unknown RR type 'FOO'");
  fails('$TTL 1\n\na ( A\n 192.0.2.1', "z:3: unbalanced '(': end of input inside parentheses");
  fails('$TTL 1\na A 192.0.2.1 )', "z:2: unbalanced ')'");
  fails('$TTL 1\na TXT "open\n', 'z:2: unterminated quoted string');
  fails('  A 192.0.2.1', 'z:1: no owner name: the first record must not start with blank space');
  fails('$TTL 99999999999', "z:1: bad TTL '99999999999' (0-2147483647, units w d h m s)");
  fails('$TTL 1\na 1x A 192.0.2.1', "z:2: bad TTL '1x' (0-2147483647, units w d h m s)");
  fails('$FOO bar', 'z:1: unknown directive $FOO');
  fails('$GENERATE 1-2 a$ A 1.2.3.$', 'z:1: $GENERATE is not supported');
  fails('$INCLUDE other', 'z:1: $INCLUDE is not allowed here');
  fails('$TTL 1\na..b A 192.0.2.1', 'z:2: empty label in "a..b.example.com."');
  fails('$TTL 1\na A', 'z:2: A address: missing');
  fails('$TTL 1\nwww A 192.0.2.1', "z:2: relative owner name 'www' but no origin: add $ORIGIN or pass an origin", {});
  fails('$TTL 1\nwww.example. NS ns', "z:2: A address: missing".replace(/.*/, "z:2: NS nsdname: relative name 'ns' but no origin is known"), {});
});

test('no origin is fine when every name is absolute', () => {
  assert.deepEqual(parse('$TTL 1\nwww.example. NS ns.example.'), ['www.example. 1 NS ns.example.']);
});

test('$INCLUDE: relative to the including file, origin argument, origin and owner revert, depth limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dp-inc-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'main.zone'), '$ORIGIN example.com.\n$TTL 60\nfirst A 192.0.2.1\n$INCLUDE sub/a.inc\n  A 192.0.2.9\nlast A 192.0.2.2\n$INCLUDE sub/b.inc other.example.\nend A 192.0.2.3\n');
    // a.inc includes its sibling by a path relative to itself, and changes $ORIGIN locally.
    writeFileSync(join(dir, 'sub', 'a.inc'), 'ina A 192.0.2.4\n$INCLUDE b.inc\n$ORIGIN elsewhere.\nz A 192.0.2.5\n');
    writeFileSync(join(dir, 'sub', 'b.inc'), '@ A 192.0.2.6\n');
    assert.deepEqual(show(parseZoneFile(join(dir, 'main.zone'))), [
      'first.example.com. 60 A 192.0.2.1',
      'ina.example.com. 60 A 192.0.2.4',
      'example.com. 60 A 192.0.2.6',
      'z.elsewhere. 60 A 192.0.2.5',
      'first.example.com. 60 A 192.0.2.9',
      'last.example.com. 60 A 192.0.2.2',
      'other.example. 60 A 192.0.2.6',
      'end.example.com. 60 A 192.0.2.3',
    ]);
    writeFileSync(join(dir, 'loop.zone'), '$TTL 1\n$INCLUDE loop.zone\n');
    assert.throws(() => parseZoneFile(join(dir, 'loop.zone'), { origin: 'example.com.' }), /loop\.zone:2: \$INCLUDE nested deeper than 10/);
    writeFileSync(join(dir, 'bad.zone'), '$TTL 1\n$INCLUDE sub/bad.inc\n');
    writeFileSync(join(dir, 'sub', 'bad.inc'), '\n\nx A 300.1.1.1\n');
    assert.throws(() => parseZoneFile(join(dir, 'bad.zone'), { origin: 'example.com.' }),
      (e: unknown) => e instanceof ZoneParseError && e.message === `${join(dir, 'sub', 'bad.inc')}:3: A address: '300.1.1.1' is not an IPv4 address`);
    assert.throws(() => parseZoneFile(join(dir, 'missing.zone')), /missing\.zone:0: cannot read file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tokenizer keeps escapes raw and splices key="quoted value"', () => {
  assert.deepEqual(tokenize('a\\ b "c d" key="x y";c\n'), [
    { text: 'a\\ b', quoted: false }, { text: 'c d', quoted: true }, { text: 'key=x y', quoted: false },
  ]);
  assert.deepEqual(tokenize('""'), [{ text: '', quoted: true }]);
});

test('writeZoneText: SOA first, canonical order, round trip', () => {
  const text = [
    '$ORIGIN example.com.', '$TTL 300',
    'z A 192.0.2.1', 'a MX 10 b', 'a A 192.0.2.2', 'a A 192.0.2.1', '@ NS ns', '@ SOA ns h 1 2 3 4 5',
    '*.w TXT "star"', 'b.a TXT "x y" z', 'q TYPE65280 \\# 2 0102', 's HTTPS 1 . alpn=h2 ech=AEP+DQA/',
  ].join('\n');
  const recs = parseZoneText(text, {});
  const out = writeZoneText('example.com.', recs);
  assert.equal(out.split('\n')[0], 'example.com.\t300\tIN\tSOA\tns.example.com. h.example.com. 1 2 3 4 5');
  assert.deepEqual(out.trim().split('\n').map((l) => l.split('\t').slice(0, 4).join(' ')), [
    'example.com. 300 IN SOA', 'example.com. 300 IN NS', 'a.example.com. 300 IN A', 'a.example.com. 300 IN A',
    'a.example.com. 300 IN MX', 'b.a.example.com. 300 IN TXT', 'q.example.com. 300 IN TYPE65280', 's.example.com. 300 IN HTTPS',
    '*.w.example.com. 300 IN TXT', 'z.example.com. 300 IN A',
  ]);
  const again = parseZoneText(out, {});
  const key = (rs: Rec[]): string[] => rs.map((r) => `${r.name} ${r.ttl} ${r.type} ${r.rdata.toString('hex')}`).sort();
  assert.deepEqual(key(again), key(recs));
  assert.equal(writeZoneText('example.com.', again), out, 'writer output is a fixed point');
});

test('tokenizer entries: one per logical line, with start line and omitted-owner flag', async () => {
  const { tokenizeEntries } = await import('../zones/io/tokenize.js');
  const es = tokenizeEntries('a A 1\n\n  ; only comment\n  B ( x\n y )\n');
  assert.deepEqual(es.map((e) => [e.line, e.ownerOmitted, e.tokens.map((x) => x.text).join(' ')]), [
    [1, false, 'a A 1'], [4, true, 'B x y'],
  ]);
});
