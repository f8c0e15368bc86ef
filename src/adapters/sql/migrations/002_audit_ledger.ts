/**
 * 002: indexes for the audit ledger's read paths. GET /security/logs orders by seq (newest first by
 * default) and pages by seq, so each equality filter gets a (column, seq) index: the database walks
 * the index in seq order and stops after one page instead of sorting every matching row.
 * The action prefix is a range on `action`; (action, seq) serves it.
 */
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

const INDEXES: Array<[string, string[]]> = [
  ['audit_event_type_seq_idx', ['event_type', 'seq']],
  ['audit_user_id_seq_idx', ['user_id', 'seq']],
  ['audit_source_ip_seq_idx', ['source_ip', 'seq']],
  ['audit_outcome_seq_idx', ['outcome', 'seq']],
  ['audit_action_seq_idx', ['action', 'seq']],
];

export function migration002(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const [name, columns] of INDEXES) {
        await db.schema.createIndex(name).on('security_audit_log').columns(columns).execute();
      }
    },
  };
}
