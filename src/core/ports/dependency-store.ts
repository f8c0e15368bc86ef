/** Scans, their dependency manifest rows, and approvals, as the dependency service stores them. */
import type { Page, PageRequest } from '../pagination.js';
import type { SeverityLevel } from '../deps/osv/severity.js';

export type ScanStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ScanRecord {
  id: string;
  status: ScanStatus;
  created_at: number;
  finished_at: number | null;
  requested_by: string;
  lockfiles: string[];
  /** JSON-able summary (counts by severity…); `{}` until done. */
  summary: Record<string, unknown>;
  /** JSON-able full result (findings, approval report); null until done. */
  result: unknown;
  error: string | null;
}

export interface ManifestRecord {
  id: string;
  scan_id: string;
  lockfile: string;
  ecosystem: string;
  package: string;
  version: string;
  purl: string;
  kind: string;
  commit: string | null;
  /** null: the lockfile format cannot tell. */
  direct: boolean | null;
  groups: string[];
  paths: string[][];
  cves: string[];
  advisory_ids: string[];
  severity_max: SeverityLevel;
  scanned_at: number;
  approved: boolean;
  approved_by: string | null;
  approval_reason: string | null;
  approved_until: number | null;
}

export interface ManifestFilter {
  scan_id: string;
  package?: string;
  severity?: SeverityLevel[];
  approved?: boolean;
  has_cves?: boolean;
}

export interface ApprovalRecord {
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
  source: 'api' | 'policy';
}

export interface DependencyStore {
  insertScan(scan: ScanRecord): Promise<void>;
  updateScan(id: string, patch: Partial<Omit<ScanRecord, 'id'>>): Promise<void>;
  getScan(id: string): Promise<ScanRecord | null>;
  latestDoneScanId(): Promise<string | null>;
  /** One transaction per call: the scan writes a big manifest in several calls, pausing between them. */
  insertManifests(rows: ManifestRecord[]): Promise<void>;
  /** Removes a scan's manifest rows (a scan that failed part-way through writing them). */
  deleteManifests(scanId: string): Promise<void>;
  listManifests(filter: ManifestFilter, page: PageRequest): Promise<Page<ManifestRecord>>;

  insertApproval(a: ApprovalRecord): Promise<void>;
  /** Not revoked (expired ones included: the scan reports them). */
  activeApprovals(): Promise<ApprovalRecord[]>;
  listApprovals(opts: { include_revoked: boolean }): Promise<ApprovalRecord[]>;
  getApproval(id: string): Promise<ApprovalRecord | null>;
  /** Sets revoked_at when not yet revoked; false when unknown or already revoked. */
  revokeApproval(id: string, at: number): Promise<boolean>;
}
