// The status page's script: sign-in, hash routes (zones, a zone, services, a service, events), reads of the JSON API, SVG timelines.
//
// Every value reaches the DOM through textContent or setAttribute, never as HTML, so what a
// zone or a certificate holds cannot become markup. The token lives in sessionStorage (this
// tab only, gone when it closes) and travels in an Authorization header: no cookie, so no
// request carries it unless this script sends it.

const TOKEN_KEY = 'daneprime.token';
const SVG_NS = 'http://www.w3.org/2000/svg';

type Attrs = Record<string, string | number | boolean | undefined>;
type View = (HTMLElement | null)[];
type Child = Node | string | number | null | undefined | false;

interface Who { label: string; admin: boolean; zone: string | null }
interface Secondary { address: string; port: number; serial: number | null; lagSeconds: number | null; lastAnswer: string | null; state: string; detail: string }
interface ZoneSummary { name: string; serial: number; dnssec: string; soonestRrsigExpiry: string | null; secondaries: Secondary[] | null }
interface ZoneInfo { name: string; serial: number; rrsets: number; dnssec: { status: string; nsec3: { iterations: number; salt: string; optOut: boolean; chainLength: number } | null; keys: number; ds: string[] } }
interface Transition { state?: string; to?: string; at?: string; time?: string; date?: string }
interface Key { keyTag: number; role: string; algorithm: number; flags: number; active: boolean; createdAt: string; dnskey: string; ds: string | null; state?: string; nextTransition?: Transition | string | null }
interface DnssecStatus {
  name: string; ds: string[]; soonestRrsigExpiry: string | null;
  parentDs: { state: string; resolver: string | null; served: string[]; detail: string };
  cds: { state: string; cds: string[]; cdnskey: string[]; matchesDs: boolean };
}
interface Service { name: string; zone: string; host: string; port: number; starttls: string; connect: string[]; lastCheckedAt: string | null; lastVerdict: string | null }
interface Cert { subject: string; issuer: string; notBefore: string; notAfter: string; certSha256: string; spkiSha256: string }
interface Endpoint { address: string; verdict: string; reason: string; tls: { version: string; cipher: string } | null; chain: Cert[]; matched: string[]; warnings: string[] }
interface Check { name: string; verdict: string; checkedAt: string; reason: string; endpoints: Endpoint[] }
interface Fingerprint { endpoint: string; certSha256: string; spkiSha256: string; firstSeen: string; lastSeen: string }
interface Rollover { name: string; state: string; since: string | null; readyAt: string | null; current: string[]; next: string[] }
interface EventRow { id: number; time: string; level: string; zone: string; service: string; endpoint: string | null; kind: string; message: string }

class ApiFailure extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

let who: Who | undefined;

function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

const token = (): string | null => sessionStorage.getItem(TOKEN_KEY);

async function api<T>(path: string, method = 'GET'): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { method, headers: { authorization: `Bearer ${token() ?? ''}` }, cache: 'no-store', credentials: 'omit' });
  const text = await res.text();
  let body: { detail?: string; error?: string } & Record<string, unknown> = {};
  try { body = text ? JSON.parse(text) : {}; } catch { /* not JSON: the status says enough */ }
  if (res.status === 401) {
    signOut('The token was refused: sign in again.');
    throw new ApiFailure(401, body.detail ?? 'unauthorized');
  }
  if (!res.ok) throw new ApiFailure(res.status, body.detail ?? `${res.status} ${res.statusText}`);
  return body as T;
}

const enc = encodeURIComponent;
const fmtTime = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:\d\dZ$/, 'Z') : '—');

function badge(text: string, tone: 'good' | 'warn' | 'bad' | 'neutral'): HTMLElement {
  return h('span', { class: `badge ${tone}`, 'data-state': text }, text);
}

const TONES: Record<string, 'good' | 'warn' | 'bad' | 'neutral'> = {
  signed: 'good', current: 'good', match: 'good', published: 'good', valid: 'good', ok: 'good', steady: 'good', ready: 'good', active: 'good', notice: 'neutral', info: 'neutral',
  behind: 'warn', holding: 'warn', publishing: 'warn', verifying: 'warn', warning: 'warn', missing: 'warn', no_keys: 'warn', delete: 'warn', unknown: 'neutral', none: 'neutral', unsigned: 'neutral',
  refused: 'bad', unreachable: 'bad', mismatch: 'bad', invalid: 'bad', error: 'bad', critical: 'bad', failed: 'bad', fail: 'bad', mismatched: 'bad',
};
const stateBadge = (state: string | null | undefined): HTMLElement => badge(state ?? 'none', TONES[state ?? 'none'] ?? 'neutral');

