/**
 * Every typed time is read by the one strict reader (core/iso-time.ts): an attempt's `at` and an
 * audit event's `timestamp` used zod's ISO check instead, so `2026-01-01T12:00Z` was refused there
 * while `since`, `discovered_at` and `expires` took it, and a 13-digit fraction was taken there
 * while they refused it.
 */
import { describe, expect, it } from 'vitest';
import { parseRecordAttempt } from '../../src/app/services/auth-input.js';
import { parseAuditEvent } from '../../src/core/audit/event.js';
import { parseIsoTime } from '../../src/core/iso-time.js';

const attemptAt = (at: unknown) => {
  try {
    return parseRecordAttempt({ source_ip: '192.0.2.1', result: 'success', at }).at;
  } catch (e) {
    return (e as Error).message;
  }
};
const eventAt = (timestamp: unknown) => {
  try {
    return parseAuditEvent({
      event_type: 'config_change',
      outcome: 'allowed',
      source_ip: '192.0.2.1',
      action: 'x',
      timestamp,
    }).timestamp;
  } catch (e) {
    return (e as Error).message;
  }
};

describe('one reader for every typed time', () => {
  it.each([
    '2026-01-01T12:00Z',
    '2026-01-01T12:00:00.5+05:30',
    '2024-02-29T00:00:00Z',
    '2026-01-01T12:00:00.1234567890123Z',
    '2026-02-30T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2016-12-31T23:59:60Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00',
    '2026-01-01t00:00:00z',
  ])('%s: `at` and `timestamp` agree with the reader', (s) => {
    const t = parseIsoTime(s);
    if (t === null) {
      expect(attemptAt(s)).toMatch(/^at: must be epoch milliseconds/);
      expect(eventAt(s)).toMatch(/^timestamp: must be epoch milliseconds/);
    } else {
      expect(attemptAt(s)).toBe(t);
      expect(eventAt(s)).toBe(t);
    }
  });
});
