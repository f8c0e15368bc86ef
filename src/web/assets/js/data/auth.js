/**
 * Authentication page data (issue 4). Expected shapes:
 *   GET /auth/rate-limit/status → {id, captured_at, per_ip_limit, per_sender_limit,
 *        counters: {ips: [{key, count, error}], senders: [{key, count, error}]}}  (404 not_found: none yet)
 *   GET /security/anomalies?since=&until= → {items: [{kind, key, window_start, window_end, count,
 *        distinct_users, distinct_ips, first_seen, last_seen}]}
 *   GET /auth/lockouts → {items: [{key, locked_until, level}]}
 *   GET /auth/attempts/timeseries?since=&until=&bucket=hour → {buckets: [{t, failures, successes}]} (on this branch)
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

/** Lists arrive as {items} or as a bare array; both are accepted so a shape change is one line here. */
export const itemsOf = (r) => (Array.isArray(r) ? r : (r?.items ?? r?.findings ?? r?.lockouts ?? []));