/** A table whose rows become label/value cards on narrow screens. */
function table(headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  return h('table', { class: 'stack', ...attrs },
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', { 'data-label': headers[i] }, c))))));
}

function facts(pairs: [string, Child, string?][]): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v, field] of pairs) dl.append(h('dt', {}, k), h('dd', { 'data-field': field }, v));
  return dl;
}

const recordList = (items: string[], field: string, empty: string): HTMLElement =>
  items.length ? h('ul', { class: 'plain', 'data-field': field }, ...items.map((d) => h('li', {}, h('code', {}, d)))) : h('p', { class: 'muted', 'data-field': field }, empty);

function secondaryList(list: Secondary[] | null): Child {
  if (list === null) return h('span', { class: 'muted' }, 'admin tokens only');
  if (!list.length) return h('span', { class: 'muted' }, 'none');
  return h('ul', { class: 'plain' }, ...list.map((x) => h('li', { 'data-secondary': `${x.address}:${x.port}`, 'data-serial': x.serial ?? '', 'data-lag': x.lagSeconds ?? '' },
    h('span', { class: 'mono' }, `${x.address}:${x.port}`), ' ', stateBadge(x.state), ` serial ${x.serial ?? '—'}, lag ${x.lagSeconds === null ? '—' : `${x.lagSeconds} s`}`)));
}

// ---- timelines ------------------------------------------------------------------------------

interface Span { label: string; from: number; to: number; cls: string; future?: { to: number; label: string } }

/** Rows of bars on one time axis, with today marked: the key timeline and the fingerprint history. */
function timeline(title: string, spans: Span[], now: number): SVGElement {
  const W = 800, left = 8, right = 8, rowH = 34, top = 8;
  // From the first start to now (or the last transition ahead), with room for the labels.
  let t0 = Math.min(now, ...spans.map((x) => x.from));
  let t1 = Math.max(now, ...spans.map((x) => Math.max(x.to, x.future?.to ?? 0)));
  const span = Math.max(t1 - t0, 60_000);
  t0 -= span * 0.02; t1 += span * 0.12;
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (W - left - right);
  const H = top + spans.length * rowH + 42;
  const svg = s('svg', { class: 'timeline', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title }, s('title', {}, title));
  spans.forEach((sp, i) => {
    const y = top + i * rowH;
    const g = s('g', { 'data-row': sp.label });
    g.append(s('text', { x: left, y: y + 10 }, sp.label));
    g.append(s('rect', { class: `bar ${sp.cls}`, x: x(sp.from), y: y + 14, width: Math.max(2, x(sp.to) - x(sp.from)), height: 12 }));
    if (sp.future) {
      g.append(s('rect', { class: 'future', x: x(sp.to), y: y + 14, width: Math.max(2, x(sp.future.to) - x(sp.to)), height: 12 }));
      g.append(s('text', { x: Math.min(x(sp.future.to), W - 150), y: y + 10, class: 'tick' }, sp.future.label));
    }
    svg.append(g);
  });
  const axisY = top + spans.length * rowH + 6;
  svg.append(s('line', { class: 'axis', x1: left, x2: W - right, y1: axisY, y2: axisY }));
  const nowX = x(now);
  svg.append(s('line', { class: 'now', x1: nowX, x2: nowX, y1: top, y2: axisY + 4 }));
  svg.append(s('text', { x: Math.min(nowX + 3, W - 30), y: axisY + 16, class: 'tick' }, 'now'));
  svg.append(s('text', { x: left, y: axisY + 28, class: 'tick' }, fmtTime(new Date(t0).toISOString())));
  svg.append(s('text', { x: W - right, y: axisY + 28, class: 'tick', 'text-anchor': 'end' }, fmtTime(new Date(t1).toISOString())));
  return svg;
}

/** The key's state: what the keys JSON says, else active or published from the `active` flag. */
const keyState = (k: Key): string => k.state ?? (k.active ? 'active' : 'published');

