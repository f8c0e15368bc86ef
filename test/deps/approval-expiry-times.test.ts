/**
 * An approval's `expires` is a typed time like every other (API.md, Conventions: ISO 8601 with its
 * offset or epoch milliseconds): epoch ms was refused with "is required", although it was given.
 * HTTP on SQLite (the rule is the core schema's), the CLI's `--expires`, and impossible dates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalInputSchema, parseExpiry } from '../../src/core/deps/approvals/approval.js';
import { BulwarkError } from '../../src/core/errors.js';
import { parseWithSchema } from '../../src/core/validation.js';
import { bearer, FakeClock, startTestApp, type TestApp } from '../support/app.js';
import { advisorySet, writeAdvisoryDir } from './support.js';

const base = { advisory_id: 'GHSA-jf85-cpcp-j695', reason: 'r', approver: 'me' };
const EPOCH = Date.UTC(2027, 5, 30, 12);

describe('approval expiry', () => {
  it('reads epoch ms (number or digits) as ISO times are read', () => {
    expect(parseExpiry(EPOCH)).toBe(EPOCH);
    expect(parseExpiry(String(EPOCH))).toBe(EPOCH);
    expect(parseExpiry('2027-06-30T12:00:00Z')).toBe(EPOCH);
    expect(parseExpiry('2027-06-30')).toBe(Date.UTC(2027, 5, 30, 23, 59, 59, 999));
    for (const bad of [
      -1,
      1.5,
      Infinity,
      '1e12',
      '-1',
      '2027-02-29',
      '2027-06-30T24:00:00Z',
      '2027-06-30T00:00:00',
    ])
      expect(parseExpiry(bad as never)).toBeNull();
  });

  it('the schema names the field with one message, and says required only when absent', () => {
    const err = (input: unknown) => {
      try {
        parseWithSchema(approvalInputSchema, input);
      } catch (e) {
        return e as BulwarkError;
      }
      throw new Error('accepted');
    };
    expect(parseWithSchema(approvalInputSchema, { ...base, expires: EPOCH }).expires).toBe(EPOCH);
    expect(err({ ...base }).message).toMatch(/^expires: is required: a date \(2026-06-30\)/);
    for (const bad of [true, null, -5, '2027-02-29'])
      expect(err({ ...base, expires: bad }).message).toBe(
        'expires: must be a date (2026-06-30), an ISO 8601 time with offset, or epoch milliseconds',
      );
  });
});

describe('POST /security/approvals with an epoch ms expiry', () => {
  let t: TestApp;
  const clock = new FakeClock(Date.UTC(2026, 0, 3, 12));
  beforeAll(async () => {
    t = await startTestApp('sqlite::memory:', { clock });
    await t.bulwark.advisories.importPath(writeAdvisoryDir(advisorySet()));
  });
  afterAll(() => t.close());

  it('201 with the same expiry as its ISO spelling; a past one is still refused', async () => {
    const post = (expires: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/security/approvals',
        headers: bearer(t.tokens.admin),
        payload: { ...base, expires },
      });
    const r = await post(EPOCH);
    expect(r.statusCode).toBe(201);
    expect(r.json().expires_at).toBe('2027-06-30T12:00:00.000Z');
    const past = await post(Date.UTC(2025, 0, 1));
    expect([past.statusCode, past.json().field]).toEqual([400, 'expires']);
  });
});
