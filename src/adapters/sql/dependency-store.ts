/** Scans, dependency manifest rows and approvals on SQL (JSON as text, times as epoch ms). */
import { type Kysely, type Selectable } from 'kysely';
import { type Page, type PageRequest, decodeCursor, toPage } from '../../core/pagination.js';
import type { SeverityLevel } from '../../core/deps/osv/severity.js';
import type {
  ApprovalRecord,
  DependencyStore,
  ManifestFilter,
  ManifestRecord,
  ScanRecord,
  ScanStatus,
} from '../../core/ports/dependency-store.js';
import type { ApprovalsTable, Database, DependencyManifestsTable, ScansTable } from './schema.js';

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

function scanFromRow(r: Selectable<ScansTable>): ScanRecord {
  return {
    id: r.id,
    status: r.status as ScanStatus,
    created_at: num(r.created_at),
    finished_at: numOrNull(r.finished_at),
    requested_by: r.requested_by,
    lockfiles: JSON.parse(r.lockfiles) as string[],
    summary: JSON.parse(r.summary) as Record<string, unknown>,
    result: r.result == null ? null : (JSON.parse(r.result) as unknown),
    error: r.error,
  };
}

function manifestToRow(m: ManifestRecord): DependencyManifestsTable {
  return {
    id: m.id,
    scan_id: m.scan_id,
    lockfile: m.lockfile,
    ecosystem: m.ecosystem,
    package: m.package,
    version: m.version,
    purl: m.purl,
    kind: m.kind,
    commit_sha: m.commit,
    // -1: the lockfile format does not say (package-lock v1, yarn v1).
    direct: m.direct === null ? -1 : m.direct ? 1 : 0,
    dep_groups: JSON.stringify(m.groups),
    dep_paths: JSON.stringify(m.paths),
    cves: JSON.stringify(m.cves),
    advisory_ids: JSON.stringify(m.advisory_ids),
    severity_max: m.severity_max,
    scanned_at: m.scanned_at,
    approved: m.approved ? 1 : 0,
    approved_by: m.approved_by,
    approval_reason: m.approval_reason,
    approved_until: m.approved_until,
  };
}

function manifestFromRow(r: Selectable<DependencyManifestsTable>): ManifestRecord {
  const direct = num(r.direct);
  return {
    id: r.id,
    scan_id: r.scan_id,
    lockfile: r.lockfile,
    ecosystem: r.ecosystem,
    package: r.package,
    version: r.version,
    purl: r.purl,
    kind: r.kind,
    commit: r.commit_sha,
    direct: direct === -1 ? null : direct === 1,
    groups: JSON.parse(r.dep_groups) as string[],
    paths: JSON.parse(r.dep_paths) as string[][],
    cves: JSON.parse(r.cves) as string[],
    advisory_ids: JSON.parse(r.advisory_ids) as string[],
    severity_max: r.severity_max as SeverityLevel,
    scanned_at: num(r.scanned_at),
    approved: num(r.approved) === 1,
    approved_by: r.approved_by,
    approval_reason: r.approval_reason,
    approved_until: numOrNull(r.approved_until),
  };
}

function approvalFromRow(r: Selectable<ApprovalsTable>): ApprovalRecord {
  return {
    ...r,
    expires_at: num(r.expires_at),
    created_at: num(r.created_at),
    revoked_at: numOrNull(r.revoked_at),
    source: r.source as ApprovalRecord['source'],
  };
}

export class SqlDependencyStore implements DependencyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertScan(s: ScanRecord): Promise<void> {
    await this.db
      .insertInto('scans')
      .values({
        id: s.id,
        status: s.status,
        created_at: s.created_at,
        finished_at: s.finished_at,
        requested_by: s.requested_by,
        lockfiles: JSON.stringify(s.lockfiles),
        summary: JSON.stringify(s.summary),
        result: s.result == null ? null : JSON.stringify(s.result),
        error: s.error,
      })
      .execute();
  }

  async updateScan(id: string, patch: Partial<Omit<ScanRecord, 'id'>>): Promise<void> {
    const set: Partial<ScansTable> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.finished_at !== undefined) set.finished_at = patch.finished_at;
    if (patch.summary !== undefined) set.summary = JSON.stringify(patch.summary);
    if (patch.result !== undefined) set.result = patch.result == null ? null : JSON.stringify(patch.result);
    if (patch.error !== undefined) set.error = patch.error;
    if (patch.lockfiles !== undefined) set.lockfiles = JSON.stringify(patch.lockfiles);
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('scans').set(set).where('id', '=', id).execute();
  }

  async getScan(id: string): Promise<ScanRecord | null> {
    const r = await this.db.selectFrom('scans').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? scanFromRow(r) : null;
  }

  async latestDoneScanId(): Promise<string | null> {
    const r = await this.db
      .selectFrom('scans')
      .select('id')
      .where('status', '=', 'done')
      .orderBy('finished_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r?.id ?? null;
  }

  async insertManifests(rows: ManifestRecord[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      // 22 columns a row: 200 rows stay far below every backend's bound-parameter limit.
      for (let i = 0; i < rows.length; i += 200) {
        await trx
          .insertInto('dependency_manifests')
          .values(rows.slice(i, i + 200).map(manifestToRow))
          .execute();
      }
    });
  }

  async deleteManifests(scanId: string): Promise<void> {
    await this.db.deleteFrom('dependency_manifests').where('scan_id', '=', scanId).execute();
  }

  async listManifests(filter: ManifestFilter, page: PageRequest): Promise<Page<ManifestRecord>> {
    let q = this.db.selectFrom('dependency_manifests').selectAll().where('scan_id', '=', filter.scan_id);
    if (filter.package !== undefined) q = q.where('package', '=', filter.package);
    if (filter.severity?.length) q = q.where('severity_max', 'in', filter.severity);
    if (filter.approved !== undefined) q = q.where('approved', '=', filter.approved ? 1 : 0);
    if (filter.has_cves !== undefined) q = q.where('cves', filter.has_cves ? '<>' : '=', '[]');
    if (page.cursor) q = q.where('id', '>', decodeCursor(page.cursor));
    const rows = await q
      .orderBy('id')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(manifestFromRow), page.limit);
  }

  async insertApproval(a: ApprovalRecord): Promise<void> {
    await this.db.insertInto('approvals').values(a).execute();
  }

  async activeApprovals(): Promise<ApprovalRecord[]> {
    const rows = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('revoked_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map(approvalFromRow);
  }

  async listApprovals(opts: { include_revoked: boolean }): Promise<ApprovalRecord[]> {
    let q = this.db.selectFrom('approvals').selectAll();
    if (!opts.include_revoked) q = q.where('revoked_at', 'is', null);
    return (await q.orderBy('id').execute()).map(approvalFromRow);
  }

  async getApproval(id: string): Promise<ApprovalRecord | null> {
    const r = await this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? approvalFromRow(r) : null;
  }

  async revokeApproval(id: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('approvals')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