function nextOf(k: Key): { at: number; label: string } | undefined {
  const n = k.nextTransition;
  if (!n) return undefined;
  if (typeof n === 'string') { const t = Date.parse(n); return Number.isNaN(t) ? undefined : { at: t, label: `next: ${fmtTime(n)}` }; }
  const when = n.at ?? n.time ?? n.date;
  const t = when ? Date.parse(when) : NaN;
  if (Number.isNaN(t)) return undefined;
  return { at: t, label: `→ ${n.state ?? n.to ?? 'next'} ${fmtTime(when)}` };
}

function keyTimeline(keys: Key[]): HTMLElement {
  const now = Date.now();
  const cls = (st: string) => (['active', 'published', 'retired', 'removed', 'inactive', 'ready'].includes(st) ? `st-${st}` : 'st-other');
  const spans: Span[] = keys.map((k) => {
    const next = nextOf(k);
    return {
      label: `${k.role.toUpperCase()} ${k.keyTag} · ${keyState(k)}`, from: Date.parse(k.createdAt), to: now, cls: cls(keyState(k)),
      future: next && next.at > now ? { to: next.at, label: next.label } : undefined,
    };
  });
  return h('div', { 'data-field': 'key-timeline' },
    keys.length ? timeline('Key timeline: each key from its creation, its state now, and its next transition', spans, now) : h('p', { class: 'muted' }, 'no keys'),
    h('p', { class: 'legend' }, h('span', {}, h('span', { class: 'swatch st-active' }), 'active'), h('span', {}, h('span', { class: 'swatch st-published' }), 'published'),
      h('span', {}, h('span', { class: 'swatch st-retired' }), 'retired'), h('span', {}, h('span', { class: 'swatch future' }), 'until the next transition')),
    h('ul', { class: 'plain', 'data-field': 'keys' }, ...keys.map((k) => h('li', { 'data-key-tag': k.keyTag, 'data-role': k.role, 'data-state': keyState(k) },
      `${k.role.toUpperCase()} ${k.keyTag} (algorithm ${k.algorithm}) ${keyState(k)}, created ${fmtTime(k.createdAt)}`, nextOf(k) ? `, ${nextOf(k)!.label}` : ''))));
}

function fingerprintTimeline(fps: Fingerprint[]): HTMLElement {
  const now = Date.now();
  const spans: Span[] = fps.map((f) => ({ label: `${f.endpoint} · SPKI ${f.spkiSha256.slice(0, 16)}…`, from: Date.parse(f.firstSeen), to: Math.max(Date.parse(f.lastSeen), Date.parse(f.firstSeen) + 1), cls: 'st-seen' }));
  return h('div', { 'data-field': 'fingerprint-timeline' },
    fps.length ? timeline('Fingerprint history: each key an endpoint presented, from first to last seen', spans, now) : h('p', { class: 'muted' }, 'no fingerprints seen yet'),
    h('ul', { class: 'plain' }, ...fps.map((f) => h('li', { 'data-spki': f.spkiSha256 }, h('span', { class: 'mono' }, f.endpoint), ` SPKI ${f.spkiSha256}: ${fmtTime(f.firstSeen)} → ${fmtTime(f.lastSeen)}`))));
}

// ---- views ----------------------------------------------------------------------------------

async function zonesView(): Promise<View> {
  const { zones } = await api<{ zones: ZoneSummary[] }>('/status/zones');
  return [
    h('h1', { tabindex: -1 }, 'Zones'),
    zones.length ? table(['Zone', 'Serial', 'DNSSEC', 'Soonest RRSIG expiry', 'Secondaries'], zones.map((z) => [
      h('a', { href: `#/zone/${enc(z.name)}`, 'data-zone-link': z.name }, z.name),
      h('span', { 'data-field': 'serial' }, z.serial), stateBadge(z.dnssec), h('span', { 'data-field': 'rrsig-expiry' }, fmtTime(z.soonestRrsigExpiry)), secondaryList(z.secondaries),
    ]), { 'data-view': 'zones' }) : h('p', { class: 'muted' }, 'No zones visible to this token.'),
  ];
}

