/**
 * Audit log page data (docs/API.md "Audit ledger"):
 *   GET /security/logs?event_type=&outcome=&user_id=&source_ip=&action_prefix=&since=&until=&limit=&cursor=
 *     → {items: [{id, seq, event_type, user_id, source_ip, action, outcome, timestamp, metadata, prev_hash, hash}], next_cursor}
 *   GET /security/logs/verify (admin) → {ok, from, to, checked, first_bad_seq?, reason?, detail?,
 *        checkpoints_checked, checkpoints: 'verified'|'unavailable', warning?}
 *   GET /security/logs/checkpoints (read) → {items: [{seq, hash, time, key_id, key_version, signature}]}
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

/** filter: {event_type, outcome, user_id, source_ip, action_prefix, since, until (ISO)}. */
export const listLogs = (filter, cursor, limit = PAGE_SIZE) =>
  api('/security/logs', { query: { ...filter, limit, cursor } });

export const verifyChain = () => api('/security/logs/verify');

/** The newest signed checkpoint (the route lists them all; the highest seq is the last one). */
export const lastCheckpoint = async () => {
  const items = (await api('/security/logs/checkpoints'))?.items ?? [];
  return items.reduce((best, c) => (best === null || c.seq > best.seq ? c : best), null);
};

/**
 * The audit entry a write action created, when its response does not carry one: the newest entry
 * of that event type and action prefix written by this token (null when none is found).
 */
export async function newestEntry({ event_type, action_prefix, user_id, match = () => true }) {
  const r = await listLogs({ event_type, action_prefix, user_id }, undefined, 10);
  return (r?.items ?? []).find(match) ?? null;
}
