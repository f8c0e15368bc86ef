/** Vulnerability pages data: the register's list (cursor pages), one record, and transitions. */
import { api } from '../api.js';

export const ROUTES = ['GET /security/vulnerabilities', 'GET /security/vulnerabilities/:id'];
export const PAGE_SIZES = [25, 50, 100];

/** filter: {severity: [], status: [], owasp_category: [], component, q}; page: {limit, cursor}. */
export const listVulnerabilities = (filter, { limit, cursor }) =>
  api('/security/vulnerabilities', { query: { ...filter, limit, cursor } });

export const getVulnerability = (id) => api(`/security/vulnerabilities/${encodeURIComponent(id)}`);

/** → {vulnerability, transition, audit} (audit: the entry the server wrote for this transition). */
export const transitionVulnerability = (id, to, note) =>
  api(`/security/vulnerabilities/${encodeURIComponent(id)}/transitions`, {
    method: 'POST',
    body: note ? { to, note } : { to },
  });

/** The lifecycle (ARCHITECTURE.md): which statuses each one may move to. */
export const NEXT_STATUSES = {
  open: ['in_progress'],
  in_progress: ['mitigated', 'resolved'],
  mitigated: ['resolved'],
  resolved: [],
};
