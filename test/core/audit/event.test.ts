import { describe, expect, it } from 'vitest';
import { toAuditDraft } from '../../../src/core/audit/draft.js';
import { METADATA_MAX_BYTES, parseAuditEvent, validateBatch } from '../../../src/core/audit/event.js';
import { chainLink, GENESIS_HASH, verifyChainSync } from '../../../src/core/audit/hash-chain.js';
import { createRedactor } from '../../../src/core/audit/redaction.js';
import { normalizeIp } from '../../../src/core/audit/source-ip.js';
import { BulwarkError } from '../../../src/core/errors.js';

const base = {
  event_type: 'auth_failure',
  source_ip: '203.0.113.9',
  action: 'POST /login',
  outcome: 'denied',
};

const errorOf = (f: () => unknown): BulwarkError => {
  try {
    f();
  } catch (e) {
    if (e instanceof BulwarkError) return e;
    throw e;
  }
  throw new Error('expected a BulwarkError');
};

describe('normalizeIp', () => {
  it('maps IPv4-mapped IPv6 to IPv4 and writes IPv6 in RFC 5952 form', () => {
    const cases: Array<[string, string | null]> = [
      ['192.0.2.1', '192.0.2.1'],
      ['::ffff:192.0.2.1', '192.0.2.1'],
      ['::FFFF:1.2.3.4', '1.2.3.4'],
      ['0:0:0:0:0:ffff:c000:0201', '192.0.2.1'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['::1', '::1'],
      ['::', '::'],
      ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
      [' 10.0.0.1 ', '10.0.0.1'],
      ['::ffff:256.0.0.1', null],
      ['01.2.3.4', null],
      ['2001::db8::1', null],
      // A zone id is dropped, as the auth readers drop it (docs/API.md; new-user trial)
      ['fe80::1%eth0', 'fe80::1'],
      ['FE80::0001%25eth0', 'fe80::1'],
      ['::ffff:1.2.3.4%x', '1.2.3.4'],
      ['fe80::1%', null],
      ['localhost', null],
    ];
    for (const [input, want] of cases) expect(normalizeIp(input), input).toBe(want);
  });
});

describe('parseAuditEvent', () => {
  it('accepts a minimal event and fills defaults', () => {
    expect(parseAuditEvent(base)).toEqual({ ...base, user_id: null, timestamp: undefined, metadata: {} });
  });

  it('accepts metadata nested exactly 8 levels deep', () => {
    expect(
      parseAuditEvent({ ...base, metadata: { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } } })
        .metadata,
    ).toHaveProperty('a.b.c.d.e.f.g.h', 1);
  });

  it('normalises source_ip, converts ISO timestamps, neutralises the action', () => {
    const ev = parseAuditEvent({
      ...base,
      source_ip: '::ffff:198.51.100.7',
      timestamp: '2024-05-01T12:30:00.123+02:00',
      action: 'login\r\nforged: line',
      user_id: 'ann',
    });
    expect(ev).toMatchObject({
      source_ip: '198.51.100.7',
      timestamp: Date.UTC(2024, 4, 1, 10, 30, 0, 123),
      action: 'login\\r\\nforged: line',
      user_id: 'ann',
    });
    expect(parseAuditEvent({ ...base, timestamp: 1714566600123 }).timestamp).toBe(1714566600123);
  });

  it('refuses bad fields, naming each', () => {
    const bad: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ...base, event_type: 'login' }, 'event_type', /must be one of/],
      [{ ...base, outcome: 'maybe' }, 'outcome', /must be one of/],
      [{ ...base, source_ip: '999.1.1.1' }, 'source_ip', /not a valid IPv4 or IPv6/],
      [{ ...base, action: '' }, 'action', /must not be empty/],
      [{ ...base, action: 'x'.repeat(1025) }, 'action', /at most 1024/],
      [{ ...base, user_id: 'u'.repeat(257) }, 'user_id', /at most 256/],
      [{ ...base, timestamp: '2024-05-01 12:30' }, 'timestamp', /ISO 8601/],
      [{ ...base, timestamp: '2024-05-01T12:30:00' }, 'timestamp', /ISO 8601/],
      [{ ...base, timestamp: -5 }, 'timestamp', /ISO 8601|at least/],
      [{ ...base, extra: 1 }, 'extra', /unknown field/],
      [{ ...base, metadata: [1, 2] }, 'metadata', /object/],
      [
        { ...base, metadata: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } },
        'metadata.a.b.c.d.e.f.g.h',
        /deeper than 8/,
      ],
      [{ ...base, metadata: { big: 'x'.repeat(METADATA_MAX_BYTES) } }, 'metadata', /at most 16384 bytes/],
      [{ ...base, metadata: { n: NaN } }, 'metadata.n', /finite/],
      [{ ...base, metadata: { d: new Date() } }, 'metadata.d', /plain JSON object/],
    ];
    for (const [input, field, message] of bad) {
      const e = errorOf(() => parseAuditEvent(input));
      expect(e.code).toBe('validation_failed');
      expect(e.field, JSON.stringify(input).slice(0, 80)).toBe(field);
      expect(e.message).toMatch(message);
    }
    expect(errorOf(() => parseAuditEvent({ ...base, source_ip: undefined })).field).toBe('source_ip');
  });
});

