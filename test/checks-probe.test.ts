// The probe against small servers on loopback: STARTTLS per protocol, the chain as sent, and every way a probe can fail without hanging or growing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { makeCerts } from './helpers/certs.js';
import { probe, type ProbeTarget } from '../server/checks/probe.js';

const certs = makeCerts('srv.example.test');
const key = readFileSync(certs.leafKey);
const context = tls.createSecureContext({ key, cert: certs.leafPem + certs.caPem });

/** A TCP server on a loopback port; each connection handled by `onConn`. */
async function server(t: { after(fn: () => unknown): void }, onConn: (s: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); onConn(s); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.after(() => { for (const s of sockets) s.destroy(); srv.close(); });
  return (srv.address() as net.AddressInfo).port;
}

/** Server side of STARTTLS: TLS on the same socket. */
function upgrade(s: net.Socket): void {
  const secure = new tls.TLSSocket(s, { isServer: true, secureContext: context });
  secure.on('error', () => {});
}

/** Lines from the client, one callback each. */
function lines(s: net.Socket, onLine: (line: string) => void): void {
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      onLine(line);
    }
  };
  s.on('data', onData);
  (s as net.Socket & { stopLines?: () => void }).stopLines = () => s.off('data', onData);
}
const stop = (s: net.Socket) => (s as net.Socket & { stopLines?: () => void }).stopLines?.();

const target = (port: number, starttls: ProbeTarget['starttls'] = 'none'): ProbeTarget => ({ address: '127.0.0.1', port, starttls, sni: 'srv.example.test.', domain: 'example.test.' });

test('direct TLS: version, suite, group and the chain as sent, leaf first, nothing appended', async (t) => {
  let sni: string | undefined;
  const srv = tls.createServer({ key, cert: certs.leafPem + certs.caPem, SNICallback: (name, cb) => { sni = name; cb(null, context); } });
  srv.on('tlsClientError', () => {});
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.after(() => srv.close());
  const p = await probe(target((srv.address() as net.AddressInfo).port));
  assert.equal(p.failure, undefined);
  assert.equal(p.tls!.version, 'TLSv1.3');
  assert.equal(p.tls!.aead, true);
  assert.equal(p.tls!.forwardSecrecy, true);
  assert.ok(p.tls!.group, 'a key exchange group');
  assert.equal(sni, 'srv.example.test', 'SNI without the final dot');
  assert.deepEqual(p.chain.map((c) => c.raw), [new X509Certificate(certs.leafPem).raw, new X509Certificate(certs.caPem).raw]);
  // A leaf sent alone stays alone, even where the client's own store holds its issuer.
  const alone = tls.createServer({ key, cert: certs.leafPem });
  alone.on('tlsClientError', () => {});
  await new Promise<void>((r) => alone.listen(0, '127.0.0.1', () => r()));
  t.after(() => alone.close());
  const alonePort = (alone.address() as net.AddressInfo).port;
  const q = await probe(target(alonePort));
  assert.equal(q.chain.length, 1);
  // Why the probe empties its trust store: with the issuer in the client's store, Node's
  // getPeerCertificate(true) reports a chain of two, one of which the server never sent.
  const naive = await new Promise<number>((resolve) => {
    const s = tls.connect({ port: alonePort, host: '127.0.0.1', rejectUnauthorized: false, ca: [certs.caPem] }, () => {
      let n = 0;
      for (let c = s.getPeerCertificate(true); c?.raw; c = c.issuerCertificate) { n++; if (c.issuerCertificate === c) break; }
      s.destroy();
      resolve(n);
    });
    s.on('error', () => {});
  });
  assert.equal(naive, 2);
});

