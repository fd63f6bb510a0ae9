// Test helpers: build queries with dns-packet, run them through the in-process query path, decode replies.
import * as packet from 'dns-packet';
import { Store } from '../../zones/store/sqlite.js';
import type { Registry } from '../../zones/registry.js';
import { parseZoneText } from '../../zones/io/zonefile-parse.js';
import type { CommitPipeline, CommitResult, RRsetEdit } from '../../zones/commit.js';
import { hostZones } from '../../server/zone-host.js';
import { handleMessage, type QueryContext } from '../../server/query/handle.js';
import type { Responder, ReplyStream, Transport } from '../../server/query/responder.js';
import { RRsetWireCache } from '../../server/wire/rr-wire.js';
import { FastPath } from '../../server/query/fast/fast-path.js';
import type { Name } from '../../zones/model/name.js';
import type { DnssecService, DnssecOptions } from '../../signer/service.js';
import { initialKeys } from '../../signer/keystore-sqlite.js';

export interface AskOptions {
  dnssecOk?: boolean;
  /** EDNS UDP size; undefined with edns false sends no OPT. */
  udpSize?: number;
  edns?: boolean;
  tcp?: boolean;
  id?: number;
}

export interface TestServer {
  store: Store;
  zones: Registry;
  dnssec: DnssecService;
  /** The commit pipeline the zones change through, as in `serve`. */
  pipeline: CommitPipeline;
  /** RRset edits through the pipeline, at the injected clock. */
  edit(apex: Name, edits: readonly RRsetEdit[]): CommitResult;
  ctx: QueryContext;
  /** The context's fast path, as built (its reply cache and missing-name replies are observable). */
  fast: FastPath;
  /** The injected clock (unix seconds) the context answers with; tests move it. */
  clock: { now: number };
}

/**
 * The in-process query path over an in-memory store holding the given zones (zone file
 * texts keyed by origin). Zones are signed (KSK+ZSK) unless `signed: false`.
 */
export function zonesFromText(texts: Record<string, string>, opts: { now?: number; signed?: boolean; csk?: boolean; settings?: object; dnssec?: DnssecOptions } = {}): TestServer {
  const clock = { now: opts.now ?? 1_800_000_000 };
  const store = new Store(':memory:');
  const { zones, dnssec, pipeline } = hostZones(store, { serving: true, now: () => clock.now, dnssec: opts.dnssec });
  for (const [origin, text] of Object.entries(texts)) {
    const apex = origin.endsWith('.') ? origin : origin + '.';
    pipeline.commit({
      kind: 'import', apex, records: parseZoneText(text, { origin: apex, fileName: apex }),
      settings: { signed: opts.signed ?? true, ...(opts.settings ?? {}) }, makeKeys: () => initialKeys(clock.now, !!opts.csk),
    }, TEST_ACTOR);
  }
  const fast = new FastPath();
  const ctx: QueryContext = { zones, dnssec, now: () => clock.now, wire: new RRsetWireCache(), fastPath: fast };
  const edit = (apex: Name, edits: readonly RRsetEdit[]) => pipeline.commit({ kind: 'edit', apex, edits, action: 'test.edit' }, TEST_ACTOR);
  return { store, zones, dnssec, pipeline, edit, ctx, fast, clock };
}

/** Give `s` a fresh fast path (a reply cache of these bounds): what its context answers with from now on. */
export function withFastPath(s: TestServer, bounds: ConstructorParameters<typeof FastPath>[0]): FastPath {
  s.fast = new FastPath(bounds);
  s.ctx.fastPath = s.fast;
  return s.fast;
}

export const TEST_ACTOR = { tokenId: null, label: 'test' };

export function buildQuery(name: string, type: string, o: AskOptions = {}): Buffer {
  const edns = o.edns ?? (o.udpSize !== undefined || o.dnssecOk === true);
  return packet.encode({
    type: 'query', id: o.id ?? 4242, flags: packet.RECURSION_DESIRED,
    questions: [{ name, type: type as packet.RecordType, class: 'IN' }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: o.udpSize ?? 1232, flags: o.dnssecOk ? packet.DNSSEC_OK : 0, options: [] } as unknown as packet.Answer] : [],
  });
}

/** A responder that keeps what the query path sends: its replies, and what it streams (TCP only). */
export class CapturingResponder implements Responder {
  readonly replies: Buffer[] = [];
  readonly streamed: Buffer[] = [];
  closed = false;
  readonly stream: ReplyStream | undefined;
  constructor(readonly transport: Transport = 'udp', readonly remote = '127.0.0.1') {
    this.stream = transport === 'tcp'
      ? { write: (m) => { this.streamed.push(m); return true; }, drained: async () => {}, close: () => { this.closed = true; } }
      : undefined;
  }

  reply(msg: Buffer): void {
    this.replies.push(msg);
  }
}

export function rawAsk(ctx: QueryContext, msg: Buffer, tcp = false): Buffer | undefined {
  const r = new CapturingResponder(tcp ? 'tcp' : 'udp');
  handleMessage(ctx, msg, r);
  if (r.replies.length > 1 || r.streamed.length > 0) throw new Error('unexpected multi-message reply');
  return r.replies[0];
}

/** dns-packet's decoded shape, with the fields its typings leave out. */
export type Reply = packet.Packet & {
  rcode: string; opcode: string; raw: Buffer;
  flag_aa: boolean; flag_tc: boolean; flag_rd: boolean; flag_ad: boolean; flag_cd: boolean;
  answers?: AnyRR[]; authorities?: AnyRR[]; additionals?: AnyRR[];
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRR = packet.Answer & { ttl?: number; data?: any };

export function ask(ctx: QueryContext, name: string, type: string, o: AskOptions = {}): Reply {
  const raw = rawAsk(ctx, buildQuery(name, type, o), o.tcp);
  if (!raw) throw new Error('no reply');
  return decode(raw);
}

export function decode(raw: Buffer): Reply {
  const p = packet.decode(raw) as unknown as Reply;
  return Object.assign(p, { raw });
}

/** "owner TYPE" strings of a section, for compact assertions. */
export function rrs(section: packet.Answer[] | undefined): string[] {
  return (section ?? []).filter((a) => a.type !== 'OPT').map((a) => `${a.name.toLowerCase()} ${a.type}`);
}

export function flag(p: packet.Packet, bit: number): boolean {
  return ((p.flags ?? 0) & bit) !== 0;
}

export const AA = 0x0400;
export const TC = 0x0200;

export type { Name };
