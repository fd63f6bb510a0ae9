// One structured `key` log event per DNSSEC key a commit created or imported: zone, key tag, role, algorithm, state — never key material.
import type { Store } from '../zones/store/sqlite.js';
import type { Name } from '../zones/model/name.js';
import type { Logger } from './log.js';

/** Log the zone's keys that `which` selects (default: all of them, as after a zone's creation). */
export function logKeys(log: Logger, store: Store, apex: Name, action: 'created' | 'imported', actor: string, which: (keyTag: number) => boolean = () => true): void {
  const row = store.zone(apex);
  if (!row) return;
  for (const k of store.keys(row.id)) {
    if (!which(k.key_tag)) continue;
    log(`key ${action}: ${apex} ${k.role} key tag ${k.key_tag} (algorithm ${k.algorithm}, ${k.state}) by ${actor}`, {
      event: 'key', zone: apex, action, keytag: k.key_tag, role: k.role, algorithm: k.algorithm, state: k.state, actor,
    });
  }
}
