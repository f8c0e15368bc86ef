import { describe, expect, it } from 'vitest';
import {
  METADATA_MAX_BYTES,
  incomingAuditEventSchema,
  jsonProblem,
  jsonSizeBound,
  parseAuditEvent,
} from '../../../src/core/audit/event.js';
import { mulberry32 } from '../../support/prng.js';

const STRINGS = ['', 'a', '"\\', '\u0000\u001f\u007f', '\u2028', 'é日本', '🙂', '\ud800', 'x'.repeat(50)];
const ODD = [Number.NaN, Infinity, undefined, () => 1, Symbol('s'), 1n, new Date(0), new (class K {})()];
const NUMBERS = [0, -0, -1.7976931348623157e308, 5e-324, 123456789.123, -1e21, 2 ** 53];

function randomValue(next: () => number, depth: number, odd: boolean): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const roll = next();
  if (odd && roll < 0.03) return pick(ODD);
  if (roll < 0.3) return pick(STRINGS);
  if (roll < 0.45) return pick(NUMBERS);
  if (roll < 0.5) return next() < 0.5;
  if (roll < 0.55) return null;
  if (depth > 11) return 'leaf';
  if (roll < 0.75)
    return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1, odd));
  const o: Record<string, unknown> = Math.floor(next() * 10) === 0 ? Object.create(null) : {};
  const n = Math.floor(next() * 4);
  for (let i = 0; i < n; i++)
    o[pick(['k', 'é', '"q"', '__x', '10', 'ctl\u0001'])] = randomValue(next, depth + 1, odd);
  return o;
}

describe('jsonSizeBound (the fast path of the metadata limits)', () => {
  it('refuses exactly what jsonProblem refuses, and otherwise bounds the JSON size from above', () => {
    const next = mulberry32(7);
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = randomValue(next, 1, true);
      const bound = jsonSizeBound(v, 1);
      expect(bound < 0).toBe(jsonProblem(v, 1, '') !== null);
      if (bound < 0) refused++;
      else expect(bound).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8'));
    }
    expect(refused).toBeGreaterThan(500);
  });

  it('bounds the worst cases: control characters, lone surrogates, long numbers', () => {
    for (const v of [
      { s: '\u0001'.repeat(100) },
      ['\ud800'.repeat(10)],
      { n: -1.7976931348623157e308, m: 5e-324 },
      { ['\u0002'.repeat(5)]: '\u2029' },
    ])
      expect(jsonSizeBound(v, 1)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(v), 'utf8'));
  });

  it('parseAuditEvent accepts and refuses metadata around the size limit exactly as the schema does', () => {
    const base = { event_type: 'auth_success', source_ip: '10.0.0.1', action: 'login', outcome: 'allowed' };
    // `{"s":"…"}` is 8 bytes around the string; é is 2 bytes in UTF-8, a control character 6 as JSON.
    const cases: Array<Record<string, unknown>> = [];
    for (const delta of [-1, 0, 1]) {
      const room = METADATA_MAX_BYTES - 8 + delta;
      cases.push({ s: 'a'.repeat(room) });
      cases.push({ s: 'é'.repeat(Math.floor(room / 2)) + (room % 2 ? 'a' : '') });
      cases.push({ s: '\u0001'.repeat(Math.floor(room / 6)) + 'a'.repeat(room % 6) });
    }
    for (const metadata of cases) {
      const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
      const schemaOk = incomingAuditEventSchema.safeParse({ ...base, metadata }).success;
      expect(schemaOk).toBe(bytes <= METADATA_MAX_BYTES);
      let ok = true;
      try {
        parseAuditEvent({ ...base, metadata });
      } catch {
        ok = false;
      }
      expect(ok).toBe(schemaOk);
    }
  });
});
