/**
 * Authentication page data (docs/API.md "Auth guard"):
 *   GET /auth/rate-limit/status → {id, captured_at, per_ip_limit, per_sender_limit,
 *        counters: {window_start, window_ms, ips: {window_start, window_ms, total, unmonitored_max,
 *        top: [{key, count, error}]}, senders: {…same}}}  (404 not_found before the first snapshot)
 *   GET /security/anomalies?since=&until= → {since, until, scanned, in_window, findings: [{kind, scope, key,
 *        window: {start, end}, count, distinct_users, distinct_ips, failure_ratio, first_seen,
 *        last_seen, ips, users, rule, …}], bans: [{key, banned_at, until, level}]}  (at most 31 days)
 *   GET /auth/lockouts → {items: [{key, until, level}]}
 *   GET /auth/attempts/timeseries?since=&until=&bucket=hour → {buckets: [{t, failures, successes}],
 *        total_failures, total_successes}
 */
import { api } from '../api.js';

export const ROUTES = [
  'GET /auth/rate-limit/status',
  'GET /security/anomalies?since=&until=',
  'GET /auth/lockouts',
  'GET /auth/attempts/timeseries?since=&until=&bucket=',
];

export const getRateLimitStatus = () => api('/auth/rate-limit/status');
export const getAnomalies = (since, until) => api('/security/anomalies', { query: { since, until } });
export const getLockouts = () => api('/auth/lockouts');
export const getFailureSeries = (since, until, bucket) =>
  api('/auth/attempts/timeseries', { query: { since, until, bucket } });

/** Lists arrive as {items}; a bare array is accepted too. */
export const itemsOf = (r) => (Array.isArray(r) ? r : (r?.items ?? []));
