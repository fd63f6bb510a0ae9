// Which RRsets of one zone a credential may change — the RFC 6394 §3.4 delegated-service model, one implementation for API tokens and UPDATE keys.
import { isInZone, type Name } from './model/name.js';
import { RRType, isDnssecDerivedType, typeToText } from './model/types.js';

/**
 * A delegated-service operator's reach in one zone: owner names (each alone, or with
 * everything below it) and types. No types means any type the zone's data may hold, except
 * those that run the zone itself: SOA, NS at the apex, and what the signer makes.
 */
export interface RRsetScope {
  zone: Name;
  names: readonly Name[];
  subtree: boolean;
  types: readonly number[];
}

/** Types a scope without explicit types does not cover: the zone's own (SOA, apex NS) and the signer's. */
function runsTheZone(zone: Name, name: Name, type: number): boolean {
  if (isDnssecDerivedType(type) || type === RRType.DNSKEY || type === RRType.CDS || type === RRType.CDNSKEY) return true;
  return type === RRType.SOA || (type === RRType.NS && name === zone);
}

/**
 * Why `scope` does not cover the RRset (zone, name, type), or undefined when it does. With no
 * name or type, only that part is asked about. `whose` names the credential in the message.
 */
export function scopeProblem(scope: RRsetScope, zone: Name, name?: Name, type?: number, whose = "this token's"): string | undefined {
  if (scope.zone !== zone) return `zone ${zone} is outside ${whose} scope (zone ${scope.zone})`;
  if (name !== undefined && !scope.names.some((n) => n === name || (scope.subtree && isInZone(name, n)))) {
    return `name ${name} is outside ${whose} scope (${scope.names.join(', ')}${scope.subtree ? ' and below' : ''})`;
  }
  if (type !== undefined) {
    if (scope.types.length ? !scope.types.includes(type) : runsTheZone(zone, name ?? zone, type)) {
      return `type ${typeToText(type)} is outside ${whose} scope (${scope.types.length ? scope.types.map(typeToText).join(', ') : 'any type but SOA, apex NS and DNSSEC'})`;
    }
  }
  return undefined;
}
