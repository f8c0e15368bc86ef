/**
 * parseAuditEvent skips zod for well-formed events; it must accept and produce exactly what the
 * schema does, and refuse (through the schema, naming the field) everything the schema refuses.
 */
import { describe, expect, it } from 'vitest';
import { incomingAuditEventSchema, parseAuditEvent } from '../../src/core/audit/event.js';
import { BulwarkError } from '../../src/core/errors.js';

const base = { event_type: 'auth_failure', source_ip: '192.0.2.1', action: 'login', outcome: 'denied' };
const CASES: unknown[] = [
  base,
  { ...base, user_id: null },
  { ...base, user_id: 'u' },
  { ...base, user_id: '' },
  { ...base, user_id: 'x'.repeat(257) },
  { ...base, source_ip: '::FFFF:192.0.2.1' },
  { ...base, source_ip: '2001:DB8::0:1' },
  { ...base, source_ip: '192.0.2.256' },
  { ...base, action: '' },
  { ...base, action: 'a\r\nb' },
  { ...base, action: 'x'.repeat(1025) },
  { ...base, timestamp: 0 },
  { ...base, timestamp: -1 },
  { ...base, timestamp: 1.5 },
  { ...base, timestamp: 8.64e15 + 1 },
  { ...base, timestamp: '2026-01-01T00:00:00Z' },
  { ...base, metadata: { a: [1, { b: 'c' }] } },
  { ...base, metadata: [] },
  { ...base, metadata: { n: Infinity } },
  { ...base, metadata: { big: 'x'.repeat(17_000) } },
  { ...base, metadata: { d: { d: { d: { d: { d: { d: { d: { d: 1 } } } } } } } } },
  { ...base, extra: 1 },
  { ...base, event_type: 'nope' },
  { ...base, outcome: 'ALLOWED' },
  Object.assign(Object.create({ inherited: 1 }), base),
  null,
  'event',
];

describe('audit event fast path', () => {
  it('agrees with the zod schema on every case', () => {
    for (const input of CASES) {
      const viaSchema = incomingAuditEventSchema.safeParse(input);
      let fast: unknown;
      try {
        fast = parseAuditEvent(input);
      } catch (e) {
        expect(e, JSON.stringify(input)?.slice(0, 80)).toBeInstanceOf(BulwarkError);
        expect(viaSchema.success, JSON.stringify(input)?.slice(0, 80)).toBe(false);
        continue;
      }
      expect(viaSchema.success, JSON.stringify(input)?.slice(0, 80)).toBe(true);
      const d = viaSchema.data!;
      expect(fast).toMatchObject({
        event_type: d.event_type,
        source_ip: d.source_ip,
        outcome: d.outcome,
        timestamp: d.timestamp,
        metadata: d.metadata ?? {},
      });
    }
  });
});
