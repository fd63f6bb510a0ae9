// One probe of one endpoint: TCP connect, the protocol's STARTTLS, a TLS handshake with SNI; what the server offered, bounded in time and memory.
import net from 'node:net';
import tls from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { startTls, StartTlsUnavailable } from './starttls.js';
import { sentChain } from './chain.js';
import type { StartTlsKind, Verdict } from './types.js';

export interface ProbeTarget {
  /** An IP address: probes go only to the endpoints a service names. */
  address: string;
  port: number;
  starttls: StartTlsKind;
  /** The name sent as SNI (RFC 6066 §3): the TLSA base domain (RFC 7673 §4); none when it is an address. */
  sni: string;
  /** XMPP: the service domain for the stream header. */
  domain: string;
}

export interface ProbeLimits {
  connectMs: number;
  totalMs: number;
  /** Octets a server may send before TLS. */
  maxDialogBytes: number;
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = { connectMs: 5000, totalMs: 15_000, maxDialogBytes: 64 * 1024 };

export interface TlsFacts {
  /** As OpenSSL names it: TLSv1.3, TLSv1.2, TLSv1.1, TLSv1. */
  version: string;
  /** The IANA name of the cipher suite where OpenSSL knows it, else OpenSSL's. */
  cipher: string;
  group: string | null;
  aead: boolean;
  forwardSecrecy: boolean;
}

/** What a probe saw. `failure` set: the probe stopped there, with the reason. */
export interface ProbeOutcome {
  failure?: { verdict: Exclude<Verdict, 'match' | 'mismatch'>; reason: string };
  tls?: TlsFacts;
  plaintextAfterStartTls: boolean;
  chain: X509Certificate[];
}

type Stage = 'connect' | 'starttls' | 'tls';
const STAGE_VERDICT = { connect: 'unreachable', starttls: 'starttls-unavailable', tls: 'tls-failed' } as const;

export async function probe(t: ProbeTarget, limits: ProbeLimits = DEFAULT_PROBE_LIMITS): Promise<ProbeOutcome> {
  let stage: Stage = 'connect';
  let socket: net.Socket | undefined;
  let secure: tls.TLSSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<ProbeOutcome>((resolve) => {
    timer = setTimeout(() => {
      secure?.destroy();
      socket?.destroy();
      resolve(failed(STAGE_VERDICT[stage], `no result within ${limits.totalMs / 1000} s (${stage === 'connect' ? 'connecting' : stage === 'starttls' ? 'during STARTTLS' : 'during the TLS handshake'})`));
    }, limits.totalMs);
  });
  const run = async (): Promise<ProbeOutcome> => {
    try {
      socket = await connect(t, limits.connectMs);
    } catch (err) {
      return failed('unreachable', (err as Error).message);
    }
    let plaintextAfterStartTls = false;
    if (t.starttls !== 'none') {
      stage = 'starttls';
      try {
        plaintextAfterStartTls = (await startTls(t.starttls, socket, { domain: t.domain, ehloName: 'daneprime.invalid', maxBytes: limits.maxDialogBytes })).plaintextAfter;
      } catch (err) {
        socket.destroy();
        if (err instanceof StartTlsUnavailable) return failed('starttls-unavailable', err.message);
        throw err;
      }
    }
    stage = 'tls';
    try {
      secure = await handshake(socket, t);
    } catch (err) {
      socket.destroy();
      return failed('tls-failed', `TLS handshake failed: ${(err as Error).message.trim()}`);
    }
    try {
      return { tls: tlsFacts(secure), plaintextAfterStartTls, chain: sentChain(secure) };
    } catch (err) {
      return failed('tls-failed', `the server's certificate chain does not parse: ${(err as Error).message}`);
    } finally {
      // close_notify and FIN rather than a reset, so the server sees an orderly end (a TLS 1.3
      // server may not yet have read our Finished); the socket is destroyed if it lingers.
      const s = secure;
      s.end();
      setTimeout(() => s.destroy(), 2000).unref();
    }
  };
  try {
    return await Promise.race([run(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function failed(verdict: Exclude<Verdict, 'match' | 'mismatch'>, reason: string): ProbeOutcome {
  return { failure: { verdict, reason }, plaintextAfterStartTls: false, chain: [] };
}

function connect(t: ProbeTarget, ms: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: t.address, port: t.port });
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`TCP connect timed out after ${ms / 1000} s`)); }, ms);
    // Later failures surface through the dialog reader or the TLS socket; this keeps a late
    // reset on the raw socket from being an unhandled 'error'.
    s.once('connect', () => { clearTimeout(timer); s.on('error', () => {}); resolve(s); });
    s.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); s.destroy(); reject(new Error(`TCP connect failed: ${e.code ?? e.message}`)); });
  });
}

function handshake(socket: net.Socket, t: ProbeTarget): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      socket,
      servername: net.isIP(t.sni) ? undefined : t.sni.replace(/\.$/, ''),
      // We judge the certificate ourselves (tlsa-match.ts); the empty store keeps Node from
      // appending local roots to the chain we report (chain.ts).
      rejectUnauthorized: false,
      ca: [],
      // See what the server really negotiates, old versions and weak suites included: they are
      // reported as warnings, not refused.
      minVersion: 'TLSv1',
      ciphers: 'ALL:@SECLEVEL=0',
    });
    s.once('secureConnect', () => { s.removeAllListeners('error'); s.on('error', () => {}); resolve(s); });
    s.once('error', (e) => { s.destroy(); reject(e); });
  });
}

function tlsFacts(s: tls.TLSSocket): TlsFacts {
  const version = s.getProtocol() ?? 'unknown';
  const c = s.getCipher();
  const cipher = c.standardName || c.name;
  const key = s.getEphemeralKeyInfo();
  const group = key && 'name' in key && key.name ? key.name : key && 'type' in key && key.type === 'DH' ? `ffdhe${key.size}` : null;
  const tls13 = version === 'TLSv1.3';
  // RFC 8446 suites are all AEAD; before 1.3 the AEAD modes are GCM, CCM and ChaCha20-Poly1305.
  const aead = tls13 || /GCM|CCM|CHACHA20|POLY1305/i.test(`${c.name} ${c.standardName}`);
  // TLS 1.3 always exchanges ephemeral keys; before it, only the (EC)DHE suites do.
  const forwardSecrecy = tls13 || /^(TLS_)?(ECDHE|DHE|EDH)[-_]/i.test(c.standardName || c.name) || /^(ECDHE|DHE|EDH)-/i.test(c.name);
  return { version, cipher, group, aead, forwardSecrecy };
}