describe('validateBatch', () => {
  const at = (t: number | string) => ({ ...base, timestamp: t });

  it('accepts non-decreasing timestamps (equal is fine) and stamps missing ones with now', () => {
    const out = validateBatch([at(1000), at(1000), at('1970-01-01T00:00:02Z'), base], { now: 5000 });
    expect(out.map((e) => e.timestamp)).toEqual([1000, 1000, 2000, 5000]);
  });

  it('refuses a batch whose timestamps decrease, naming the first offending index', () => {
    const e = errorOf(() => validateBatch([at(1000), at(2000), at(1999), at(500)]));
    expect(e.field).toBe('events.2.timestamp');
    expect(e.details).toEqual({ index: 2 });
    expect(e.message).toMatch(/refused whole/);
    // a missing timestamp is `now`, so an explicit one after it must not be earlier
    expect(errorOf(() => validateBatch([base, at(1000)], { now: 5000 })).field).toBe('events.1.timestamp');
  });

  it('refuses a batch with any invalid event, naming index and field', () => {
    const e = errorOf(() =>
      validateBatch([at(1), { ...at(2), source_ip: 'nope' }, { ...at(3), outcome: 'x' }]),
    );
    expect(e.field).toBe('events.1.source_ip');
    expect(e.message).toBe('events.1.source_ip: is not a valid IPv4 or IPv6 address');
    expect(e.details).toMatchObject({ index: 1 });
    expect(errorOf(() => validateBatch([at(1), 'not an object'])).field).toBe('events.1');
    expect(errorOf(() => validateBatch([])).field).toBe('events');
    expect(errorOf(() => validateBatch({})).field).toBe('events');
    expect(errorOf(() => validateBatch([base, base, base], { maxEvents: 2 })).message).toMatch(/at most 2/);
  });
});

describe('from incoming event to chained row', () => {
  it('redacts action and metadata, canonicalises metadata, and chains', () => {
    const redactor = createRedactor();
    const [ev] = validateBatch(
      [
        {
          ...base,
          action: 'login as bob@example.com\nok',
          metadata: { z: 1, password: 'hunter22', a: { note: 'line1\nline2' } },
        },
      ],
      { now: 1 },
    );
    const draft = toAuditDraft(ev!, redactor, '0190a5d0-0000-7000-8000-000000000001');
    expect(draft.action).toBe('login as [REDACTED:email]\\nok');
    expect(draft.metadata).toBe('{"a":{"note":"line1\\\\nline2"},"password":"[REDACTED:password]","z":1}');
    const hash = chainLink(draft, 1, GENESIS_HASH);
    expect(verifyChainSync([{ ...draft, seq: 1, prev_hash: GENESIS_HASH, hash }])).toMatchObject({
      ok: true,
      count: 1,
    });
  });
});
