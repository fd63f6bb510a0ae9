// The status page in a real browser: Debian's chromium, headless, driven by playwright-core, against `serve --workers 2` with Knot as a secondary, unbound as the DS resolver and openssl s_server endpoints.
import { writeUnboundConf } from './helpers/unbound-conf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { requireTool, requirePresent } from './helpers/tools.js';
import { tmpDir } from './helpers/server.js';
import { cli, startServer, startKnot, freePorts, waitFor, kdig, track, type Child } from './helpers/procs.js';
import { makeCerts, newLeaf } from './helpers/certs.js';
import { startSServer } from './helpers/dane-tools.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts', 'status-page');
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const PARENT = 'example.test';
const CHILD = `sub.${PARENT}`;
const HOST = `srv.${CHILD}`;
const spkiSha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

/** What the page prints for a time (minutes, UTC): the same rule as the page's fmtTime. */
const fmtTime = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:\d\dZ$/, 'Z') : '—');

/** unbound on 127.0.0.1:`port`, resolving `zone` (and below) from our server, nothing else: the resolver behind --ds-resolver. */
async function startResolver(dir: string, port: number, authPort: number, zone: string): Promise<Child> {
  const conf = writeUnboundConf({ dir, name: 'unbound-ds', address: '127.0.0.1', port, stubs: [{ zone, port: authPort }], cache: false });
  const c = track(spawn('unbound', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] }));
  try {
    await waitFor('unbound to resolve', 20_000, () => {
      if (c.proc.exitCode !== null) throw new Error(`unbound exited: ${c.log()}`);
      return /status: NOERROR/.test(kdig([`@127.0.0.1`, '-p', String(port), '+time=1', '+retry=0', zone, 'SOA']));
    });
  } catch (err) {
    await c.stop();
    throw err;
  }
  return c;
}

