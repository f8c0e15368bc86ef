/**
 * Every typed time takes the same ISO 8601 forms (core/iso-time.ts): a time given to
 * POST /auth/attempts (`at`), the library's recordAttempt (`timestamp`) or POST /security/logs
 * (`timestamp`) is read as GET /security/logs, /security/anomalies and /auth/attempts/timeseries
 * read `since`/`until`. Those three still used zod's own ISO reader: `2026-01-15T12:00Z` (no
 * seconds) was refused there and taken by every query, and a fraction of 10+ digits the other way
 * round.
 */
import { describe, expect, it } from 'vitest';
import { parseRecordAttempt } from '../../src/app/services/auth-input.js';
import { parseAttemptInput } from '../../src/core/auth/attempt.js';
import { parseAuditEvent } from '../../src/core/audit/event.js';
import { parseIsoTime } from '../../src/core/iso-time.js';

const readers: Array<[string, (time: string) => number | undefined]> = [
  [
    'POST /auth/attempts at',
    (at) => parseRecordAttempt({ source_ip: '192.0.2.1', result: 'success', at }).at,
  ],
  [
    'recordAttempt timestamp',
    (timestamp) =>
      parseAttemptInput({ source_ip: '192.0.2.1', result: 'success', timestamp }, () => 'id').timestamp,
  ],
  [
    'audit event timestamp',
    (timestamp) =>
      parseAuditEvent({
        event_type: 'auth_success',
        source_ip: '192.0.2.1',
        action: 'a',
        outcome: 'allowed',
        timestamp,
      }).timestamp,
  ],
];

describe.each(readers)('%s reads ISO times as the queries do', (_name, read) => {
  it.each(['2026-01-15T12:00Z', '2026-01-15T12:00+01:00', '2026-01-15T12:00:00.5Z', '2024-02-29T00:00:00Z'])(
    'takes %s',
    (s) => {
      expect(parseIsoTime(s)).not.toBeNull();
      expect(read(s)).toBe(parseIsoTime(s));
    },
  );

  it.each(['2026-01-15T12:00:00.1234567891Z', '2026-02-30T12:00:00Z', '2026-01-15T12:00:00', '2026-01-15'])(
    'refuses %s',
    (s) => {
      expect(parseIsoTime(s)).toBeNull();
      expect(() => read(s)).toThrow(/epoch milliseconds/);
    },
  );
});