test('TLS 1.2 with RSA key exchange: AEAD, but no forward secrecy; a CBC suite: no AEAD', async (t) => {
  const dir = certs.dir;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'rsa.key'), '-out', join(dir, 'rsa.pem'), '-days', '2', '-subj', '/CN=srv.example.test'], { stdio: 'ignore' });
  for (const [ciphers, aead, fs] of [['AES128-GCM-SHA256', true, false], ['ECDHE-RSA-AES128-SHA', false, true]] as const) {
    const srv = tls.createServer({ key: readFileSync(join(dir, 'rsa.key')), cert: readFileSync(join(dir, 'rsa.pem')), maxVersion: 'TLSv1.2', ciphers: `${ciphers}:@SECLEVEL=0` });
    srv.on('tlsClientError', () => {});
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    t.after(() => srv.close());
    const p = await probe(target((srv.address() as net.AddressInfo).port));
    assert.equal(p.failure, undefined, p.failure?.reason);
    assert.equal(p.tls!.version, 'TLSv1.2');
    assert.equal(p.tls!.aead, aead, p.tls!.cipher);
    assert.equal(p.tls!.forwardSecrecy, fs, p.tls!.cipher);
    assert.equal(p.tls!.group === null, !fs, `group ${p.tls!.group}`);
  }
});

test('SMTP STARTTLS (RFC 3207), and plaintext the server sends after its 220 is a fault', async (t) => {
  for (const inject of [false, true]) {
    const port = await server(t, (s) => {
      s.write('220-mx.example.test ESMTP\r\n220 ready\r\n');
      lines(s, (l) => {
        if (/^EHLO /i.test(l)) s.write('250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
        else if (/^STARTTLS$/i.test(l)) { stop(s); s.write(inject ? '220 go ahead\r\n250 injected\r\n' : '220 go ahead\r\n', () => upgrade(s)); }
      });
    });
    const p = await probe(target(port, 'smtp'));
    assert.equal(p.failure, undefined, p.failure?.reason);
    assert.equal(p.chain.length, 2);
    assert.equal(p.plaintextAfterStartTls, inject);
  }
});

test('SMTP without STARTTLS, and one that refuses it: starttls-unavailable with the reason', async (t) => {
  const none = await server(t, (s) => {
    s.write('220 mx ESMTP\r\n');
    lines(s, (l) => { if (/^EHLO/i.test(l)) s.write('250-mx\r\n250 8BITMIME\r\n'); });
  });
  const a = await probe(target(none, 'smtp'));
  assert.equal(a.failure?.verdict, 'starttls-unavailable');
  assert.match(a.failure!.reason, /does not offer STARTTLS/);
  const refuses = await server(t, (s) => {
    s.write('220 mx ESMTP\r\n');
    lines(s, (l) => { if (/^EHLO/i.test(l)) s.write('250-mx\r\n250 STARTTLS\r\n'); else if (/^STARTTLS/i.test(l)) s.write('454 TLS not available\r\n'); });
  });
  const b = await probe(target(refuses, 'smtp'));
  assert.equal(b.failure?.verdict, 'starttls-unavailable');
  assert.match(b.failure!.reason, /454/);
});

test('XMPP (client and server streams), IMAP and POP3 STARTTLS', async (t) => {
  const headers: string[] = [];
  const xmpp = (ns: string) => server(t, (s) => {
    void ns;
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('<stream:stream') && !seen.includes('#sent')) {
        headers.push(seen);
        seen += '#sent';
        s.write("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='x' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
      }
      if (seen.includes('<starttls')) { s.off('data', onData); s.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", () => upgrade(s)); }
    };
    s.on('data', onData);
  });
  for (const [kind, ns] of [['xmpp-client', 'jabber:client'], ['xmpp-server', 'jabber:server']] as const) {
    const p = await probe(target(await xmpp(ns), kind));
    assert.equal(p.failure, undefined, `${kind}: ${p.failure?.reason}`);
    assert.equal(p.chain.length, 2);
    assert.ok(headers.at(-1)!.includes(`xmlns='${ns}'`) && headers.at(-1)!.includes("to='example.test'"), headers.at(-1));
  }
  const imap = await server(t, (s) => {
    s.write('* OK IMAP4rev1 ready\r\n');
    lines(s, (l) => {
      if (l === 'a1 CAPABILITY') s.write('* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na1 OK done\r\n');
      else if (l === 'a2 STARTTLS') { stop(s); s.write('a2 OK begin TLS\r\n', () => upgrade(s)); }
    });
  });
  assert.equal((await probe(target(imap, 'imap'))).failure, undefined);
  const pop3 = await server(t, (s) => {
    s.write('+OK POP3 ready\r\n');
    lines(s, (l) => {
      if (l === 'CAPA') s.write('+OK\r\nUSER\r\nSTLS\r\n.\r\n');
      else if (l === 'STLS') { stop(s); s.write('+OK begin TLS\r\n', () => upgrade(s)); }
    });
  });
  assert.equal((await probe(target(pop3, 'pop3'))).failure, undefined);
});

test('a 10 MB greeting fails the dialog after 64 KiB, without buffering the rest', async (t) => {
  const port = await server(t, (s) => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const pump = () => { while (sent < 10 * 1024 * 1024) { sent += chunk.length; if (!s.write(chunk)) { s.once('drain', pump); return; } } };
    pump();
  });
  const before = process.memoryUsage().rss;
  const p = await probe(target(port, 'smtp'));
  assert.equal(p.failure?.verdict, 'starttls-unavailable');
  assert.match(p.failure!.reason, /more than 65536 octets/);
  assert.ok(process.memoryUsage().rss - before < 8 * 1024 * 1024, 'memory stays bounded');
});