async function zoneView(name: string): Promise<View> {
  const [info, keys, st, services, secondaries] = await Promise.all([
    api<ZoneInfo>(`/zones/${enc(name)}`),
    api<{ keys: Key[] }>(`/zones/${enc(name)}/keys`),
    api<DnssecStatus>(`/zones/${enc(name)}/status`),
    api<{ services: Service[] }>(`/zones/${enc(name)}/services`),
    who?.admin ? api<Secondary[]>(`/zones/${enc(name)}/secondaries/status`) : Promise.resolve(null),
  ]);
  const parentTone = TONES[st.parentDs.state] ?? 'neutral';
  return [
    h('h1', { tabindex: -1, 'data-zone': info.name }, info.name),
    facts([
      ['Serial', String(info.serial), 'serial'],
      ['DNSSEC', stateBadge(info.dnssec.status), 'dnssec'],
      ['NSEC3', info.dnssec.nsec3 ? `${info.dnssec.nsec3.iterations} iterations, salt ${info.dnssec.nsec3.salt || '-'}${info.dnssec.nsec3.optOut ? ', opt-out' : ''}, ${info.dnssec.nsec3.chainLength} records` : '—', 'nsec3'],
      ['Soonest RRSIG expiry', fmtTime(st.soonestRrsigExpiry), 'rrsig-expiry'],
      ['RRsets', String(info.rrsets), 'rrsets'],
    ]),
    h('h2', {}, 'DS records to publish at the parent'),
    recordList(st.ds.map((d) => `${info.name} IN DS ${d}`), 'ds', 'none (the zone is not signed, or has no active KSK)'),
    h('h2', {}, 'Parent DS'),
    h('p', { 'data-field': 'parent-ds' }, badge(st.parentDs.state, parentTone), ' ', st.parentDs.detail, st.parentDs.resolver ? ` (asked ${st.parentDs.resolver})` : ''),
    st.parentDs.served.length ? recordList(st.parentDs.served, 'parent-ds-served', '') : null,
    h('h2', {}, 'CDS / CDNSKEY'),
    h('p', { 'data-field': 'cds' }, stateBadge(st.cds.state), st.cds.state === 'published' ? (st.cds.matchesDs ? ' the same keys as the DS to publish' : ' differs from the DS to publish') : ''),
    st.cds.cds.length ? recordList(st.cds.cds.map((c) => `CDS ${c}`).concat(st.cds.cdnskey.map((c) => `CDNSKEY ${c}`)), 'cds-records', '') : null,
    h('h2', {}, 'Key timeline'),
    keyTimeline(keys.keys),
    h('h2', {}, 'Secondaries'),
    h('div', { 'data-field': 'secondaries' }, secondaryList(secondaries)),
    h('h2', {}, 'Services'),
    services.services.length ? h('ul', { class: 'plain', 'data-field': 'services' }, ...services.services.map((sv) => h('li', {},
      h('a', { href: `#/service/${enc(name)}/${enc(sv.name)}` }, sv.name), ' ', stateBadge(sv.lastVerdict)))) : h('p', { class: 'muted' }, 'no services checked live'),
  ];
}

async function visibleZones(): Promise<string[]> {
  return (await api<{ zones: { name: string }[] }>('/zones')).zones.map((z) => z.name);
}

async function servicesView(): Promise<View> {
  const zones = await visibleZones();
  const lists = await Promise.all(zones.map((z) => api<{ services: Service[] }>(`/zones/${enc(z)}/services`)));
  const services = lists.flatMap((l) => l.services);
  const rollovers = await Promise.all(services.map((sv) => api<Rollover>(`/zones/${enc(sv.zone)}/services/${enc(sv.name)}/rollover`)));
  return [
    h('h1', { tabindex: -1 }, 'Services'),
    services.length ? table(['Service', 'Zone', 'Last verdict', 'Checked', 'Rollover', 'Ready at'], services.map((sv, i) => [
      h('a', { href: `#/service/${enc(sv.zone)}/${enc(sv.name)}`, 'data-service-link': sv.name }, sv.name), sv.zone,
      h('span', { 'data-field': 'verdict' }, stateBadge(sv.lastVerdict)), fmtTime(sv.lastCheckedAt),
      h('span', { 'data-field': 'rollover' }, stateBadge(rollovers[i].state)), h('span', { 'data-field': 'ready-at' }, fmtTime(rollovers[i].readyAt)),
    ]), { 'data-view': 'services' }) : h('p', { class: 'muted' }, 'No services visible to this token.'),
  ];
}

