import { describe, expect, it } from 'vitest';
import { formatToken, parseToken, tokenVersion } from '../../../src/core/keys/versioned-token.js';

describe('versioned tokens', () => {
  it('round-trip version and payload', () => {
    const payload = Buffer.from('f0f1f2f3f4', 'hex');
    const token = formatToken(12, payload);
    expect(token).toBe('bulwark:v12:8PHy8_Q');
    expect(tokenVersion(token)).toBe(12);
    expect(parseToken(token)).toEqual({ version: 12, payload });
    expect(parseToken(token, true)).toEqual({ version: 12, payload });
  });

  it('give each version exactly one spelling', () => {
    for (const bad of [
      'bulwark:v0:AA',
      'bulwark:v01:AA',
      'bulwark:v+1:AA',
      'bulwark:v1.0:AA',
      'bulwark:v2147483648:AA',
      'bulwark:v:AA',
    ]) {
      expect(tokenVersion(bad), bad).toBeNull();
    }
    expect(tokenVersion('bulwark:v2147483647:AA')).toBe(2_147_483_647);
  });

  it('refuse payloads that are not base64url, and non-canonical ones when asked', () => {
    for (const bad of [
      'bulwark:v1:',
      'bulwark:v1:A',
      'bulwark:v1:AB=C',
      'bulwark:v1:A B',
      'bulwark:v1:AA==',
      'bulwark:v1:é9',
    ]) {
      expect(parseToken(bad), bad).toBeNull();
    }
    expect(parseToken('bulwark:v1:AB')).not.toBeNull(); // 'AB' decodes to 0x00 with padding bits set
    expect(parseToken('bulwark:v1:AB', true)).toBeNull();
    expect(parseToken('bulwark:v1:AA', true)).toEqual({ version: 1, payload: Buffer.from([0]) });
    expect(parseToken('bulwark:v1:+/8', true)).toBeNull(); // standard-base64 alphabet
  });
});
