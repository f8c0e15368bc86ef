import { describe, expect, it } from 'vitest';
import { parseAttemptInput } from '../../../src/core/auth/attempt.js';
import { BulwarkError } from '../../../src/core/errors.js';

const ID = '01890a5d-ac96-774b-bcce-b302099a8057';
const newId = () => ID;

function fieldOf(input: unknown): string | undefined {
  try {
    parseAttemptInput(input, newId);
  } catch (e) {
    expect(e).toBeInstanceOf(BulwarkError);
    expect((e as BulwarkError).code).toBe('validation_failed');
    return (e as BulwarkError).field;
  }
  return undefined;
}

describe('AuthenticationAttempt input', () => {
  const base = {
    source_ip: '::ffff:192.0.2.10',
    timestamp: '2025-01-31T12:00:00.250+01:00',
    result: 'failure',
    failure_reason: 'bad_password',
    user_id: 'alice',
  };

  it('normalises the address and the time, fills the defaults', () => {
    expect(parseAttemptInput(base, newId)).toEqual({
      id: ID,
      user_id: 'alice',
      sender: null,
      source_ip: '192.0.2.10',
      timestamp: Date.UTC(2025, 0, 31, 11, 0, 0, 250),
      result: 'failure',
      failure_reason: 'bad_password',
      failure_detail: null,
      rl_bucket_state: [],
    });
    const v6 = parseAttemptInput(
      { ...base, source_ip: '2001:DB8:0:0:0:0:0:1', timestamp: 1_700_000_000_000 },
      newId,
    );
    expect([v6.source_ip, v6.timestamp]).toEqual(['2001:db8::1', 1_700_000_000_000]);
  });

  it('keeps a sender and the rate-limit buckets consulted', () => {
    const a = parseAttemptInput(
      {
        ...base,
        sender: '+15551234567',
        result: 'failure',
        failure_reason: 'rate_limited',
        rl_bucket_state: [
          { bucket: 'sender:+15551234567', window_ms: 60_000, count: 11, limit: 10, retry_after_ms: 4_000 },
        ],
      },
      newId,
    );
    expect(a.sender).toBe('+15551234567');
    expect(a.rl_bucket_state).toEqual([
      { bucket: 'sender:+15551234567', window_ms: 60_000, count: 11, limit: 10, retry_after_ms: 4_000 },
    ]);
  });

  it('names the field that is wrong', () => {
    expect(fieldOf({ ...base, source_ip: 'example.com' })).toBe('source_ip');
    expect(fieldOf({ ...base, source_ip: '010.0.0.1' })).toBe('source_ip');
    expect(fieldOf({ ...base, timestamp: '2025-01-31 12:00' })).toBe('timestamp');
    expect(fieldOf({ ...base, timestamp: -1 })).toBe('timestamp');
    expect(fieldOf({ ...base, result: 'maybe' })).toBe('result');
    expect(fieldOf({ ...base, failure_reason: 'forgot' })).toBe('failure_reason');
    expect(fieldOf({ ...base, user_id: 'bob\nFAKE LOG LINE' })).toBe('user_id');
    expect(fieldOf({ ...base, extra: 1 })).toBe('extra');
    expect(fieldOf({ ...base, rl_bucket_state: [{ bucket: 'ip:1', window_ms: 0, count: 1 }] })).toBe(
      'rl_bucket_state.0.window_ms',
    );
    expect(fieldOf({ ...base, id: 'not-a-uuid' })).toBe('id');
    expect(fieldOf('nope')).toBe('input');
  });

  it('ties failure_reason and failure_detail to the result', () => {
    expect(fieldOf({ ...base, failure_reason: undefined })).toBe('failure_reason');
    expect(fieldOf({ ...base, failure_reason: 'other' })).toBe('failure_detail');
    expect(
      parseAttemptInput({ ...base, failure_reason: 'other', failure_detail: 'captcha failed' }, newId)
        .failure_detail,
    ).toBe('captcha failed');
    expect(fieldOf({ ...base, result: 'success' })).toBe('failure_reason');
    expect(fieldOf({ ...base, result: 'success', failure_reason: null, failure_detail: 'x' })).toBe(
      'failure_detail',
    );
    expect(
      parseAttemptInput({ ...base, result: 'success', failure_reason: null }, newId).failure_reason,
    ).toBeNull();
  });
});
