// What the PowerDNS-compatible API is given: the admin API's services, plus a way to NOTIFY a zone's secondaries on request.
import type { Name } from '../../zones/model/name.js';
import type { ApiDeps } from '../admin/deps.js';

export interface PdnsApiDeps extends ApiDeps {
  /** Send NOTIFY for the zone's current SOA to its secondaries now (`PUT …/notify`). */
  notify?: (apex: Name) => void;
}
