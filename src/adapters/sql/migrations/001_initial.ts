/**
 * 001: every table of the data model, its indexes, the two derived views and the append-only
 * guard on the audit log. Column types are chosen to mean the same on SQLite and PostgreSQL
 * (BIGINT epoch-ms times, TEXT JSON, INTEGER booleans); only triggers differ by dialect.
 */
import { type Kysely, sql } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

type Db = Kysely<unknown>;

async function createTables(db: Db): Promise<void> {
  await db.schema
    .createTable('vulnerabilities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('cve', 'text')
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('cwes', 'text', (c) => c.notNull())
    .addColumn('cvss_score', 'double precision', (c) => c.notNull())
    .addColumn('cvss_vector', 'text')
    .addColumn('cvss_version', 'text')
    .addColumn('owasp_category', 'text', (c) => c.notNull())
    .addColumn('owasp_edition', 'text', (c) => c.notNull())
    .addColumn('component', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('severity_override_reason', 'text')
    .addColumn('discovered_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('remediation', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addCheckConstraint('vulnerabilities_score_range', sql`cvss_score >= 0 and cvss_score <= 10`)
    .addCheckConstraint(
      'vulnerabilities_status',
      sql`status in ('open', 'in_progress', 'mitigated', 'resolved')`,
    )
    .addCheckConstraint('vulnerabilities_severity', sql`severity in ('critical', 'high', 'medium', 'low')`)
    .execute();
  for (const col of ['status', 'severity', 'owasp_category', 'component', 'cve']) {
    await db.schema.createIndex(`vulnerabilities_${col}_idx`).on('vulnerabilities').column(col).execute();
  }

  await db.schema
    .createTable('vulnerability_transitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vulnerability_id', 'text', (c) => c.notNull().references('vulnerabilities.id'))
    .addColumn('from_status', 'text', (c) => c.notNull())
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('vulnerability_transitions_vuln_idx')
    .on('vulnerability_transitions')
    .columns(['vulnerability_id', 'at'])
    .execute();

  await db.schema
    .createTable('security_audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull().unique())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('source_ip', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addCheckConstraint(
      'audit_event_type',
      sql`event_type in ('auth_failure', 'auth_success', 'authorization_violation', 'rate_limit_trigger', 'key_rotation', 'config_change')`,
    )
    .addCheckConstraint('audit_outcome', sql`outcome in ('allowed', 'denied', 'error')`)
    .execute();
  await db.schema
    .createIndex('audit_event_type_idx')
    .on('security_audit_log')
    .columns(['event_type', 'timestamp'])
    .execute();
  await db.schema.createIndex('audit_timestamp_idx').on('security_audit_log').column('timestamp').execute();
  await db.schema
    .createIndex('audit_user_id_idx')
    .on('security_audit_log')
    .columns(['user_id', 'timestamp'])
    .execute();
  await db.schema
    .createIndex('audit_source_ip_idx')
    .on('security_audit_log')
    .columns(['source_ip', 'timestamp'])
    .execute();

  await db.schema
    .createTable('audit_chain_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('audit_chain_head' as never)
    .values({ id: 1, seq: 0, hash: '0'.repeat(64) } as never)
    .execute();

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('authentication_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text')
    .addColumn('sender', 'text')
    .addColumn('source_ip', 'text', (c) => c.notNull())
    .addColumn('ip_key', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('failure_detail', 'text')
    .addColumn('rl_bucket_state', 'text', (c) => c.notNull())
    .addCheckConstraint('attempt_result', sql`result in ('success', 'failure')`)
    .execute();
  await db.schema
    .createIndex('attempts_timestamp_idx')
    .on('authentication_attempts')
    .column('timestamp')
    .execute();
  await db.schema
    .createIndex('attempts_ip_idx')
    .on('authentication_attempts')
    .columns(['source_ip', 'timestamp'])
    .execute();
  await db.schema
    .createIndex('attempts_ip_key_idx')
    .on('authentication_attempts')
    .columns(['ip_key', 'timestamp'])
    .execute();
  await db.schema
    .createIndex('attempts_user_idx')
    .on('authentication_attempts')
    .columns(['user_id', 'timestamp'])
    .execute();

  await db.schema
    .createTable('rate_limit_buckets')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('state', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rate_limit_buckets_expiry_idx')
    .on('rate_limit_buckets')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('lockouts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('locked_until', 'bigint', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('failures', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('rate_limit_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('captured_at', 'bigint', (c) => c.notNull())
    .addColumn('per_ip_limit', 'integer', (c) => c.notNull())
    .addColumn('per_sender_limit', 'integer', (c) => c.notNull())
    .addColumn('counters', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('snapshots_captured_idx')
    .on('rate_limit_snapshots')
    .column('captured_at')
    .execute();

  await db.schema
    .createTable('scans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();

  await db.schema
    .createTable('dependency_manifests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scan_id', 'text', (c) => c.notNull().references('scans.id'))
    .addColumn('lockfile', 'text', (c) => c.notNull())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('package', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('purl', 'text', (c) => c.notNull())
    .addColumn('direct', 'integer', (c) => c.notNull())
    .addColumn('dep_groups', 'text', (c) => c.notNull())
    .addColumn('cves', 'text', (c) => c.notNull())
    .addColumn('advisory_ids', 'text', (c) => c.notNull())
    .addColumn('severity_max', 'text', (c) => c.notNull())
    .addColumn('scanned_at', 'bigint', (c) => c.notNull())
    .addColumn('approved', 'integer', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('approval_reason', 'text')
    .addColumn('approved_until', 'bigint')
    .addCheckConstraint(
      'manifest_severity',
      sql`severity_max in ('critical', 'high', 'medium', 'low', 'none')`,
    )
    .execute();
  await db.schema.createIndex('manifests_scan_idx').on('dependency_manifests').column('scan_id').execute();
  await db.schema
    .createIndex('manifests_package_idx')
    .on('dependency_manifests')
    .columns(['package', 'version'])
    .execute();
  await db.schema
    .createIndex('manifests_severity_idx')
    .on('dependency_manifests')
    .column('severity_max')
    .execute();

  await db.schema
    .createTable('advisories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('modified', 'bigint', (c) => c.notNull())
    .addColumn('withdrawn', 'bigint')
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('advisory_packages')
    .addColumn('advisory_id', 'text', (c) => c.notNull().references('advisories.id'))
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_packages_pk', ['advisory_id', 'ecosystem', 'name'])
    .execute();
  await db.schema
    .createIndex('advisory_packages_name_idx')
    .on('advisory_packages')
    .columns(['ecosystem', 'name'])
    .execute();
  await db.schema
    .createTable('advisory_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('modified', 'bigint', (c) => c.notNull())
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('package', 'text')
    .addColumn('version_range', 'text')
    .addColumn('dep_path', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('approver', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('min_decryption_version', 'integer', (c) => c.notNull())
    .addColumn('auto_rotate_period_ms', 'bigint')
    .addColumn('deletion_allowed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('key_versions')
    .addColumn('key_name', 'text', (c) => c.notNull().references('keys.name'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('material', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .addPrimaryKeyConstraint('key_versions_pk', ['key_name', 'version'])
    .execute();
  await db.schema
    .createTable('key_rotation_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('version_from', 'integer', (c) => c.notNull())
    .addColumn('version_to', 'integer', (c) => c.notNull())
    .addColumn('rotated_by', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('notes', 'text')
    // Two rotations racing from the same version: the second insert fails here, exactly one wins.
    .addUniqueConstraint('key_rotation_events_once', ['key_id', 'version_to'])
    .execute();
  await db.schema
    .createTable('keyring_meta')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('owasp_reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('edition', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('reviewed_by', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('posture_snapshots')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('captured_at', 'bigint', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute();
}

async function createViews(db: Db): Promise<void> {
  await sql`
    create view security_posture_summary as
      select 'severity' as dimension, severity as value, null as edition, count(*) as count
        from vulnerabilities group by severity
      union all
      select 'category', owasp_category, owasp_edition, count(*)
        from vulnerabilities group by owasp_category, owasp_edition
      union all
      select 'status', status, null, count(*)
        from vulnerabilities group by status
  `.execute(db);

  // Every failed attempt with the number of failures from the same key in the sliding 10-minute
  // and 1-hour windows ending at it: the raw material the anomaly classifier works from.
  await sql`
    create view auth_anomaly_view as
      select 'ip' as key_type, ip_key as key, id as attempt_id, timestamp, user_id, source_ip,
             count(*) over (partition by ip_key order by timestamp
                            range between 600000 preceding and current row) as failures_10m,
             count(*) over (partition by ip_key order by timestamp
                            range between 3600000 preceding and current row) as failures_1h
        from authentication_attempts where result = 'failure'
      union all
      select 'user', user_id, id, timestamp, user_id, source_ip,
             count(*) over (partition by user_id order by timestamp
                            range between 600000 preceding and current row),
             count(*) over (partition by user_id order by timestamp
                            range between 3600000 preceding and current row)
        from authentication_attempts where result = 'failure' and user_id is not null
  `.execute(db);
}

/** The database refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) of audit rows, whoever sends them. */
async function createAppendOnlyGuards(db: Db, dialect: SqlDialectName): Promise<void> {
  const tables = ['security_audit_log', 'audit_checkpoints'];
  if (dialect === 'sqlite') {
    for (const t of tables) {
      for (const op of ['update', 'delete']) {
        await sql
          .raw(
            `create trigger ${t}_no_${op} before ${op} on ${t}
             begin select raise(abort, '${t} is append-only: ${op.toUpperCase()} refused'); end`,
          )
          .execute(db);
      }
    }
    return;
  }
  await sql`
    create or replace function bulwark_refuse_audit_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001';
    end $$
  `.execute(db);
  for (const t of tables) {
    await sql
      .raw(
        `create trigger ${t}_no_change before update or delete on ${t}
         for each row execute function bulwark_refuse_audit_change()`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${t}_no_truncate before truncate on ${t}
         for each statement execute function bulwark_refuse_audit_change()`,
      )
      .execute(db);
  }
}

export function migration001(dialect: SqlDialectName) {
  return {
    async up(db: Db): Promise<void> {
      await createTables(db);
      await createViews(db);
      await createAppendOnlyGuards(db, dialect);
    },
  };
}
