/**
 * An attempt's text fields (user_id, sender, failure_text) are one line on every path in: the
 * library's recordAttempt (no HTTP hook in front of it), POST /auth/attempts, and log imports.
 * U+2028 / U+2029 (line and paragraph separators), C1 controls and bidirectional controls were
 * accepted by the library and the importer and stored raw (a new-user trial found U+2028 in
 * `sender` and `failure_text` although API.md says "one line").
 */
import { describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { BulwarkError } from '../../src/core/errors.js';

const HIDDEN = {
  'line separator': 'a\u2028b',
  'paragraph separator': 'a\u2029b',
  'C1 next line': 'a\u0085b',
  'right-to-left override': 'a\u202eb',
  'first strong isolate': 'a\u2068b',
  'lone surrogate': 'a\udc00b',
};

describe.each(Object.entries(HIDDEN))('%s', (_what, value) => {
  it.each(['user_id', 'sender', 'failure_text'])(
    'is refused in %s by the library, naming it',
    async (field) => {
      const b = await createBulwark({ database_url: 'sqlite::memory:' }, { logLevel: 'silent', env: {} });
      try {
        const input = {
          source_ip: '192.0.2.1',
          result: 'failure',
          failure_reason: 'other',
          failure_text: 'why',
          [field]: value,
        };
        const err = await b.auth.recordAttempt(input).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BulwarkError);
        expect((err as BulwarkError).code).toBe('validation_failed');
        expect((err as BulwarkError).field).toBe(field);
        expect(await b.store.db.selectFrom('authentication_attempts').selectAll().execute()).toEqual([]);
      } finally {
        await b.close();
      }
    },
  );

  it('skips an imported line that carries it (JSON lines)', async () => {
    const b = await createBulwark({ database_url: 'sqlite::memory:' }, { logLevel: 'silent', env: {} });
    try {
      const line = (user: string) =>
        JSON.stringify({
          time: '2026-01-15T12:00:00Z',
          ip: '192.0.2.1',
          user,
          result: 'failure',
          reason: 'bad_password',
        });
      const s = await b.auth.importer.importLines(
        [line('alice'), line(value)],
        { format: 'jsonl' },
        { source: 'trial.jsonl' },
      );
      expect(s.attempts_recorded).toBe(1);
      expect(Object.keys(s.skipped)).toEqual(['user contains control characters']);
    } finally {
      await b.close();
    }
  });
});
