import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/core/audit/redaction.js';
import {
  hasControlChars,
  neutralizeControlChars,
  prepareMetadata,
  sanitizeMetadata,
} from '../../../src/core/audit/sanitize.js';

describe('neutralizeControlChars', () => {
  it('makes CR, LF and TAB visible so one entry cannot forge another line', () => {
    const forged = 'login ok\r\n2024-05-01T00:00:00Z auth_success user=admin\tallowed';
    const out = neutralizeControlChars(forged);
    expect(out).toBe('login ok\\r\\n2024-05-01T00:00:00Z auth_success user=admin\\tallowed');
    expect(out.split(/\r\n|\r|\n/)).toHaveLength(1);
  });

  it('escapes every C0 and C1 control and DEL as \\u00XX', () => {
    for (let c = 0; c <= 0x9f; c++) {
      if (c >= 0x20 && c < 0x7f) continue;
      const out = neutralizeControlChars(`a${String.fromCharCode(c)}b`);
      expect(hasControlChars(out)).toBe(false);
      if (c !== 9 && c !== 10 && c !== 13) expect(out).toBe(`a\\u${c.toString(16).padStart(4, '0')}b`);
    }
    expect(neutralizeControlChars('\u001b[2J\u001b[31mred')).toBe('\\u001b[2J\\u001b[31mred');
    expect(neutralizeControlChars('next\u0085line')).toBe('next\\u0085line');
  });

  it('escapes Unicode line/paragraph separators and bidi overrides (Trojan Source)', () => {
    expect(neutralizeControlChars('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
    expect(neutralizeControlChars('user\u202Enimda\u202C')).toBe('user\\u202enimda\\u202c');
    for (const c of [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202d, 0x2066, 0x2067, 0x2068, 0x2069])
      expect(hasControlChars(neutralizeControlChars(String.fromCharCode(c)))).toBe(false);
  });

  it('returns printable text unchanged (the same string, no copy)', () => {
    const s = 'GET /api/v1/messages?page=2 — ünïcödé ✓ 日本語';
    expect(neutralizeControlChars(s)).toBe(s);
  });
});

describe('metadata walkers', () => {
  it('sanitizeMetadata neutralises strings and keys at any depth', () => {
    expect(sanitizeMetadata({ 'k\ney': ['v\r', { deep: 'x\u2028y', n: 1, b: true, z: null }] })).toEqual({
      'k\\ney': ['v\\r', { deep: 'x\\u2028y', n: 1, b: true, z: null }],
    });
  });

  it('prepareMetadata redacts and neutralises in one walk (PEM keys spanning lines still match)', () => {
    const r = createRedactor();
    const pem = `-----BEGIN EC PRIVATE KEY-----\n${'MHcCAQEEI'.repeat(8)}\n-----END EC PRIVATE KEY-----`;
    expect(
      prepareMetadata(
        { note: `key:\n${pem}\nend`, 'pass\nword': 'x1y2', list: ['a\nb', { password: 'hunter22' }] },
        r,
      ),
    ).toEqual({
      note: 'key:\\n[REDACTED:private_key]\\nend',
      'pass\\nword': '[REDACTED:password]', // a key split by a control character is still a password key
      list: ['a\\nb', { password: '[REDACTED:password]' }],
    });
  });
});
