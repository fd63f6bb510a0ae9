// The NSEC3 hash's SHA-1 (signer/nsec3-sha1.ts): the addon, when built, gives node:crypto's digest for every input length; CI requires the addon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { nativeSha1, sha1Input, sha1OfInput, sha1OfInputByCrypto } from '../signer/nsec3-sha1.js';
import { nsec3HashString } from '../signer/nsec3.js';
import { nameToWire } from '../zones/model/name.js';
import { requirePresent } from './helpers/tools.js';

const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest().toString('latin1');

test('the SHA-1 addon is built and loaded (CI requires it: random-label answers lean on it)', (t) => {
  requirePresent(nativeSha1.available, `SHA-1 addon not built: ${nativeSha1.reason}`, t);
});

test('sha1OfInput and its node:crypto fallback: the digest of every length the input holds, 0 to 512 octets', () => {
  for (let n = 0; n <= 512; n++) {
    const msg = randomBytes(n);
    msg.copy(sha1Input, 0);
    assert.equal(sha1OfInput(n), sha1(msg), `length ${n}`);
    assert.equal(sha1OfInputByCrypto(n), sha1(msg), `length ${n}, fallback`);
  }
});

test('sha1OfInput: a length past the input is refused, not clamped', (t) => {
  if (!requirePresent(nativeSha1.available, `SHA-1 addon not built: ${nativeSha1.reason}`, t)) return;
  assert.throws(() => sha1OfInput(513), RangeError);
  assert.throws(() => sha1OfInput(-1), RangeError);
});

test('nsec3HashString: RFC 5155 §5 over the lowercase wire name and salt, iterated, as node:crypto computes it', () => {
  const reference = (name: string, salt: Buffer, iterations: number): string => {
    let d = createHash('sha1').update(Buffer.concat([nameToWire(name), salt])).digest();
    for (let i = 0; i < iterations; i++) d = createHash('sha1').update(Buffer.concat([d, salt])).digest();
    return d.toString('latin1');
  };
  const cases: [string, Buffer, number][] = [
    ['example.com.', Buffer.alloc(0), 0],
    ['.', Buffer.alloc(0), 0],
    ['*.example.com.', Buffer.alloc(0), 0],
    ['a.b.c.d.e.f.g.example.com.', Buffer.from('aabbccdd', 'hex'), 12],
    // The longest name (255 octets) with the longest salt: the input's whole 510 octets.
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.`, randomBytes(255), 3],
  ];
  for (let i = 0; i < 200; i++) cases.push([`${randomBytes(6).toString('hex')}.h${i}.example.com.`, randomBytes(i % 9), i % 4]);
  for (const [name, salt, it] of cases) assert.equal(nsec3HashString(name, salt, it), reference(name, salt, it), `${name} salt ${salt.length} iterations ${it}`);
});
