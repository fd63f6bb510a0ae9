// Zone semantic rules (RFC 1034, RFC 2181 §10.1, RFC 6672 §2.3-2.4): checked on import and on every edit.
import { type Name, parentName, isInZone } from './model/name.js';
import { RRType, typeToText } from './model/types.js';
import type { Zone } from './zone.js';
import { apexOnlyProblem, tlsaProblem } from './record-rules.js';

export class ZoneCheckError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** Types that may share an owner with a CNAME (RFC 2181 §10.1, RFC 4035 §2.5). */
const CNAME_COMPANIONS = new Set<number>([RRType.CNAME, RRType.RRSIG, RRType.NSEC]);
/** Types that may stand at a delegation point: the cut itself, DS, and glue for an NS named at the cut. */
const AT_CUT = new Set<number>([RRType.NS, RRType.DS, RRType.A, RRType.AAAA, RRType.RRSIG, RRType.NSEC]);
/** Below a delegation only glue may stand (RFC 1034 §4.2.1): everything else is occluded. */
const GLUE = new Set<number>([RRType.A, RRType.AAAA]);

/** Problems for one name in its zone context; empty when the name is fine. */
export function checkName(zone: Zone, name: Name): string[] {
  const node = zone.get(name);
  if (!node) return [];
  const problems: string[] = [];
  const types = [...node.rrsets.keys()];
  const say = (t: number, msg: string) => problems.push(`${name} ${typeToText(t)}: ${msg}`);
  const isApex = name === zone.apex;

  if (isApex) {
    const soa = node.rrsets.get(RRType.SOA);
    if (!soa) problems.push(`${name}: zone apex has no SOA`);
    else if (soa.rdatas.length !== 1) say(RRType.SOA, 'exactly one SOA record is allowed at the apex');
    if (!node.rrsets.has(RRType.NS)) problems.push(`${name}: zone apex has no NS records`);
    if (node.rrsets.has(RRType.DS)) say(RRType.DS, 'DS belongs in the parent zone, not at the apex');
  } else {
    if (node.rrsets.has(RRType.SOA)) say(RRType.SOA, 'SOA is only allowed at the zone apex');
  }

  for (const type of types) {
    const misplaced = apexOnlyProblem(name, type, zone.apex);
    if (misplaced) say(type, misplaced);
  }
  for (const rdata of node.rrsets.get(RRType.TLSA)?.rdatas ?? []) {
    const problem = tlsaProblem(rdata);
    if (problem) say(RRType.TLSA, problem);
  }

  const cname = node.rrsets.get(RRType.CNAME);
  if (cname) {
    if (cname.rdatas.length > 1) say(RRType.CNAME, 'a CNAME RRset holds exactly one record (RFC 2181 §10.1)');
    for (const t of types) if (!CNAME_COMPANIONS.has(t)) say(RRType.CNAME, `CNAME cannot coexist with ${typeToText(t)} (RFC 2181 §10.1)`);
  }
  const dname = node.rrsets.get(RRType.DNAME);
  if (dname) {
    if (dname.rdatas.length > 1) say(RRType.DNAME, 'a DNAME RRset holds exactly one record (RFC 6672 §2.4)');
    if (node.children > 0) say(RRType.DNAME, 'names exist below this DNAME (RFC 6672 §2.3)');
  }

  const isCut = !isApex && node.rrsets.has(RRType.NS);
  if (isCut) {
    for (const t of types) if (!AT_CUT.has(t)) say(t, 'occluded: a delegation point holds only NS, DS and glue');
  } else if (node.rrsets.has(RRType.DS)) {
    if (!isApex) say(RRType.DS, 'DS is only allowed at a delegation point (with NS)');
  }

  // Ancestors: a DNAME above makes any name here illegal; a delegation above occludes all but glue.
  for (let a = parentName(name); isInZone(a, zone.apex) && name !== zone.apex; a = parentName(a)) {
    const an = zone.get(a);
    if (an?.rrsets.has(RRType.DNAME) && node.rrsets.size > 0) {
      problems.push(`${name}: data below the DNAME at ${a} (RFC 6672 §2.3)`);
    }
    if (a !== zone.apex && an?.rrsets.has(RRType.NS)) {
      for (const t of types) if (!GLUE.has(t)) say(t, `occluded by the delegation at ${a}; only glue (A/AAAA) may stand below a zone cut`);
    }
    if (a === zone.apex) break;
  }
  return problems;
}

/** Check names an edit touched (and, for new cuts/DNAMEs, what lies below them); throws on any problem. */
export function checkNames(zone: Zone, names: Iterable<Name>, expandCuts = true): void {
  const problems: string[] = [];
  const seen = new Set<Name>();
  const visit = (n: Name) => {
    if (seen.has(n)) return;
    seen.add(n);
    problems.push(...checkName(zone, n));
  };
  for (const n of names) {
    visit(n);
    const node = zone.get(n);
    // A new delegation over existing names occludes them: check the subtree (rare edit, so a scan is fine).
    if (expandCuts && node && n !== zone.apex && node.children > 0 && node.rrsets.has(RRType.NS)) {
      for (const other of zone.nodes.keys()) if (other !== n && isInZone(other, n)) visit(other);
    }
  }
  if (!zone.get(zone.apex)?.rrsets.has(RRType.SOA)) problems.unshift(`${zone.apex}: zone apex has no SOA`);
  if (problems.length) throw new ZoneCheckError([...new Set(problems)]);
}

/** Whole-zone check, as run on import. */
export function checkZone(zone: Zone): void {
  checkNames(zone, zone.nodes.keys(), false); // every name is visited anyway
}
