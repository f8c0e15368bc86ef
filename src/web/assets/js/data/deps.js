/**
 * Dependencies page data (issue 5). Expected shapes:
 *   GET /security/dependencies?severity=&approved=&has_cves=&package=&limit=&cursor=
 *     → {items: [{id, package, version, ecosystem, cves, advisory_ids, severity_max, fixed_versions?,
 *                 approved, approved_by, approval_reason, approved_until, scanned_at}], next_cursor}
 *   GET /security/approvals → {items: [{id, advisory_id, package, reason, approver, expires_at, expired?, used?}]}
 *   POST /security/approvals (admin) {advisory_id, package?, reason, expires_at} → 201 {approval, audit?}
 *   GET /security/advisories/status → {imported_at, modified_max?, count, age_days}
 */
import { api } from '../api.js';

export const ROUTES = [
  'GET /security/dependencies',
  'GET /security/approvals',
  'POST /security/approvals (admin)',
  'GET /security/advisories/status',
];
export const PAGE_SIZE = 50;

export const listDependencies = (filter, cursor) =>
  api('/security/dependencies', { query: { ...filter, limit: PAGE_SIZE, cursor } });
export const listApprovals = () => api('/security/approvals');
export const approve = (body) => api('/security/approvals', { method: 'POST', body });
export const advisoryStatus = () => api('/security/advisories/status');
export { itemsOf } from './auth.js';
