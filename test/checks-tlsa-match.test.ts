// The TLSA evaluator on fixed chains (RFC 6698 §2.1, RFC 7671 §5): DANE-EE, DANE-TA with its sent-chain rule, PKIX usages, unusable records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { makeCerts } from './helpers/certs.js';
import { evaluateRecord, tlsaRecord, type MatchContext } from '../server/checks/tlsa-match.js';
import { worstVerdict } from '../server/checks/types.js';

const certs = makeCerts('srv.example.test');
const leaf = new X509Certificate(certs.leafPem);
const ca = new X509Certificate(certs.caPem);
// A second leaf from its own CA: the "replaced key".
const other = makeCerts('srv.example.test');
const otherLeaf = new X509Certificate(other.leafPem);

const spki = (c: X509Certificate) => c.publicKey.export({ type: 'spki', format: 'der' });
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const rec = (text: string) => {
  const [u, s, m, hex] = text.split(' ');
  return tlsaRecord(Buffer.concat([Buffer.from([Number(u), Number(s), Number(m)]), Buffer.from(hex, 'hex')]));
};
const ctx = (chain: X509Certificate[], extra: Partial<MatchContext> = {}): MatchContext => ({ chain, names: ['srv.example.test.'], now: new Date(), ...extra });

test('DANE-EE (3 1 1, 3 0 1, 3 1 2, 3 1 0) matches the leaf and ignores names and expiry', () => {
  for (const r of [`3 1 1 ${sha256(spki(leaf))}`, `3 0 1 ${sha256(leaf.raw)}`, `3 1 2 ${createHash('sha512').update(spki(leaf)).digest('hex')}`, `3 1 0 ${spki(leaf).toString('hex')}`]) {
    const o = evaluateRecord(rec(r), ctx([leaf], { names: ['elsewhere.example.'], now: new Date(Date.now() + 10 * 365 * 86400_000) }));
    assert.equal(o.matched, true, `${r.slice(0, 6)}: ${o.reason}`);
    assert.equal(o.depth, 0);
  }
  assert.equal(evaluateRecord(rec(`3 1 1 ${sha256(spki(otherLeaf))}`), ctx([leaf])).matched, false);
});

test('DANE-TA (2 1 1, 2 0 1) matches an issuer the server sent, with a verified chain and the name', () => {
  const r = rec(`2 1 1 ${sha256(spki(ca))}`);
  const ok = evaluateRecord(r, ctx([leaf, ca]));
  assert.equal(ok.matched, true, ok.reason);
  assert.equal(ok.depth, 1);
  assert.equal(evaluateRecord(rec(`2 0 1 ${sha256(ca.raw)}`), ctx([leaf, ca])).matched, true);
  // RFC 7671 §5.2.2: the anchor must be in the chain the server sent.
  const notSent = evaluateRecord(r, ctx([leaf]));
  assert.equal(notSent.matched, false);
  assert.match(notSent.reason, /no issuer certificate in the sent chain/);
  // A leaf the anchor did not sign, sent with the anchor: the chain does not verify.
  const forged = evaluateRecord(r, ctx([otherLeaf, ca]));
  assert.equal(forged.matched, false);
  assert.match(forged.reason, /not issued by|does not verify/);
  // The name counts under DANE-TA.
  const wrongName = evaluateRecord(r, ctx([leaf, ca], { names: ['other.example.test.'] }));
  assert.equal(wrongName.matched, false);
  assert.match(wrongName.reason, /names none of other\.example\.test/);
  // So does the leaf's expiry.
  const later = evaluateRecord(r, ctx([leaf, ca], { now: new Date(Date.now() + 30 * 86400_000) }));
  assert.equal(later.matched, false);
  assert.match(later.reason, /expired/);
  // A DANE-TA record naming the leaf itself is not a trust anchor match.
  assert.equal(evaluateRecord(rec(`2 1 1 ${sha256(spki(leaf))}`), ctx([leaf, ca])).matched, false);
});

test('PKIX-EE (1) and PKIX-TA (0) need a path to a trusted root, which may come from the local store', () => {
  const roots = [ca];
  assert.equal(evaluateRecord(rec(`1 1 1 ${sha256(spki(leaf))}`), ctx([leaf], { roots })).matched, true);
  assert.equal(evaluateRecord(rec(`0 1 1 ${sha256(spki(ca))}`), ctx([leaf], { roots })).matched, true);
  const untrusted = evaluateRecord(rec(`1 1 1 ${sha256(spki(leaf))}`), ctx([leaf], { roots: [] }));
  assert.equal(untrusted.matched, false);
  assert.match(untrusted.reason, /PKIX validation fails/);
  // Against Node's bundled roots, a private CA never validates.
  assert.equal(evaluateRecord(rec(`1 1 1 ${sha256(spki(leaf))}`), ctx([leaf, ca])).matched, false);
});

test('unusable records (unknown usage, selector or matching type, a digest of the wrong length) never match', () => {
  for (const r of [`4 1 1 ${sha256(spki(leaf))}`, `3 2 1 ${sha256(spki(leaf))}`, `3 1 3 ${sha256(spki(leaf))}`, `3 1 1 ${sha256(spki(leaf)).slice(2)}`]) {
    const o = evaluateRecord(rec(r), ctx([leaf]));
    assert.equal(o.matched, false);
    assert.match(o.reason, /unusable/);
  }
  assert.match(evaluateRecord(rec(`3 1 1 ${sha256(spki(leaf))}`), ctx([])).reason, /no certificate/);
});

test('a service\'s verdict is its worst endpoint\'s', () => {
  assert.equal(worstVerdict(['match', 'match']), 'match');
  assert.equal(worstVerdict(['match', 'mismatch']), 'mismatch');
  assert.equal(worstVerdict(['tls-failed', 'mismatch', 'match']), 'tls-failed');
  assert.equal(worstVerdict(['unreachable', 'starttls-unavailable']), 'unreachable');
});

test('the certificate helper agrees with openssl on the hashes the evaluator uses', () => {
  const der = execFileSync('openssl', ['x509', '-in', join(certs.dir, 'leaf.pem'), '-outform', 'DER']);
  assert.equal(sha256(der), sha256(leaf.raw));
  assert.ok(readFileSync(certs.leafCert, 'utf8').includes('BEGIN CERTIFICATE'));
});
