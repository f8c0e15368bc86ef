/**
 * An approval's one-line fields (reason, approver, package, range, path) are one line by the rule
 * every other one-line field follows (core/validation.ts hasLineUnsafeText). Its own copy of the
 * control-character pattern let U+2028/U+2029 (a line break to JavaScript and many log viewers)
 * and lone surrogates through, on every path that skips the API's body check (CLI, policy file).
 */
import { describe, expect, it } from 'vitest';
import { approvalInputSchema } from '../../../../src/core/deps/approvals/approval.js';

const base = {
  advisory_id: 'GHSA-jf85-cpcp-j695',
  reason: 'not reachable: we never call the vulnerable function',
  approver: 'alice@example.com',
  expires: '2026-06-30',
};

describe('approval one-line fields', () => {
  it('takes an ordinary approval', () => {
    expect(approvalInputSchema.safeParse(base).success).toBe(true);
  });

  it.each([
    ['reason', 'fine\u2028approved by: security team'],
    ['reason', 'fine\u2029more'],
    ['approver', 'alice\ud800'],
    ['reason', 'a\u202eb'],
    ['approver', 'alice\nbob'],
  ])('refuses %s %j', (field, value) => {
    const r = approvalInputSchema.safeParse({ ...base, [field]: value });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual([field]);
  });
});