test('a server that never answers: the probe gives up within its bound, at the stage it reached', async (t) => {
  const port = await server(t, () => {});
  const limits = { connectMs: 1000, totalMs: 1500, maxDialogBytes: 65536 };
  const t0 = Date.now();
  const smtp = await probe(target(port, 'smtp'), limits);
  assert.equal(smtp.failure?.verdict, 'starttls-unavailable');
  assert.match(smtp.failure!.reason, /no result within 1\.5 s \(during STARTTLS\)/);
  const direct = await probe(target(port), limits);
  assert.equal(direct.failure?.verdict, 'tls-failed');
  assert.match(direct.failure!.reason, /during the TLS handshake/);
  assert.ok(Date.now() - t0 < 4000);
});

test('a malformed certificate: tls-failed with the reason', async (t) => {
  // A TLS 1.2 ServerHello, then a Certificate message whose one certificate is 16 octets of junk.
  const port = await server(t, (s) => {
    s.once('data', () => {
      // version, random, no session id, ECDHE-ECDSA-AES128-GCM-SHA256, no compression, renegotiation_info (RFC 5746).
      const hello = Buffer.concat([Buffer.from([0x03, 0x03]), Buffer.alloc(32, 7), Buffer.from([0x00, 0xc0, 0x2b, 0x00, 0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00])]);
      const junk = Buffer.alloc(16, 0x30);
      const certList = Buffer.concat([u24(junk.length), junk]);
      const certMsg = Buffer.concat([u24(certList.length), certList]);
      s.write(Buffer.concat([record(handshake(2, hello)), record(handshake(11, certMsg))]));
    });
  });
  const p = await probe(target(port));
  assert.equal(p.failure?.verdict, 'tls-failed');
  assert.match(p.failure!.reason, /TLS handshake failed: .*asn1/i);
});

test('a closed port: unreachable', async () => {
  const port = await new Promise<number>((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => r(p)); }); });
  const p = await probe(target(port));
  assert.equal(p.failure?.verdict, 'unreachable');
  assert.match(p.failure!.reason, /ECONNREFUSED/);
});

function u24(n: number): Buffer { return Buffer.from([(n >> 16) & 255, (n >> 8) & 255, n & 255]); }
function handshake(type: number, body: Buffer): Buffer { return Buffer.concat([Buffer.from([type]), u24(body.length), body]); }
function record(body: Buffer): Buffer { return Buffer.concat([Buffer.from([0x16, 0x03, 0x03, body.length >> 8, body.length & 255]), body]); }
