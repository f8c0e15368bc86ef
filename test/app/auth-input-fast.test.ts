/**
 * The hand-written parser of POST /auth/attempts bodies (src/app/services/auth-input-fast.ts)
 * against the schema it stands in for: whatever it accepts, the schema accepts with the same
 * output (same keys, same order, same values); whatever the schema refuses, it refuses (leaving
 * the error to the schema). Random inputs from values at and around every rule's edge.
 */
import { describe, expect, it } from 'vitest';
import { parseRecordAttempt, recordAttemptSchema } from '../../src/app/services/auth-input.js';
import { fastRecordAttempt } from '../../src/app/services/auth-input-fast.js';
import { BulwarkError } from '../../src/core/errors.js';
import { mulberry32 } from '../support/prng.js';

const texts = (max: number): unknown[] => [
  'alice',
  '',
  'a'.repeat(max),
  'a'.repeat(max + 1),
  'tab\there',
  'line\nbreak',
  'del\u007f',
  'nul\u0000',
  // Line breaks JavaScript and log viewers break on, C1 controls, bidi overrides, lone surrogates:
  // refused on every path (the library's too, which has no HTTP hook in front of it).
  'line\u2028sep',
  'para\u2029sep',
  'c1\u0085nel',
  'rtl\u202eoverride',
  'iso\u2066late',
  'lone\ud800',
  'é✓ 𝄞',
  ' padded ',
  '   ',
  '\u00a0\u2003',
  null,
  undefined,
  42,
  true,
  ['x'],
  { x: 1 },
];
const POOLS: Record<string, unknown[]> = {
  user_id: texts(256),
  sender: texts(320),
  failure_text: texts(512),
  source_ip: [
    '192.0.2.1',
    '10.0.0.255',
    '::ffff:192.0.2.1',
    '2001:DB8::1',
    '2001:db8:0:0:0:0:0:1',
    '::1',
    '256.0.0.1',
    '192.0.2',
    '01.2.3.4',
    'fe80::1%eth0',
    'host.example',
    '',
    '1'.repeat(65),
    null,
    7,
  ],
  result: ['success', 'failure', 'Success', '', null, 1],
  failure_reason: [
    'bad_password',
    'unknown_user',
    'locked',
    'other',
    'rate_limited',
    'nope',
    null,
    undefined,
    3,
  ],
  at: [
    0,
    1_700_000_000_000,
    8_640_000_000_000_000,
    8_640_000_000_000_001,
    -1,
    1.5,
    NaN,
    '2025-01-31T12:00:00Z',
    '2025-01-31',
    null,
    undefined,
  ],
  extra: [1, 'x', null],
};
/** How many of each pool's first values are valid on their own: drawn more often, so that many inputs pass. */
const VALID: Record<string, number> = {
  user_id: 3,
  sender: 3,
  failure_text: 3,
  source_ip: 6,
  result: 2,
  failure_reason: 5,
  at: 3,
  extra: 0,
};
const KEYS = Object.keys(POOLS);

function randomInput(rand: () => number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  // Shuffled key order: the output order must not depend on the input's.
  const keys = [...KEYS].sort(() => rand() - 0.5);
  for (const k of keys) {
    const p = k === 'source_ip' || k === 'result' ? 0.95 : k === 'extra' ? 0.03 : 0.5;
    if (rand() < p) {
      const pool = POOLS[k]!;
      const n = rand() < 0.8 && VALID[k]! > 0 ? VALID[k]! : pool.length;
      o[k] = pool[Math.floor(rand() * n)];
    }
  }
  return o;
}

describe('fastRecordAttempt', () => {
  it('agrees with recordAttemptSchema on 40,000 random inputs', () => {
    const rand = mulberry32(20261204);
    let fastAccepted = 0;
    let schemaAccepted = 0;
    for (let i = 0; i < 40_000; i++) {
      const input = randomInput(rand);
      const z = recordAttemptSchema.safeParse(input);
      const f = fastRecordAttempt(input);
      if (z.success) schemaAccepted += 1;
      if (f === undefined) continue;
      fastAccepted += 1;
      expect(z.success, JSON.stringify(input)).toBe(true);
      expect(f).toStrictEqual(z.data);
      expect(Object.keys(f)).toEqual(Object.keys(z.data!));
    }
    // It must carry the common case, not merely refuse everything.
    expect(schemaAccepted).toBeGreaterThan(1000);
    expect(fastAccepted).toBeGreaterThan(schemaAccepted * 0.6);
  });

  it('leaves inputs it does not take to the schema, whose error names the field', () => {
    expect(fastRecordAttempt({ source_ip: '192.0.2.1', result: 'success', at: '2025-01-31T12:00:00Z' })).toBe(
      undefined,
    );
    expect(
      parseRecordAttempt({ source_ip: '192.0.2.1', result: 'success', at: '2025-01-31T12:00:00Z' }).at,
    ).toBe(Date.parse('2025-01-31T12:00:00Z'));
    for (const [input, field] of [
      [{ source_ip: '192.0.2.1', result: 'failure' }, 'failure_reason'],
      [{ source_ip: 'nope', result: 'success' }, 'source_ip'],
      [{ source_ip: '192.0.2.1', result: 'success', user_id: 'a\nb' }, 'user_id'],
      [{ source_ip: '192.0.2.1', result: 'failure', failure_reason: 'other' }, 'failure_text'],
    ] as const) {
      expect(fastRecordAttempt(input)).toBe(undefined);
      let err: unknown;
      try {
        parseRecordAttempt(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BulwarkError);
      expect((err as BulwarkError).field).toBe(field);
    }
  });
});
