// Names the NSEC3 proofs are built from (RFC 5155 §1.3, §7.2.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextCloser } from '../signer/nsec3-chain.js';

test('nextCloser: the query name cut to one label below its closest encloser, escaped dots included', () => {
  const cases: [string, string, string][] = [
    ['a.example.com.', 'example.com.', 'a.example.com.'],
    ['a.b.c.example.com.', 'example.com.', 'c.example.com.'],
    ['a.b.c.example.com.', 'c.example.com.', 'b.c.example.com.'],
    ['x.y.', '.', 'y.'],
    ['y.', '.', 'y.'],
    // A dot escaped inside a label is no label boundary.
    ['a.b\\.c.example.com.', 'example.com.', 'b\\.c.example.com.'],
    ['a\\.b.example.com.', 'example.com.', 'a\\.b.example.com.'],
    ['a.b\\\\.example.com.', 'example.com.', 'b\\\\.example.com.'],
  ];
  for (const [qname, encloser, want] of cases) assert.equal(nextCloser(qname, encloser), want, `${qname} below ${encloser}`);
});
