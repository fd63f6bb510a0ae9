// Query tables for the answer path (RFC 1034 §4.3.2, RFC 2181, RFC 4592, RFC 6672, RFC 6604, RFC 8482).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zonesFromText, ask, rrs, type Reply, type AnyRR } from './helpers/dns.js';
import type { QueryContext } from '../server/query/handle.js';

const fixture = (f: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/${f}`, import.meta.url)), 'utf8');
const { zones } = zonesFromText({
  // *.wcn: a wildcard CNAME, for ANY at a synthesised CNAME; mxonly: a node whose one RRset is an MX.
  'example.com': `${fixture('example.com.zone')}*.wcn 3600 IN CNAME www\nmxonly 3600 IN MX 10 mail\n`,
  'child.example.com': fixture('child.example.com.zone'),
});
const ctx: QueryContext = { zones };  // unsigned path: DO is not set by these rows

interface Row {
  q: [string, string];
  rcode?: string;
  aa?: boolean;
  answer?: string[];
  authority?: string[];
  additional?: string[];
  check?: (r: Reply) => void;
}

const E = 'example.com';
const rows: Record<string, Row> = {
  'positive A, authoritative': { q: [`www.${E}`, 'A'], rcode: 'NOERROR', aa: true, answer: [`www.${E} A`], authority: [], additional: [] },
  'positive TLSA at _443._tcp.www': { q: [`_443._tcp.www.${E}`, 'TLSA'], answer: [`_443._tcp.www.${E} TLSA`] },
  'NODATA carries SOA with negative TTL min(TTL, MINIMUM)': {
    q: [`www.${E}`, 'AAAA'], rcode: 'NOERROR', aa: true, answer: [], authority: [`${E} SOA`],
    check: (r) => assert.equal(r.authorities![0].ttl, 300),
  },
  'NXDOMAIN carries SOA': { q: [`nope.${E}`, 'A'], rcode: 'NXDOMAIN', aa: true, answer: [], authority: [`${E} SOA`] },
  'empty non-terminal _tcp.www is NODATA, not NXDOMAIN': { q: [`_tcp.www.${E}`, 'TLSA'], rcode: 'NOERROR', answer: [], authority: [`${E} SOA`] },
  'ENT from a TLSA (_tcp.xmpp) is NODATA': { q: [`_tcp.xmpp.${E}`, 'A'], rcode: 'NOERROR', answer: [] },
  'wildcard synthesises with the query name as owner': { q: [`foo.wild.${E}`, 'A'], rcode: 'NOERROR', aa: true, answer: [`foo.wild.${E} A`] },
  'wildcard matches several labels deep': { q: [`a.b.c.wild.${E}`, 'TXT'], answer: [`a.b.c.wild.${E} TXT`] },
  'wildcard NODATA': { q: [`foo.wild.${E}`, 'AAAA'], rcode: 'NOERROR', answer: [], authority: [`${E} SOA`] },
  'wildcard does not match an existing name (RFC 4592 §2.2.1)': { q: [`sub.wild.${E}`, 'TXT'], rcode: 'NOERROR', answer: [] },
  'wildcard does not match below an existing name': { q: [`x.sub.wild.${E}`, 'A'], rcode: 'NXDOMAIN' },
  'wildcard TLSA for any port under host': { q: [`_25._tcp.host.${E}`, 'TLSA'], answer: [`_25._tcp.host.${E} TLSA`] },
  'wildcard TLSA does not match outside _tcp.host': { q: [`_25._udp.host.${E}`, 'TLSA'], rcode: 'NXDOMAIN' },
  'CNAME is followed within the zone': { q: [`alias.${E}`, 'A'], rcode: 'NOERROR', aa: true, answer: [`alias.${E} CNAME`, `www.${E} A`] },
  'CNAME query returns the CNAME itself': { q: [`alias.${E}`, 'CNAME'], answer: [`alias.${E} CNAME`] },
  'CNAME chain ends at a TLSA': { q: [`chain1.${E}`, 'TLSA'], answer: [`chain1.${E} CNAME`, `chain2.${E} CNAME`, `_443._tcp.www.${E} TLSA`] },
  'CNAME loop is cut, not followed forever': { q: [`loop1.${E}`, 'A'], rcode: 'NOERROR', answer: [`loop1.${E} CNAME`, `loop2.${E} CNAME`] },
  'CNAME to a missing name: NXDOMAIN for the last name (RFC 6604)': { q: [`dangling.${E}`, 'A'], rcode: 'NXDOMAIN', aa: true, answer: [`dangling.${E} CNAME`], authority: [`${E} SOA`] },
  'CNAME out of our zones stops at the CNAME': { q: [`ext.${E}`, 'A'], rcode: 'NOERROR', answer: [`ext.${E} CNAME`], authority: [] },
  'CNAME to a wildcard name': { q: [`wcname.${E}`, 'A'], answer: [`wcname.${E} CNAME`, `foo.wild.${E} A`] },
  'CNAME into another hosted zone': { q: [`tochild.${E}`, 'A'], rcode: 'NOERROR', aa: true, answer: [`tochild.${E} CNAME`, `www.child.${E} A`] },
  'DNAME synthesis to a TLSA': {
    q: [`_443._tcp.svc.dn.${E}`, 'TLSA'], rcode: 'NOERROR', aa: true,
    answer: [`dn.${E} DNAME`, `_443._tcp.svc.dn.${E} CNAME`, `_443._tcp.svc.target.${E} TLSA`],
    check: (r) => {
      const cname = r.answers!.find((a) => a.type === 'CNAME') as AnyRR;
      assert.equal(cname.ttl, (r.answers!.find((a) => a.type === 'DNAME') as AnyRR).ttl, 'synthesised CNAME takes the DNAME TTL');
      assert.equal(String(cname.data), `_443._tcp.svc.target.${E}`);
    },
  },
  'DNAME owner itself is not redirected': { q: [`dn.${E}`, 'DNAME'], answer: [`dn.${E} DNAME`] },
  'DNAME owner A query is NODATA': { q: [`dn.${E}`, 'A'], rcode: 'NOERROR', answer: [] },
  'DNAME synthesis that ends in NXDOMAIN': { q: [`nothing.dn.${E}`, 'A'], rcode: 'NXDOMAIN', answer: [`dn.${E} DNAME`, `nothing.dn.${E} CNAME`] },
  'DNAME synthesis too long: YXDOMAIN (RFC 6672 §2.2)': {
    q: [`${'x'.repeat(63)}.${'y'.repeat(63)}.longdn.${E}`, 'A'], rcode: 'YXDOMAIN', answer: [`longdn.${E} DNAME`],
  },
  'referral: NS in authority, AA=0, glue in additional': {
    q: [`www.sub.${E}`, 'A'], rcode: 'NOERROR', aa: false, answer: [], authority: [`sub.${E} NS`], additional: [`ns.sub.${E} A`],
  },
  'referral at the cut name itself': { q: [`sub.${E}`, 'A'], aa: false, authority: [`sub.${E} NS`] },
  'referral without DO carries no DS (RFC 4035 §3.1.4)': { q: [`www.ins.${E}`, 'A'], aa: false, authority: [`ins.${E} NS`] },
  'referral for NS at the cut is a referral, not an answer': { q: [`sub.${E}`, 'NS'], aa: false, answer: [], authority: [`sub.${E} NS`] },
  'DS answered from the parent side of a cut': { q: [`ins.${E}`, 'DS'], rcode: 'NOERROR', aa: true, answer: [`ins.${E} DS`] },
  'DS NODATA at an unsigned cut, from the parent': { q: [`sub.${E}`, 'DS'], rcode: 'NOERROR', aa: true, answer: [], authority: [`${E} SOA`] },
  'DS for a hosted child comes from the hosted parent': { q: [`child.${E}`, 'DS'], aa: true, answer: [`child.${E} DS`] },
  'hosted child zone wins by longest match': { q: [`www.child.${E}`, 'A'], aa: true, answer: [`www.child.${E} A`] },
  'hosted child apex SOA': { q: [`child.${E}`, 'SOA'], aa: true, answer: [`child.${E} SOA`] },
  'MX answer adds in-zone target addresses': { q: [E, 'MX'], answer: [`${E} MX`], additional: [`mail.${E} A`, `mail.${E} AAAA`] },
  'SRV answer adds target address': { q: [`_xmpp-client._tcp.${E}`, 'SRV'], answer: [`_xmpp-client._tcp.${E} SRV`], additional: [`xmpp.${E} A`] },
  'XMPP TLSA at _5269._tcp': { q: [`_5269._tcp.xmpp.${E}`, 'TLSA'], answer: [`_5269._tcp.xmpp.${E} TLSA`] },
  'NS answer at apex adds in-zone address, not out-of-zone': { q: [E, 'NS'], answer: [`${E} NS`, `${E} NS`], additional: [`ns1.${E} A`] },
  'RFC 1034 §4.3.2 step 3a: ANY at a CNAME owner matches the CNAME, and the chain is not followed': {
    q: [`alias.${E}`, 'ANY'], rcode: 'NOERROR', aa: true, answer: [`alias.${E} CNAME`], authority: [],
  },
  'RFC 1034 §4.3.2 step 3a: ANY at a wildcard CNAME matches the synthesised CNAME, not followed': {
    q: [`x.wcn.${E}`, 'ANY'], rcode: 'NOERROR', aa: true, answer: [`x.wcn.${E} CNAME`], authority: [],
  },
  'RFC 6672 §3.2 with RFC 1034 §4.3.2 step 3a: a CNAME query below a DNAME is answered by the synthesised CNAME': {
    q: [`x.dn.${E}`, 'CNAME'], rcode: 'NOERROR', aa: true, answer: [`dn.${E} DNAME`, `x.dn.${E} CNAME`], authority: [],
  },
  'ANY answered with an MX RRset adds its targets\' addresses, as an MX answer does (RFC 1035 §3.3.9)': {
    q: [`mxonly.${E}`, 'ANY'], answer: [`mxonly.${E} MX`], additional: [`mail.${E} A`, `mail.${E} AAAA`],
  },
  'ANY is answered minimally with one RRset (RFC 8482)': { q: [`mail.${E}`, 'ANY'], rcode: 'NOERROR', check: (r) => assert.equal(new Set(rrs(r.answers)).size, 1) },
  'name outside our zones: REFUSED': { q: ['www.example.org', 'A'], rcode: 'REFUSED', aa: false, answer: [] },
  'parent of our zones: REFUSED': { q: ['com', 'SOA'], rcode: 'REFUSED' },
};

for (const [title, row] of Object.entries(rows)) {
  test(title, () => {
    const r = ask(ctx, row.q[0], row.q[1], { udpSize: 4096 });
    if (row.rcode) assert.equal(r.rcode, row.rcode, 'rcode');
    if (row.aa !== undefined) assert.equal(r.flag_aa, row.aa, 'AA bit');
    if (row.answer) assert.deepEqual(rrs(r.answers), row.answer, 'answer section');
    if (row.authority) assert.deepEqual(rrs(r.authorities), row.authority, 'authority section');
    if (row.additional) assert.deepEqual(rrs(r.additionals), row.additional, 'additional section');
    row.check?.(r);
  });
}

test('question is echoed exactly as asked; lookup is case-insensitive', () => {
  const r = ask(ctx, 'WwW.ExAmPlE.cOm', 'A');
  assert.equal(r.questions![0].name, 'WwW.ExAmPlE.cOm');
  assert.deepEqual(rrs(r.answers), [`www.${E} A`]);
  assert.equal(r.id, 4242);
});
