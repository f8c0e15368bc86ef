/**
 * Dependencies page data (docs/API.md "Dependency scans", "Approvals"):
 *   GET /security/dependencies?severity=&approved=&has_cves=&package=&limit=&cursor=
 *     → {scan_id, items: [{id, scan_id, lockfile, package, version, ecosystem, purl, kind, direct,
 *        groups, paths, cves, advisory_ids, severity_max, scanned_at, approved, approved_by,
 *        approval_reason, approved_until}], next_cursor}
 *   GET /security/scans/:id → {status, finished_at, summary: {packages, findings, by_severity, approved, …},
 *        result: {lockfiles: [{path, findings: [{package, version, id, ids, cves, severity, fixed_versions, …}]}]}}
 *   GET /security/approvals → {items: [{id, advisory_id, package, version_range, dep_path, reason,
 *        approver, expires_at, created_at, revoked_at, state}]}
 *   POST /security/approvals (admin) {advisory_id, package?, reason, approver, expires} → 201 the approval
 *        (no audit entry in the answer: the page reads it back from GET /security/logs)
 *   GET /security/advisories/status → {advisories, withdrawn, advisories_by_ecosystem, newest_modified,
 *        last_import, age_ms, stale, policy: {max_age_days, on_stale}}
 */
import { api } from '../api.js';

export const ROUTES = [
  'GET /security/dependencies',
  'GET /security/scans/:id',
  'GET /security/approvals',
  'POST /security/approvals (admin)',
  'GET /security/advisories/status',
];
export const PAGE_SIZE = 50;

export const listDependencies = (filter, cursor) =>
  api('/security/dependencies', { query: { ...filter, limit: PAGE_SIZE, cursor } });
export const getScan = (id) => api(`/security/scans/${encodeURIComponent(id)}`);
export const listApprovals = () => api('/security/approvals');
export const approve = (body) => api('/security/approvals', { method: 'POST', body });
export const advisoryStatus = () => api('/security/advisories/status');
export { itemsOf } from './auth.js';
