// E2E DNS clients: raw UDP/TCP with dns-packet, and kdig (+json, RFC 8427) / dig (text) wrappers normalised to one shape.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { buildQuery, decode, type Reply, type AskOptions } from './dns.js';

/** What the e2e tests compare: rcode, AA, and the answer/authority sections as sorted "owner TTL TYPE rdata" strings. */
export interface Answer {
  rcode: string;
  aa: boolean;
  tc: boolean;
  id: number;
  answer: string[];
  authority: string[];
  additional: string[];
  raw: string;
}

/** "owner TYPE" for each record, for compact assertions. */
export const ownerTypes = (rrs: string[]): string[] => rrs.map((r) => { const f = r.split(/\s+/); return `${f[0]} ${f[2]}`; });

const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

export interface ToolOptions { tcp?: boolean; timeoutMs?: number }

function run(cmd: string, args: string[], timeoutMs: number): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

interface JsonRR { NAME: string; TYPE: number; TYPEname?: string; TTL: number; RDATAHEX?: string }

/**
 * kdig +json. Records come out as "owner TTL TYPE HEX" (RDATAHEX: the uncompressed wire RDATA), which makes
 * answers from two different servers directly comparable.
 */
export function kdig(host: string, port: number, name: string, type: string, o: ToolOptions = {}): Answer {
  const args = [`@${host}`, '-p', String(port), name, type, '+json', '+retry=0', '+time=2', '+norecurse'];
  if (o.tcp) args.push('+tcp');
  const raw = run('kdig', args, o.timeoutMs ?? 5000);
  const j = JSON.parse(raw) as Record<string, unknown>;
  const rr = (key: string) => ((j[key] as JsonRR[] | undefined) ?? [])
    .filter((r) => r.TYPE !== 41)
    .map((r) => `${r.NAME.toLowerCase()} ${r.TTL} ${r.TYPEname ?? 'TYPE' + r.TYPE} ${r.RDATAHEX ?? ''}`.trim())
    .sort();
  return {
    rcode: RCODES[j.RCODE as number] ?? `RCODE${j.RCODE}`,
    aa: j.AA === 1, tc: j.TC === 1, id: j.ID as number,
    answer: rr('answerRRs'), authority: rr('authorityRRs'), additional: rr('additionalRRs'), raw,
  };
}

/** dig +noall +comments +answer +authority +additional, parsed. Records are "owner TTL TYPE rdata…" with single spaces. */
export function dig(host: string, port: number, name: string, type: string, o: ToolOptions = {}): Answer {
  const args = [`@${host}`, '-p', String(port), name, type, '+noall', '+comments', '+answer', '+authority', '+additional',
    '+tries=1', '+time=2', '+norecurse', '+nocookie', '+nosplit'];
  if (o.tcp) args.push('+tcp');
  const raw = run('dig', args, o.timeoutMs ?? 5000);
  const header = /status: (\w+), id: (\d+)/.exec(raw);
  const flags = /;; flags:([^;]*);/.exec(raw);
  if (!header || !flags) throw new Error(`cannot parse dig output:\n${raw}`);
  const sections: Record<string, string[]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
  let cur: string[] | undefined;
  for (const line of raw.split('\n')) {
    const s = /^;; (\w+) SECTION:/.exec(line);
    if (s) { cur = sections[s[1]]; continue; }
    if (!line.trim() || line.startsWith(';')) { if (!line.trim()) cur = undefined; continue; }
    if (!cur) continue;
    const f = line.trim().split(/\s+/);
    // owner TTL CLASS TYPE rdata…
    cur.push([f[0].toLowerCase(), f[1], ...f.slice(3)].join(' '));
  }
  const fl = flags[1].trim().split(/\s+/);
  return {
    rcode: header[1], id: Number(header[2]), aa: fl.includes('aa'), tc: fl.includes('tc'),
    answer: sections.ANSWER.sort(), authority: sections.AUTHORITY.sort(), additional: sections.ADDITIONAL.sort(), raw,
  };
}

/** One UDP query with dns-packet; rejects after timeoutMs. */
export function udpAsk(host: string, port: number, name: string, type: string, o: AskOptions & { timeoutMs?: number } = {}): Promise<Reply> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const id = o.id ?? Math.floor(Math.random() * 65536);
  return new Promise<Reply>((resolve, reject) => {
    const timer = setTimeout(() => { sock.close(); reject(new Error(`no UDP reply from ${host}:${port} for ${name} ${type}`)); }, o.timeoutMs ?? 2000);
    sock.on('message', (msg) => {
      const r = decode(msg);
      if (r.id !== id) return;
      clearTimeout(timer);
      sock.close();
      resolve(r);
    });
    sock.on('error', (err) => { clearTimeout(timer); sock.close(); reject(err); });
    sock.send(buildQuery(name, type, { ...o, id }), port, host);
  });
}

/** Prefix a DNS message with its 2-byte length (RFC 1035 §4.2.2). */
export function frame(msg: Buffer): Buffer {
  const b = Buffer.alloc(2 + msg.length);
  b.writeUInt16BE(msg.length, 0);
  msg.copy(b, 2);
  return b;
}

/** A TCP connection that collects length-framed replies. */
export class TcpClient {
  readonly sock: net.Socket;
  private buf = Buffer.alloc(0);
  private replies: Reply[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  readonly closedAt: Promise<number>;

  private constructor(sock: net.Socket) {
    this.sock = sock;
    sock.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 2 && this.buf.length >= 2 + this.buf.readUInt16BE(0)) {
        const len = this.buf.readUInt16BE(0);
        this.replies.push(decode(Buffer.from(this.buf.subarray(2, 2 + len))));
        this.buf = this.buf.subarray(2 + len);
      }
      this.wake();
    });
    sock.on('error', () => { /* reported through close */ });
    this.closedAt = new Promise((resolve) => sock.once('close', () => { this.closed = true; this.wake(); resolve(Date.now()); }));
  }

  static connect(host: string, port: number, timeoutMs = 2000): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port, noDelay: true });
      const timer = setTimeout(() => { sock.destroy(); reject(new Error('TCP connect timeout')); }, timeoutMs);
      sock.once('connect', () => { clearTimeout(timer); resolve(new TcpClient(sock)); });
      sock.once('error', (err) => { clearTimeout(timer); reject(err); });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(b: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.sock.write(b, (err) => (err ? reject(err) : resolve())));
  }

  /** Wait for n replies in total (or the connection to close, or the timeout). */
  async waitReplies(n: number, timeoutMs = 2000): Promise<Reply[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < n && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    return this.replies.slice();
  }

  destroy(): void { this.sock.destroy(); }
}