async function serviceView(zone: string, name: string): Promise<View> {
  const base = `/zones/${enc(zone)}/services/${enc(name)}`;
  const [{ services }, hist, roll] = await Promise.all([
    api<{ services: Service[] }>(`/zones/${enc(zone)}/services`),
    api<{ checks: Check[]; fingerprints: Fingerprint[] }>(`${base}/checks?limit=20`),
    api<Rollover>(`${base}/rollover`),
  ]);
  const svc = services.find((x) => x.name === name);
  if (!svc) throw new ApiFailure(404, `no service ${name} in ${zone} visible to this token`);
  const last = hist.checks[0];
  const out: View = [
    h('h1', { tabindex: -1, 'data-service': svc.name }, svc.name),
    facts([
      ['Zone', h('a', { href: `#/zone/${enc(zone)}` }, zone)],
      ['Endpoint', `${svc.host} port ${svc.port}, ${svc.starttls === 'none' ? 'TLS' : `STARTTLS ${svc.starttls}`}`],
      ['Last verdict', stateBadge(svc.lastVerdict), 'verdict'],
      ['Checked', fmtTime(svc.lastCheckedAt), 'checked-at'],
      ['Why', last?.reason ?? '—'],
    ]),
  ];
  if (who?.admin) {
    const btn = h('button', { type: 'button', 'data-action': 'check' }, 'Check now');
    btn.addEventListener('click', () => {
      btn.setAttribute('disabled', '');
      btn.textContent = 'Checking…';
      api(`${base}/check`, 'POST').then(() => render(), (err: Error) => showError(err));
    });
    out.push(h('p', {}, btn));
  }
  out.push(
    h('h2', {}, 'Rollover'),
    facts([
      ['State', stateBadge(roll.state), 'rollover'],
      ['Since', fmtTime(roll.since)],
      ['Ready at', fmtTime(roll.readyAt), 'ready-at'],
      ['Current', roll.current.length ? h('div', {}, ...roll.current.map((r) => h('code', { class: 'mono' }, r, h('br')))) : '—'],
      ['Next', roll.next.length ? h('div', {}, ...roll.next.map((r) => h('code', { class: 'mono' }, r, h('br')))) : '—'],
    ]),
    h('h2', {}, 'Chains the endpoints present'),
    ...(last?.endpoints.length ? last.endpoints.map((e) => h('div', { class: 'card', 'data-endpoint': e.address },
      h('p', {}, h('strong', { class: 'mono' }, e.address), ' ', stateBadge(e.verdict), e.tls ? ` ${e.tls.version}, ${e.tls.cipher}` : '', e.reason ? ` — ${e.reason}` : ''),
      table(['Depth', 'Subject', 'Issuer', 'Valid until', 'SPKI SHA-256'], e.chain.map((c, i) => [String(i), c.subject, c.issuer, fmtTime(c.notAfter), h('code', { 'data-spki': c.spkiSha256 }, c.spkiSha256)])),
      e.warnings.length ? h('ul', {}, ...e.warnings.map((w) => h('li', { class: 'warn' }, w))) : null))
      : [h('p', { class: 'muted' }, 'not checked yet')]),
    h('h2', {}, 'Fingerprint history'),
    fingerprintTimeline(hist.fingerprints),
  );
  return out;
}

const LEVELS = ['critical', 'warning', 'notice', 'info'];

