// STARTTLS per protocol: the plaintext dialog that leads to a TLS handshake on the same connection (SMTP, XMPP, IMAP, POP3).
import type { Socket } from 'node:net';
import { DialogError, DialogReader } from './reader.js';
import type { StartTlsKind } from './types.js';

/** The server does not offer STARTTLS, or refused it: the reason in words. */
export class StartTlsUnavailable extends Error {}

export interface StartTlsOptions {
  /** XMPP: the service domain, the stream header's `to` (RFC 6120 §4.7.2; RFC 7712 §3). */
  domain: string;
  /** SMTP: the name we give in EHLO. */
  ehloName: string;
  /** Octets the server may send before TLS, in total. */
  maxBytes: number;
}

export interface StartTlsOutcome {
  /** The server sent more plaintext after its go-ahead: a fault (the CVE-2011-0411 class of injection). */
  plaintextAfter: boolean;
}

/** Run the protocol's STARTTLS dialog on a connected socket; afterwards the socket is ready for the TLS handshake. */
export async function startTls(kind: Exclude<StartTlsKind, 'none'>, socket: Socket, o: StartTlsOptions): Promise<StartTlsOutcome> {
  const r = new DialogReader(socket, o.maxBytes);
  try {
    await DIALECTS[kind](r, o);
    return { plaintextAfter: r.pending() > 0 };
  } catch (err) {
    if (err instanceof DialogError) throw new StartTlsUnavailable(err.message);
    throw err;
  } finally {
    r.detach();
  }
}

const firstLine = (text: string) => JSON.stringify(text.trim().split(/\r?\n/)[0].slice(0, 200));

/** One SMTP reply (RFC 5321 §4.2.1): lines up to the one whose code is followed by a space or the line end. */
const smtpReply = (r: DialogReader) => r.until(/^\d{3}(?:[ \t][^\n]*)?\r?\n/m);

/** RFC 3207: greeting, EHLO, STARTTLS in the extensions, `STARTTLS`, 220. */
async function smtp(r: DialogReader, o: StartTlsOptions): Promise<void> {
  const greeting = await smtpReply(r);
  if (!greeting.startsWith('220')) throw new StartTlsUnavailable(`SMTP greeting is not 220: ${firstLine(greeting)}`);
  r.write(`EHLO ${o.ehloName}\r\n`);
  const ehlo = await smtpReply(r);
  if (!ehlo.startsWith('250')) throw new StartTlsUnavailable(`EHLO refused: ${firstLine(ehlo)}`);
  if (!/^250[- ]STARTTLS\s*$/im.test(ehlo)) throw new StartTlsUnavailable('the server does not offer STARTTLS in its EHLO reply');
  r.write('STARTTLS\r\n');
  const go = await smtpReply(r);
  if (!go.startsWith('220')) throw new StartTlsUnavailable(`STARTTLS refused: ${firstLine(go)}`);
}

/** RFC 6120 §5.4: stream header, <starttls/> among the features, <starttls/>, <proceed/>. */
function xmpp(ns: 'jabber:client' | 'jabber:server') {
  return async (r: DialogReader, o: StartTlsOptions): Promise<void> => {
    const dialback = ns === 'jabber:server' ? " xmlns:db='jabber:server:dialback'" : '';
    r.write(`<?xml version='1.0'?><stream:stream to='${xmlAttr(o.domain.replace(/\.$/, ''))}' version='1.0' xml:lang='en' xmlns='${ns}'${dialback} xmlns:stream='http://etherx.jabber.org/streams'>`);
    const features = await r.until(/<\/stream:features>|<stream:features[^>]*\/>|<\/stream:error>|<\/stream:stream>/);
    if (/<stream:error/.test(features)) throw new StartTlsUnavailable(`stream error: ${streamError(features)}`);
    if (!/<stream:features/.test(features)) throw new StartTlsUnavailable('the stream ended before its features');
    if (!/<starttls[\s/>]/.test(features)) throw new StartTlsUnavailable('the stream features do not offer <starttls/>');
    r.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    const answer = await r.until(/<proceed[^>]*\/>|<\/proceed>|<failure[^>]*\/>|<\/failure>|<\/stream:stream>/);
    if (!/<proceed/.test(answer)) throw new StartTlsUnavailable('the server answered <starttls/> with <failure/>');
  };
}

function streamError(text: string): string {
  return /<stream:error>\s*<([a-z-]+)/.exec(text)?.[1] ?? 'unknown';
}

function xmlAttr(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** RFC 3501 §6.2.1 (and RFC 9051): greeting, CAPABILITY with STARTTLS, `STARTTLS`, tagged OK. */
async function imap(r: DialogReader): Promise<void> {
  const greeting = await r.until(/^\*[^\n]*\n/m);
  if (!/^\* (OK|PREAUTH)/i.test(greeting)) throw new StartTlsUnavailable(`IMAP greeting is not OK: ${firstLine(greeting)}`);
  r.write('a1 CAPABILITY\r\n');
  const caps = await r.until(/^a1 [^\n]*\n/m);
  if (!/^a1 OK/im.test(caps)) throw new StartTlsUnavailable(`CAPABILITY refused: ${firstLine(caps.split(/^a1 /m).at(-1) ?? caps)}`);
  if (!/\bSTARTTLS\b/i.test(greeting + caps)) throw new StartTlsUnavailable('the server does not list STARTTLS among its capabilities');
  r.write('a2 STARTTLS\r\n');
  const go = await r.until(/^a2 [^\n]*\n/m);
  if (!/^a2 OK/im.test(go)) throw new StartTlsUnavailable(`STARTTLS refused: ${firstLine(go)}`);
}

/** RFC 2595 §4 (POP3 STLS) with RFC 2449 CAPA: greeting, CAPA with STLS, `STLS`, +OK. */
async function pop3(r: DialogReader): Promise<void> {
  const greeting = await r.until(/^[^\n]*\n/);
  if (!greeting.startsWith('+OK')) throw new StartTlsUnavailable(`POP3 greeting is not +OK: ${firstLine(greeting)}`);
  r.write('CAPA\r\n');
  const status = await r.until(/^[^\n]*\n/);
  const caps = status.startsWith('+OK') ? await r.until(/^\.\r?\n/m) : '';
  if (!/^STLS\s*$/im.test(caps)) throw new StartTlsUnavailable('the server does not list STLS in CAPA');
  r.write('STLS\r\n');
  const go = await r.until(/^[^\n]*\n/);
  if (!go.startsWith('+OK')) throw new StartTlsUnavailable(`STLS refused: ${firstLine(go)}`);
}

const DIALECTS: Record<Exclude<StartTlsKind, 'none'>, (r: DialogReader, o: StartTlsOptions) => Promise<void>> = {
  smtp, imap, pop3, 'xmpp-client': xmpp('jabber:client'), 'xmpp-server': xmpp('jabber:server'),
};
