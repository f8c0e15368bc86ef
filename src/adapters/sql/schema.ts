/**
 * The table shapes as Kysely sees them. Times are epoch milliseconds (BIGINT) on every backend so
 * that ordering, windows and arithmetic are identical in SQLite and PostgreSQL; JSON is stored as
 * canonical text for the same reason (and because the audit chain hashes exactly what is stored).
 * Booleans are 0/1 integers for the same reason. See docs/DECISIONS.md.
 */
export interface VulnerabilitiesTable {
  id: string;
  title: string;
  description: string;
  cve: string | null;
  aliases: string; // JSON string[]
  cwes: string; // JSON string[]
  cvss_score: number;
  cvss_vector: string | null;
  cvss_version: string | null;
  owasp_category: string;
  owasp_edition: string;
  component: string;
  severity: string;
  severity_override_reason: string | null;
  discovered_at: number;
  status: string;
  remediation: string;
  due_at: number;
  source: string; // manual | scan
  source_key: string | null; // for scan findings: ecosystem/package@version/advisory, so re-scans do not duplicate
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
}

export interface VulnerabilityTransitionsTable {
  id: string;
  vulnerability_id: string;
  from_status: string;
  to_status: string;
  actor: string;
  note: string | null;
  at: number;
}

export interface AuditLogTable {
  id: string;
  seq: number;
  event_type: string;
  user_id: string | null;
  source_ip: string;
  action: string;
  outcome: string;
  timestamp: number;
  metadata: string; // canonical JSON, redacted before write
  prev_hash: string;
  hash: string;
  /**
   * SQLite only (migration 006): the text the hash covers after prev_hash; every column above but
   * seq and hash is generated from it there. PostgreSQL has no such column.
   */
  body?: string;
}

export interface AuditChainHeadTable {
  id: number; // always 1: the single row that serialises appends
  seq: number;
  hash: string;
}

export interface AuditCheckpointsTable {
  seq: number;
  hash: string;
  time: number;
  key_id: string;
  key_version: number;
  signature: string;
}

export interface AuthAttemptsTable {
  id: string;
  user_id: string | null;
  sender: string | null;
  source_ip: string;
  ip_key: string; // source_ip, or its IPv6 prefix, the key limits and the anomaly view group on
  timestamp: number;
  result: string;
  failure_reason: string | null;
  failure_detail: string | null;
  rl_bucket_state: string; // JSON
}

export interface RateLimitBucketsTable {
  key: string;
  state: number; // GCRA theoretical arrival time (ms) or counter, per the limiter
  tat_rem: number; // GCRA remainder in 1/limit ms (migration 003)
  expires_at: number;
}

export interface LockoutsTable {
  key: string;
  locked_until: number;
  level: number;
  failures: string; // JSON number[] of recent failure times
  updated_at: number;
  expires_at: number;
}

export interface RateLimitSnapshotsTable {
  id: string;
  captured_at: number;
  per_ip_limit: number;
  per_sender_limit: number;
  counters: string; // JSON
}

export interface DependencyManifestsTable {
  id: string;
  scan_id: string;
  lockfile: string;
  ecosystem: string;
  package: string;
  version: string;
  purl: string;
  direct: number;
  dep_groups: string; // JSON string[]
  cves: string; // JSON string[]
  advisory_ids: string; // JSON string[]
  severity_max: string;
  scanned_at: number;
  approved: number;
  approved_by: string | null;
  approval_reason: string | null;
  approved_until: number | null;
  dep_paths: string; // JSON string[][] (004)
  kind: string; // registry | git | tarball | workspace | link | file (004)
  commit_sha: string | null; // git dependencies (004)
}

export interface ScansTable {
  id: string;
  status: string; // queued | running | done | failed
  created_at: number;
  finished_at: number | null;
  requested_by: string;
  summary: string; // JSON
  error: string | null;
  result: string | null; // JSON: findings and the approval report (004)
  lockfiles: string; // JSON string[] (004)
}

export interface AdvisoriesTable {
  id: string;
  modified: number;
  withdrawn: number | null;
  aliases: string; // JSON
  record: string; // JSON, the OSV record
  imported_at: number;
}

export interface AdvisoryPackagesTable {
  advisory_id: string;
  ecosystem: string;
  name: string;
}

export interface AdvisoryHistoryTable {
  id: string;
  advisory_id: string;
  modified: number;
  imported_at: number;
}

export interface ApprovalsTable {
  id: string;
  advisory_id: string;
  package: string | null;
  version_range: string | null;
  dep_path: string | null;
  reason: string;
  approver: string;
  expires_at: number;
  created_at: number;
  revoked_at: number | null;
  source: string; // policy | api
}

export interface KeysTable {
  name: string;
  type: string;
  latest_version: number;
  min_decryption_version: number;
  auto_rotate_period_ms: number | null;
  deletion_allowed: number;
  created_at: number;
  updated_at: number;
}

export interface KeyVersionsTable {
  key_name: string;
  version: number;
  material: string; // wrapped under the master key; never plaintext
  public_key: string | null;
  created_at: number;
  deleted_at: number | null;
}

export interface KeyRotationEventsTable {
  id: string;
  key_id: string;
  version_from: number;
  version_to: number;
  rotated_by: string;
  timestamp: number;
  notes: string | null;
}

export interface KeyringMetaTable {
  name: string;
  value: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  scope: string;
  token_hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface OwaspReviewsTable {
  id: string;
  category: string;
  edition: string;
  kind: string; // control | finding_review
  title: string;
  reviewed_by: string;
  at: number;
}

export interface PostureSnapshotsTable {
  day: string; // YYYY-MM-DD
  captured_at: number;
  summary: string; // JSON
}

export interface PostureSummaryView {
  dimension: string;
  value: string;
  edition: string | null;
  count: number;
}

export interface AuthAnomalyView {
  key_type: string;
  key: string;
  attempt_id: string;
  timestamp: number;
  user_id: string | null;
  source_ip: string;
  failures_10m: number;
  failures_1h: number;
}

export interface Database {
  vulnerabilities: VulnerabilitiesTable;
  vulnerability_transitions: VulnerabilityTransitionsTable;
  security_audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
  audit_checkpoints: AuditCheckpointsTable;
  authentication_attempts: AuthAttemptsTable;
  rate_limit_buckets: RateLimitBucketsTable;
  lockouts: LockoutsTable;
  rate_limit_snapshots: RateLimitSnapshotsTable;
  dependency_manifests: DependencyManifestsTable;
  scans: ScansTable;
  advisories: AdvisoriesTable;
  advisory_packages: AdvisoryPackagesTable;
  advisory_history: AdvisoryHistoryTable;
  approvals: ApprovalsTable;
  keys: KeysTable;
  key_versions: KeyVersionsTable;
  key_rotation_events: KeyRotationEventsTable;
  keyring_meta: KeyringMetaTable;
  api_tokens: ApiTokensTable;
  owasp_reviews: OwaspReviewsTable;
  posture_snapshots: PostureSnapshotsTable;
  security_posture_summary: PostureSummaryView;
  auth_anomaly_view: AuthAnomalyView;
}
