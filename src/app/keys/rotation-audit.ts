/**
 * The `key_rotation` audit entry, written inside the rotation's own transaction (SqlKeyStore's
 * onRotation hook), so a rotation is never on record without its audit entry or the reverse.
 */
import { SYSTEM_ACTOR } from '../../core/actor.js';
import type { KeyRotationEvent } from '../../core/keys/types.js';
import type { SqlAuditStore } from '../../adapters/sql/audit-store.js';
import type { RotationHook } from '../../adapters/sql/key-store.js';
import { type AuditService, sealLink } from '../services/audit.js';
import { KeyService } from '../services/keys.js';

export function rotationAuditHook(audit: AuditService, auditStore: SqlAuditStore): RotationHook {
  const draftOf = (event: KeyRotationEvent) => {
    const actor = KeyService.rotationActor.getStore() ?? SYSTEM_ACTOR;
    return audit.prepare({
      event_type: 'key_rotation',
      user_id: event.rotated_by,
      source_ip: actor.ip,
      action: 'key.rotate',
      outcome: 'allowed',
      timestamp: event.timestamp.getTime(),
      metadata: {
        key_name: event.key_id,
        rotation_id: event.id,
        version_from: event.version_from,
        version_to: event.version_to,
        ...(event.notes !== null ? { notes: event.notes } : {}),
      },
    });
  };
  return {
    inTransaction: async (trx, event) => {
      await auditStore.appendInTransaction(trx, [draftOf(event)], sealLink);
    },
    inSqliteTransaction: (event) => {
      auditStore.appendInSqliteTransaction([draftOf(event)], sealLink);
    },
  };
}