test('status page in chromium: sign-in, every view against the API JSON, a scoped token sees only its zone, 375 px, keyboard, strict CSP, screenshots', { timeout: 240_000 }, async (t) => {
  for (const tool of ['openssl', 'kdig', 'knotd', 'unbound']) if (!requireTool(tool, t)) return;
  if (!requirePresent(spawnSync(CHROMIUM, ['--version']).status === 0, CHROMIUM, t)) return;
  const { chromium } = await import('playwright-core');
  const { dir, cleanup } = tmpDir('daneprime-page-');
  const children: Child[] = [];
  let browser: Browser | undefined;
  t.after(async () => { await browser?.close(); for (const c of children.reverse()) await c.stop(); cleanup(); });
  mkdirSync(ARTIFACTS, { recursive: true });

  // A parent and a child zone, a live service with an openssl endpoint and one with none listening.
  const certs = makeCerts(HOST);
  const next = newLeaf(certs.dir, HOST, 'next');
  const [tlsPort, deadPort, dnsPort, knotPort, resolverPort] = await freePorts(5);
  const db = join(dir, 'dp.db');
  writeFileSync(join(dir, 'parent'), `$ORIGIN ${PARENT}.\n$TTL 60\n@ SOA ns1 hostmaster 1 7200 3600 1209600 60\n@ NS ns1\nns1 A 127.0.0.1\nsub NS ns1.sub\nns1.sub A 127.0.0.1\n`);
  writeFileSync(join(dir, 'child'), `$ORIGIN ${CHILD}.\n$TTL 60\n@ SOA ns1 hostmaster 1 7200 3600 1209600 60\n@ NS ns1\nns1 A 127.0.0.1\nsrv A 127.0.0.1\n`
    + `_${tlsPort}._tcp.srv 60 TLSA 3 1 1 ${spkiSha256(readFileSync(certs.leafCert, 'utf8'))}\n_${deadPort}._tcp.srv 60 TLSA 3 1 1 ${'ab'.repeat(32)}\n`);
  cli(['zone', 'import', join(dir, 'parent'), '--db', db]);
  cli(['zone', 'import', join(dir, 'child'), '--db', db]);
  const secret = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
  cli(['zone', 'secondary', 'add', CHILD, `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
  const service = `_${tlsPort}._tcp.${HOST}.`;
  const deadService = `_${deadPort}._tcp.${HOST}.`;
  cli(['service', 'add', service, '--connect', `127.0.0.1:${tlsPort}`, '--starttls', 'none', '--db', db]);
  cli(['service', 'add', deadService, '--connect', `127.0.0.1:${deadPort}`, '--starttls', 'none', '--db', db]);
  const adminToken = cli(['token', 'create', '--admin', '--label', 'ops', '--db', db]).trim();
  const scopedToken = cli(['token', 'create', '--zone', CHILD, '--name', HOST, '--subtree', '--type', 'TLSA', '--label', 'tls-team', '--db', db]).trim();

  children.push(await startSServer({ port: tlsPort, cert: certs.leafCert, key: certs.leafKey }));
  const srv = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, dnsPort, 2, ['--ds-resolver', `127.0.0.1:${resolverPort}`, '--check-interval', '1h']);
  children.push(srv);
  children.push(await startResolver(dir, resolverPort, dnsPort, PARENT));
  children.push(await startKnot(dir, { port: knotPort, primaryPort: srv.port, secret, zone: CHILD }));
  const origin = /api: listening on (http:\/\/\S+)/.exec(srv.log())![1];
  const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown, tokenText = adminToken): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${origin}/api/v1${path}`, { method, headers: { authorization: `Bearer ${tokenText}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const get = async <T>(path: string): Promise<T> => { const r = await call<T>('GET', path); assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`); return r.body; };

  // The parent publishes the child's DS; the services are checked and a rollover starts.
  const childDs = await get<{ ds: string[] }>(`/zones/${CHILD}/ds`);
  assert.equal((await call('PUT', `/zones/${PARENT}/rrsets/sub/DS`, { ttl: 60, records: childDs.ds })).status, 200);
  assert.equal((await call('POST', `/zones/${CHILD}/services/${service}/check`)).status, 200);
  assert.equal((await call('POST', `/zones/${CHILD}/services/${deadService}/check`)).status, 200);
  const started = await call<{ state: string }>('POST', `/zones/${CHILD}/services/${service}/next`, { certificate: readFileSync(next.cert, 'utf8') });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  // Knot has the zone and the leader has asked it what it serves.
  await waitFor('the secondary to be seen current', 30_000, async () => {
    const st = await get<{ state: string }[]>(`/zones/${CHILD}/secondaries/status`);
    return st[0]?.state === 'current';
  });

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  const violations: string[] = [];
  const newPage = async (width: number): Promise<Page> => {
    const ctx = await browser!.newContext({ viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => { (window as unknown as { cspViolations: string[] }).cspViolations ??= []; (window as unknown as { cspViolations: string[] }).cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`); });
    });
    return page;
  };
  /** Go to a hash route and wait until the view has rendered it. */
  const visit = async (page: Page, hash: string) => {
    const before = await page.getAttribute('#view', 'data-ready').catch(() => null);
    await page.goto(`${origin}/${hash}`);
    await page.waitForFunction((b) => { const r = document.getElementById('view')?.getAttribute('data-ready'); return r !== null && r !== undefined && r !== b; }, before === null ? '__none' : before, { timeout: 20_000 });
  };
  const shot = async (page: Page, name: string) => { await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true }); };
  const noHorizontalScroll = async (page: Page, what: string) => {
    const w = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    assert.ok(w <= 375, `${what}: scrollWidth ${w} > 375`);
  };
  const cspOf = async (page: Page) => page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []);
  const signIn = async (page: Page, tokenText: string) => {
    await page.goto(`${origin}/`);
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#token', tokenText);
    await page.press('#token', 'Enter');
    await page.waitForSelector('[data-view="zones"], #view [data-field="error"]', { timeout: 20_000 });
  };

  await t.test('the page is served with the strict CSP and nothing inline', async () => {
    const res = await fetch(`${origin}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]|style=|<style/);
    for (const asset of ['/page/app.js', '/page/style.css']) assert.equal((await fetch(origin + asset)).status, 200, asset);
  });

  await t.test('admin: zones list, each zone view, services, a service, events: the values of the API JSON', async () => {
    const page = await newPage(1100);
    await signIn(page, adminToken);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('daneprime.token') !== null), true);
    assert.equal(await page.evaluate(() => document.cookie), '', 'no cookie holds the token');
    assert.doesNotMatch(page.url(), /dp_/, 'the token is never in the URL');

    // Zones list.
    const summary = await get<{ zones: { name: string; serial: number; soonestRrsigExpiry: string | null; secondaries: { address: string; port: number; serial: number | null; lagSeconds: number | null }[] }[] }>('/status/zones');
    assert.deepEqual(summary.zones.map((z) => z.name), [`${PARENT}.`, `${CHILD}.`]);
    const rows = await page.$$eval('[data-view="zones"] tbody tr', (trs) => trs.map((tr) => ({
      name: tr.querySelector('[data-zone-link]')!.textContent, serial: tr.querySelector('[data-field="serial"]')!.textContent,
      expiry: tr.querySelector('[data-field="rrsig-expiry"]')!.textContent,
      secondaries: [...tr.querySelectorAll('[data-secondary]')].map((li) => ({ at: li.getAttribute('data-secondary'), serial: li.getAttribute('data-serial'), lag: li.getAttribute('data-lag') })),
    })));
    assert.deepEqual(rows, summary.zones.map((z) => ({
      name: z.name, serial: String(z.serial), expiry: fmtTime(z.soonestRrsigExpiry),
      secondaries: z.secondaries.map((x) => ({ at: `${x.address}:${x.port}`, serial: String(x.serial ?? ''), lag: String(x.lagSeconds ?? '') })),
    })));
    const childRow = summary.zones.find((z) => z.name === `${CHILD}.`)!;
    assert.equal(childRow.secondaries[0].port, knotPort);
    assert.equal(childRow.secondaries[0].serial, childRow.serial, 'Knot serves the current serial');
    assert.ok(childRow.soonestRrsigExpiry && Date.parse(childRow.soonestRrsigExpiry) > Date.now() + 13 * 86400_000);
    await shot(page, 'zones');

    // Each zone opens its own view, by its link.
    for (const z of summary.zones) {
      await visit(page, '#/');
      await page.click(`[data-zone-link="${z.name}"]`);
      await page.waitForSelector(`h1[data-zone="${z.name}"]`);
      const info = await get<{ serial: number; dnssec: { status: string } }>(`/zones/${z.name}`);
      const ds = await get<{ records: string[] }>(`/zones/${z.name}/ds`);
      const keys = await get<{ keys: { keyTag: number; role: string; active: boolean; state?: string }[] }>(`/zones/${z.name}/keys`);
      const st = await get<{ parentDs: { state: string; served: string[] }; cds: { state: string } }>(`/zones/${z.name}/status`);
      const secondaries = await get<{ address: string; port: number; serial: number | null }[]>(`/zones/${z.name}/secondaries/status`);
      assert.equal(await page.textContent('[data-field="serial"]'), String(info.serial));
      assert.equal(await page.getAttribute('[data-field="dnssec"] [data-state]', 'data-state'), info.dnssec.status);
      assert.deepEqual(await page.$$eval('[data-field="ds"] li', (lis) => lis.map((l) => l.textContent)), ds.records);
      assert.deepEqual(await page.$$eval('[data-field="keys"] li', (lis) => lis.map((l) => `${l.getAttribute('data-role')} ${l.getAttribute('data-key-tag')} ${l.getAttribute('data-state')}`)),
        keys.keys.map((k) => `${k.role} ${k.keyTag} ${k.state ?? (k.active ? 'active' : 'published')}`));
      assert.equal(await page.$$eval('[data-field="key-timeline"] svg g[data-row]', (g) => g.length), keys.keys.length, 'one bar per key in the picture');
      assert.equal(await page.getAttribute('[data-field="parent-ds"] [data-state]', 'data-state'), st.parentDs.state);
      assert.equal(await page.getAttribute('[data-field="cds"] [data-state]', 'data-state'), st.cds.state);
      assert.deepEqual(await page.$$eval('[data-field="secondaries"] [data-secondary]', (lis) => lis.map((l) => `${l.getAttribute('data-secondary')} ${l.getAttribute('data-serial')}`)),
        secondaries.map((x) => `${x.address}:${x.port} ${x.serial ?? ''}`));
      // The child's DS is in the parent, asked of unbound; the parent's own parent is nowhere.
      if (z.name === `${CHILD}.`) {
        assert.equal(st.parentDs.state, 'match');
        assert.deepEqual(st.parentDs.served.map((d) => d.toLowerCase()).sort(), childDs.ds.map((d) => d.toLowerCase()).sort());
        assert.equal(st.cds.state, 'published');
      } else assert.equal(st.parentDs.state, 'missing', `${JSON.stringify(st.parentDs)}: unbound answers for test. itself, with no DS`);
      await shot(page, z.name === `${CHILD}.` ? 'zone-child' : 'zone-parent');
    }

    // Services: verdict and rollover state of each.
    await visit(page, '#/services');
    const services = await get<{ services: { name: string; lastVerdict: string | null }[] }>(`/zones/${CHILD}/services`);
    const shown = await page.$$eval('[data-view="services"] tbody tr', (trs) => trs.map((tr) => ({
      name: tr.querySelector('[data-service-link]')!.textContent,
      verdict: tr.querySelector('[data-field="verdict"] [data-state]')!.getAttribute('data-state'),
      rollover: tr.querySelector('[data-field="rollover"] [data-state]')!.getAttribute('data-state'),
      readyAt: tr.querySelector('[data-field="ready-at"]')!.textContent,
    })));
    const expected = [];
    for (const sv of services.services) {
      const roll = await get<{ state: string; readyAt: string | null }>(`/zones/${CHILD}/services/${sv.name}/rollover`);
      expected.push({ name: sv.name, verdict: sv.lastVerdict ?? 'none', rollover: roll.state, readyAt: fmtTime(roll.readyAt) });
    }
    assert.deepEqual(shown, expected);
    assert.ok(['publishing', 'holding', 'ready'].includes(shown.find((x) => x.name === service)!.rollover), JSON.stringify(shown));
    await shot(page, 'services');

    // One service: the chain its endpoint presents and its fingerprint history.
    await page.click(`[data-service-link="${service}"]`);
    await page.waitForSelector(`h1[data-service="${service}"]`);
    const hist = await get<{ checks: { endpoints: { address: string; chain: { spkiSha256: string }[] }[] }[]; fingerprints: { spkiSha256: string }[] }>(`/zones/${CHILD}/services/${service}/checks`);
    assert.deepEqual(await page.$$eval('[data-endpoint] code[data-spki]', (cs) => cs.map((c) => c.getAttribute('data-spki'))), hist.checks[0].endpoints.flatMap((e) => e.chain.map((c) => c.spkiSha256)));
    assert.equal(hist.checks[0].endpoints[0].chain[0].spkiSha256, spkiSha256(readFileSync(certs.leafCert, 'utf8')), 'the leaf openssl presents');
    assert.equal(await page.$$eval('[data-field="fingerprint-timeline"] svg g[data-row]', (g) => g.length), hist.fingerprints.length);
    await shot(page, 'service');
    // The one write the page offers, to admin tokens: a check now, through the API.
    const before = hist.checks.length;
    const seqBefore = await page.getAttribute('#view', 'data-ready');
    await page.click('button[data-action="check"]');
    await page.waitForFunction((b) => document.getElementById('view')!.getAttribute('data-ready') !== b, seqBefore, { timeout: 30_000 });
    assert.equal((await get<{ checks: unknown[] }>(`/zones/${CHILD}/services/${service}/checks`)).checks.length, before + 1);
    await page.waitForSelector(`h1[data-service="${service}"]`);

    // Events: newest first, and the filter narrows them.
    await visit(page, '#/events');
    const all = await get<{ events: { id: number; level: string; service: string; kind: string; message: string; endpoint: string | null }[] }>('/events?limit=500');
    assert.ok(all.events.length >= 2, JSON.stringify(all.events));
    const ids = await page.$$eval('[data-view="events"] [data-event-id]', (els) => els.map((e) => Number(e.getAttribute('data-event-id'))));
    assert.deepEqual(ids, all.events.map((e) => e.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    await shot(page, 'events');
    const level = all.events[0].level;
    const wanted = all.events.filter((e) => e.level === level && `${e.service} ${e.kind} ${e.message} ${e.endpoint ?? ''}`.toLowerCase().includes('unreachable'));
    await page.selectOption('#f-level', level);
    await page.fill('#f-q', 'unreachable');
    const seq = await page.getAttribute('#view', 'data-ready');
    await page.click('.filters button[type="submit"]');
    await page.waitForFunction((b) => document.getElementById('view')!.getAttribute('data-ready') !== b, seq);
    const filtered = await page.$$eval('[data-view="events"] tbody tr', (trs) => trs.map((tr) => ({ id: Number(tr.querySelector('[data-event-id]')!.getAttribute('data-event-id')), level: tr.querySelector('[data-state]')!.getAttribute('data-state') })));
    assert.deepEqual(filtered, wanted.map((e) => ({ id: e.id, level: e.level })));
    assert.ok(filtered.length < all.events.length, `the filter left some out: ${JSON.stringify(all.events)}`);
    assert.match(page.url(), new RegExp(`#/events\\?level=${level}&q=unreachable$`));
    await shot(page, 'events-filtered');
    assert.deepEqual(await cspOf(page), []);
    await page.context().close();
  });

  await t.test('a scoped token sees only its zone, and nothing of another, by link or by URL', async () => {
    const page = await newPage(1100);
    await signIn(page, scopedToken);
    assert.deepEqual(await page.$$eval('[data-zone-link]', (as) => as.map((a) => a.textContent)), [`${CHILD}.`]);
    assert.match((await page.textContent('[data-view="zones"] tbody tr'))!, /admin tokens only/);
    await visit(page, `#/zone/${PARENT}`);
    assert.equal(await page.getAttribute('[data-field="error"]', 'data-status'), '403');
    assert.equal(await page.$('[data-field="serial"]'), null, 'no data of the other zone');
    assert.equal(await page.$('[data-field="ds"]'), null);
    await shot(page, 'scoped-forbidden');
    // Its own zone opens; the API refuses the other zone's data to this token too.
    await visit(page, `#/zone/${CHILD}`);
    assert.equal(await page.textContent('[data-field="serial"]'), String((await get<{ serial: number }>(`/zones/${CHILD}`)).serial));
    // Its service reads the same; the admin's button is not there.
    await visit(page, `#/service/${CHILD}/${service}`);
    assert.ok(await page.$(`h1[data-service="${service}"]`));
    assert.equal(await page.$('button[data-action="check"]'), null);
    for (const path of [`/zones/${PARENT}`, `/zones/${PARENT}/status`, `/zones/${PARENT}/keys`, `/events?zone=${PARENT}`]) {
      assert.equal((await call('GET', path, undefined, scopedToken)).status, 403, path);
    }
    const events = await call<{ events: { zone: string }[] }>('GET', '/events', undefined, scopedToken);
    assert.ok(events.body.events.every((e) => e.zone === `${CHILD}.`));
    await visit(page, '#/events');
    assert.deepEqual(await page.$$eval('[data-view="events"] tbody tr td:nth-child(3)', (tds) => [...new Set(tds.map((td) => td.textContent!.replace(/^Zone/, '')))]), events.body.events.length ? [`${CHILD}.`] : []);
    assert.deepEqual(await cspOf(page), []);
    await page.context().close();
  });

  await t.test('at 375 px no view scrolls sideways, and every control is reached by Tab', async () => {
    const page = await newPage(375);
    await signIn(page, adminToken);
    for (const [hash, name] of [['#/', 'zones'], [`#/zone/${CHILD}`, 'zone'], ['#/services', 'services'], [`#/service/${CHILD}/${service}`, 'service'], ['#/events', 'events']]) {
      await visit(page, hash);
      await noHorizontalScroll(page, hash);
      await page.screenshot({ path: join(ARTIFACTS, `mobile-${name}.png`), fullPage: true });
    }
    // Focus order on the events view (the last visited; links, filters, buttons): Tab from the top reaches every visible control, in document order.
    const count = await page.evaluate(() => {
      const els = [...document.querySelectorAll('a[href], button:not([disabled]), input, select')].filter((e) => (e as HTMLElement).offsetParent !== null);
      els.forEach((e, i) => e.setAttribute('data-tab-index', String(i)));
      (els[0] as HTMLElement).focus();
      return els.length;
    });
    assert.ok(count >= 9, `${count} controls`);
    const reached: number[] = [Number(await page.evaluate(() => document.activeElement!.getAttribute('data-tab-index')))];
    for (let i = 1; i < count; i++) {
      await page.keyboard.press('Tab');
      reached.push(Number(await page.evaluate(() => document.activeElement!.getAttribute('data-tab-index'))));
    }
    assert.deepEqual(reached, Array.from({ length: count }, (_, i) => i), 'Tab visits every control once, in document order');
    // The keyboard alone signs out and in again.
    await page.focus('#signout');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#signin:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'token');
    await page.keyboard.type(adminToken);
    await page.keyboard.press('Enter');
    // Back where it was signed out.
    await page.waitForSelector('[data-view="events"]');
    assert.deepEqual(await cspOf(page), []);
    await page.context().close();
  });

  await t.test('the parent DS as the resolver sees it: a DS for no active KSK is a mismatch, none is missing', async () => {
    const page = await newPage(1100);
    await signIn(page, adminToken);
    const wrong = `${childDs.ds[0].split(' ').slice(0, 3).join(' ')} ${'0'.repeat(64)}`;
    for (const [records, state] of [[[wrong], 'mismatch'], [null, 'missing'], [childDs.ds, 'match']] as [string[] | null, string][]) {
      const r = records ? await call('PUT', `/zones/${PARENT}/rrsets/sub/DS`, { ttl: 60, records }) : await call('DELETE', `/zones/${PARENT}/rrsets/sub/DS`);
      assert.ok(r.status === 200 || r.status === 204, JSON.stringify(r.body));
      let st = await get<{ parentDs: { state: string; served: string[] } }>(`/zones/${CHILD}/status`);
      const first = st.parentDs.state;
      await waitFor(`the resolver to see ${state}`, 15_000, async () => (st = await get<{ parentDs: { state: string; served: string[] } }>(`/zones/${CHILD}/status`)).parentDs.state === state);
      t.diagnostic(`${state}: first answer ${first}`);
      if (records) assert.deepEqual(st.parentDs.served.map((d) => d.toLowerCase()), records.map((d) => d.toLowerCase()));
      await visit(page, `#/zone/${CHILD}?${state}`);
      assert.equal(await page.getAttribute('[data-field="parent-ds"] [data-state]', 'data-state'), state);
      if (state === 'mismatch') await shot(page, 'zone-child-mismatch');
    }
    await page.context().close();
  });

  await t.test('no CSP violation or script error on any page', () => {
    assert.deepEqual(violations, []);
  });

  // The README's pictures: refreshed on request, so a test run leaves the tree as it was.
  if (process.env.DANEPRIME_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const f of ['zones', 'zone-child', 'services', 'service', 'events', 'mobile-zone']) copyFileSync(join(ARTIFACTS, `${f}.png`), join(SCREENSHOTS, `status-${f}.png`));
  }
});
