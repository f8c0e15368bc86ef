/**
 * JSON lines (one object a line, as application loggers and log shippers write them) →
 * authentication attempts. Field names vary between producers, so each datum is taken from the
 * first of several common names that is present:
 *
 * | datum     | fields (first present wins)                       | accepted values                                  |
 * |-----------|---------------------------------------------------|--------------------------------------------------|
 * | user      | user_id, user, username                           | string or number                                 |
 * | sender    | sender                                            | string                                           |
 * | source IP | ip, source_ip, remote_addr, client_ip             | IPv4/IPv6 (`::ffff:` mapped → IPv4)              |
 * | time      | timestamp, time, @timestamp, at                   | ISO 8601, or epoch seconds / ms (≥ 1e11 is ms)   |
 * | result    | result, outcome, success                          | success/ok/allowed/true, failure/failed/denied/false |
 * | reason    | failure_reason, reason                            | a Bulwark reason (required for a failure)        |
 * | detail    | failure_detail, failure_text                      | string (required when the reason is `other`)     |
 *
 * `at` and `failure_text` are the names `POST /auth/attempts` uses, so its bodies import as they
 * are. A failure with no reason or one Bulwark does not know is skipped with that reason, as the
 * API refuses it: guessing `other` would hide a producer's typo in the anomaly view.
 * An ISO time without an offset is read in `tz` (default UTC).
 */
import { isFailureReason, type FailureReason } from '../attempt.js';
import { isoToUtc } from './log-time.js';
import { foreign, hostOf, skip, type LineResult } from './types.js';

export interface JsonlOptions {
  tz?: string | undefined;
}

const SUCCESS_WORDS = new Set([
  'success',
  'succeeded',
  'ok',
  'allowed',
  'allow',
  'accepted',
  'pass',
  'passed',
  'true',
]);
const FAILURE_WORDS = new Set(['failure', 'failed', 'fail', 'denied', 'deny', 'rejected', 'error', 'false']);
const MAX_DETAIL = 512;

const TIME_FIELDS = ['timestamp', 'time', '@timestamp', 'at'] as const;

const first = (o: Record<string, unknown>, names: readonly string[]): unknown => {
  for (const n of names) if (o[n] !== undefined && o[n] !== null && o[n] !== '') return o[n];
  return undefined;
};

function timeOf(v: unknown, tz: string | undefined): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0)
    return v >= 1e11 ? Math.round(v) : Math.round(v * 1000);
  if (typeof v === 'string') {
    if (/^\d+(\.\d+)?$/.test(v)) return timeOf(Number(v), tz);
    return isoToUtc(v.trim(), tz);
  }
  return NaN;
}

function resultOf(o: Record<string, unknown>): 'success' | 'failure' | null {
  const v = first(o, ['result', 'outcome', 'success']);
  if (typeof v === 'boolean') return v ? 'success' : 'failure';
  if (typeof v === 'string') {
    const w = v.trim().toLowerCase();
    if (SUCCESS_WORDS.has(w)) return 'success';
    if (FAILURE_WORDS.has(w)) return 'failure';
  }
  return null;
}

/** One JSON line. */
export function parseJsonlLine(line: string, opts: JsonlOptions = {}): LineResult {
  if (line.trim() === '') return skip('empty line');
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return foreign('not valid JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return foreign('not a JSON object');
  const rec = o as Record<string, unknown>;
  const ipRaw = first(rec, ['ip', 'source_ip', 'remote_addr', 'client_ip']);
  if (typeof ipRaw !== 'string') return skip('no source IP (ip, source_ip, remote_addr)');
  const host = hostOf(ipRaw.trim());
  if (host.host_kind === 'hostname') return skip('source IP is not an IP address');
  const timestamp = timeOf(first(rec, TIME_FIELDS), opts.tz);
  if (Number.isNaN(timestamp)) return skip('no usable time (timestamp, time, @timestamp, at)');
  const result = resultOf(rec);
  if (result === null) return skip('no usable result (result, outcome, success)');
  const userRaw = first(rec, ['user_id', 'user', 'username']);
  const user = typeof userRaw === 'string' || typeof userRaw === 'number' ? String(userRaw) : null;
  const senderRaw = rec.sender;
  const sender = typeof senderRaw === 'string' && senderRaw !== '' ? senderRaw : null;

  let failure_reason: FailureReason | null = null;
  const detailRaw = first(rec, ['failure_detail', 'failure_text']);
  let failure_detail: string | null = typeof detailRaw === 'string' ? detailRaw.slice(0, MAX_DETAIL) : null;
  if (result === 'failure') {
    const r = first(rec, ['failure_reason', 'reason']);
    if (r === undefined) return skip('failure without a reason (failure_reason, reason)');
    if (!isFailureReason(r)) return skip('unknown failure_reason');
    if (r === 'other' && failure_detail === null)
      return skip('failure_reason other without failure_detail or failure_text');
    failure_reason = r;
  } else failure_detail = null;

  return {
    attempts: [{ timestamp, ...host, user, sender, result, failure_reason, failure_detail, event: 'jsonl' }],
  };
}
