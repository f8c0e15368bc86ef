/**
 * Audit log page data (issue 3). Expected shapes:
 *   GET /security/logs?event_type=&outcome=&user_id=&source_ip=&action=&since=&until=&limit=&cursor=
 *     → {items: [{id, seq, event_type, user_id, source_ip, action, outcome, timestamp, metadata, hash}], next_cursor}
 *   GET /security/logs/verify (admin) → {ok, from_seq, to_seq, checked, first_bad_seq?, reason?, last_checkpoint?}
 *   GET /security/logs/checkpoints?limit=1 → {items: [{seq, hash, time, key_id, key_version}]}
 */
import { api } from '../api.js';

export const ROUTES = [
  'GET /security/logs',
  'GET /security/logs/verify (admin)',
  'GET /security/logs/checkpoints',
];
export const EVENT_TYPES = [
  'auth_failure',
  'auth_success',
  'authorization_violation',
  'rate_limit_trigger',
  'key_rotation',
  'config_change',
];
export const OUTCOMES = ['allowed', 'denied', 'error'];
export const PAGE_SIZE = 50;

/** filter: {event_type, outcome, user_id, source_ip, action (prefix), since, until (ISO)}. */
export const listLogs = (filter, cursor) =>
  api('/security/logs', { query: { ...filter, limit: PAGE_SIZE, cursor } });

export const verifyChain = () => api('/security/logs/verify');
export const lastCheckpoint = async () => {
  const r = await api('/security/logs/checkpoints', { query: { limit: 1 } });
  return (r?.items ?? r ?? [])[0] ?? null;
};
