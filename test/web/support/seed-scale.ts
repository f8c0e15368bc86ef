/**
 * Bulk seeding for the scale test, straight into SQLite with multi-row prepared inserts in one
 * transaction (the service paths are exercised elsewhere; here only volume matters). Audit rows are
 * properly chained (the product's own hash link), so the ledger still verifies after seeding.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { SQLITE_AUDIT_STORED_COLUMNS } from '../../../src/adapters/sql/audit-store.js';
import { sealLink } from '../../../src/app/services/audit.js';
import { newId } from '../../../src/core/ids.js';
import type { AuditDraft } from '../../../src/core/ports/audit-store.js';
import type { VulnerabilityRecord } from '../../../src/core/ports/vulnerability-store.js';

const EVENT_TYPES = [
  'auth_failure',
  'auth_success',
  'authorization_violation',
  'rate_limit_trigger',
  'config_change',
];
const OUTCOMES = ['denied', 'allowed', 'denied', 'denied', 'allowed'];

function multiInsert(
  db: BetterSqlite3.Database,
  table: string,
  columns: readonly string[],
  rowsPerStatement: number,
) {
  const one = `(${columns.map(() => '?').join(', ')})`;
  const sql = (n: number) =>
    `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: n }, () => one).join(', ')}`;
  const full = db.prepare(sql(rowsPerStatement));
  return (rows: unknown[][]) => {
    let i = 0;
    for (; i + rowsPerStatement <= rows.length; i += rowsPerStatement)
      full.run(rows.slice(i, i + rowsPerStatement).flat());
    if (i < rows.length) db.prepare(sql(rows.length - i)).run(rows.slice(i).flat());
  };
}

/** Appends `count` chained audit rows over the last `spanMs` before `now`, continuing the current head. */
export function seedAuditRows(
  db: BetterSqlite3.Database,
  count: number,
  now: number,
  spanMs = 30 * 86_400_000,
) {
  // SQLite stores seq, body and hash; the other columns are generated from body (migration 006).
  const insert = multiInsert(db, 'security_audit_log', SQLITE_AUDIT_STORED_COLUMNS, 1000);
  const run = db.transaction(() => {
    const head = db.prepare('select seq, hash from audit_chain_head where id = 1').get() as {
      seq: number;
      hash: string;
    };
    let seq = Number(head.seq);
    let prev = head.hash;
    const start = now - spanMs;
    const step = spanMs / count;
    const CHUNK = 20_000;
    for (let done = 0; done < count; done += CHUNK) {
      const rows: unknown[][] = [];
      for (let i = done; i < Math.min(count, done + CHUNK); i++) {
        const k = i % EVENT_TYPES.length;
        const draft: AuditDraft = {
          id: newId(),
          event_type: EVENT_TYPES[k]!,
          user_id: `user${i % 997}`,
          source_ip: `198.51.${(i >> 8) % 256}.${i % 256}`,
          action: k < 2 ? 'POST /auth/login' : 'GET /security/vulnerabilities',
          outcome: OUTCOMES[k]!,
          timestamp: Math.floor(start + i * step),
          metadata: `{"n":${i}}`,
        };
        seq += 1;
        const { body, hash } = sealLink(draft, seq, prev);
        rows.push([seq, body, hash]);
        prev = hash;
      }
      insert(rows);
    }
    db.prepare('update audit_chain_head set seq = ?, hash = ? where id = 1').run(seq, prev);
  });
  run.immediate();
}

const SEVERITY_SCORES: [VulnerabilityRecord['severity'], number][] = [
  ['critical', 9.8],
  ['high', 7.5],
  ['medium', 5.3],
  ['low', 2.1],
];
const STATUSES: VulnerabilityRecord['status'][] = ['open', 'in_progress', 'mitigated', 'resolved'];

/** Inserts `count` vulnerabilities varying severity, status, category and component, around `template`. */
export function seedVulnerabilities(
  db: BetterSqlite3.Database,
  count: number,
  template: VulnerabilityRecord,
) {
  const columns = Object.keys(rowOf(template, 0));
  const insert = multiInsert(db, 'vulnerabilities', columns, 200);
  const run = db.transaction(() => {
    const CHUNK = 10_000;
    for (let done = 0; done < count; done += CHUNK) {
      const rows: unknown[][] = [];
      for (let i = done; i < Math.min(count, done + CHUNK); i++) rows.push(Object.values(rowOf(template, i)));
      insert(rows);
    }
  });
  run.immediate();
}

function rowOf(t: VulnerabilityRecord, i: number) {
  const [severity, score] = SEVERITY_SCORES[i % 4]!;
  const status = STATUSES[Math.floor(i / 4) % 4]!;
  return {
    id: newId(),
    title: `Bulk finding ${i}`,
    description: t.description,
    cve: null,
    aliases: '[]',
    cwes: '[]',
    cvss_score: score,
    cvss_vector: null,
    cvss_version: null,
    owasp_category: `A${String((i % 10) + 1).padStart(2, '0')}`,
    owasp_edition: '2025',
    component: `pkg-${i % 500}@1.0.${i % 7}`,
    severity,
    severity_override_reason: null,
    discovered_at: t.discovered_at - (i % 90) * 86_400_000,
    status,
    remediation: t.remediation,
    due_at: t.due_at - (i % 90) * 86_400_000,
    source: 'manual',
    source_key: null,
    created_at: t.created_at,
    updated_at: t.updated_at,
    resolved_at: status === 'resolved' ? t.created_at : null,
  };
}