async function eventsView(params: URLSearchParams): Promise<View> {
  const zone = params.get('zone') ?? '', level = params.get('level') ?? '', q = params.get('q') ?? '';
  const zones = await visibleZones();
  const { events } = await api<{ events: EventRow[] }>(`/events?limit=500${zone ? `&zone=${enc(zone)}` : ''}`);
  const needle = q.toLowerCase();
  const shown = events.filter((e) => (!level || e.level === level) && (!needle || `${e.service} ${e.kind} ${e.message} ${e.endpoint ?? ''}`.toLowerCase().includes(needle)));
  const zoneSel = h('select', { id: 'f-zone', name: 'zone' }, h('option', { value: '' }, 'all zones'), ...zones.map((z) => h('option', { value: z, selected: z === zone }, z)));
  const levelSel = h('select', { id: 'f-level', name: 'level' }, h('option', { value: '' }, 'any level'), ...LEVELS.map((l) => h('option', { value: l, selected: l === level }, l)));
  const text = h('input', { id: 'f-q', name: 'q', type: 'search', value: q, placeholder: 'kind, service, message' });
  const form = h('form', { class: 'filters', role: 'search', 'data-field': 'event-filter' },
    h('label', { for: 'f-zone' }, 'Zone', zoneSel), h('label', { for: 'f-level' }, 'Level', levelSel), h('label', { for: 'f-q' }, 'Contains', text),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const [k, el] of [['zone', zoneSel], ['level', levelSel], ['q', text]] as const) {
      const v = (el as HTMLInputElement | HTMLSelectElement).value.trim();
      if (v) p.set(k, v);
    }
    location.hash = `#/events${p.size ? `?${p}` : ''}`;
  });
  return [
    h('h1', { tabindex: -1 }, 'Events'),
    form,
    h('p', { class: 'muted', 'data-field': 'event-count' }, `${shown.length} of ${events.length} event(s), newest first`),
    shown.length ? table(['Time', 'Level', 'Zone', 'Service', 'Kind', 'Message'], shown.map((e) => [
      h('span', { 'data-event-id': e.id }, fmtTime(e.time)), stateBadge(e.level), e.zone, e.service, e.kind, e.message,
    ]), { 'data-view': 'events' }) : h('p', { class: 'muted' }, 'No events.'),
  ];
}

// ---- shell ----------------------------------------------------------------------------------

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function showError(err: unknown): void {
  const view = $('view');
  const status = err instanceof ApiFailure ? err.status : 0;
  const what = status === 403 ? 'This token may not see this.' : status === 404 ? 'Not found.' : 'Could not load this view.';
  view.replaceChildren(h('h1', { tabindex: -1 }, what), h('p', { class: 'error', role: 'alert', 'data-field': 'error', 'data-status': status }, (err as Error).message));
  (view.querySelector('h1') as HTMLElement).focus();
}

function signOut(message = ''): void {
  sessionStorage.removeItem(TOKEN_KEY);
  who = undefined;
  $('nav').hidden = true;
  $('view').replaceChildren();
  $('signin').hidden = false;
  $('signin-error').textContent = message;
  ($('token') as HTMLInputElement).value = '';
  $('token').focus();
}

let renderSeq = 0;

async function render(): Promise<void> {
  if (!token()) { signOut(); return; }
  const seq = ++renderSeq;
  try {
    who ??= await api<Who>('/whoami');
    $('signin').hidden = true;
    $('nav').hidden = false;
    $('who').textContent = who.admin ? `admin${who.label ? ` (${who.label})` : ''}` : `scoped to ${who.zone}${who.label ? ` (${who.label})` : ''}`;
    const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const section = parts[0] === 'zone' ? 'zones' : parts[0] === 'service' ? 'services' : parts[0] ?? 'zones';
    for (const a of Array.from(document.querySelectorAll('nav a'))) {
      if (a.getAttribute('data-nav') === section) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    let nodes: View;
    if (parts[0] === 'zone' && parts[1]) nodes = await zoneView(parts[1]);
    else if (parts[0] === 'service' && parts[1] && parts[2]) nodes = await serviceView(parts[1], parts[2]);
    else if (parts[0] === 'services') nodes = await servicesView();
    else if (parts[0] === 'events') nodes = await eventsView(new URLSearchParams(query));
    else nodes = await zonesView();
    if (seq !== renderSeq) return;
    const view = $('view');
    view.replaceChildren(...nodes.filter((n): n is HTMLElement => n !== null));
    view.setAttribute('data-ready', String(seq));
    (view.querySelector('h1') as HTMLElement | null)?.focus();
  } catch (err) {
    if (seq !== renderSeq || (err instanceof ApiFailure && err.status === 401)) return;
    showError(err);
    $('view').setAttribute('data-ready', String(seq));
  }
}

function start(): void {
  $('signin').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $('token') as HTMLInputElement;
    const value = input.value.trim();
    if (!value) { $('signin-error').textContent = 'Enter an API token.'; return; }
    sessionStorage.setItem(TOKEN_KEY, value);
    input.value = '';
    who = undefined;
    void render();
  });
  $('signout').addEventListener('click', () => signOut('Signed out.'));
  window.addEventListener('hashchange', () => { void render(); });
  void render();
}

start();
