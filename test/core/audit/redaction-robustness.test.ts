import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/core/audit/redaction.js';
import { mulberry32 } from '../../support/prng.js';

const PIECES = [
  '=',
  '==',
  ':',
  '@',
  '.',
  '/',
  '//',
  '-',
  '_',
  '+',
  '"',
  "'",
  '\\',
  ' ',
  '\n',
  'a',
  'Z',
  '7',
  '0',
  'ey',
  '.ey',
  'key',
  'token',
  'password',
  'curl',
  ' -u ',
  'Bearer ',
  'Basic ',
  'https://',
  'sk-',
  'xoxb-',
  'AKIA',
  '4111',
  '+44 ',
  '(415) ',
  '-----BEGIN PRIVATE KEY-----',
  's.',
  'Q~',
  '%',
  '$',
  '{{',
  '<',
  '[',
];

describe('redactString robustness', () => {
  const r = createRedactor({ hmacKey: Buffer.alloc(32, 1) });

  it('terminates quickly on 3,000 random strings built from trigger fragments', () => {
    const rand = mulberry32(42);
    // A hang fails through the test timeout; no wall-clock assertion here.
    for (let i = 0; i < 3000; i++) {
      let s = '';
      const n = 1 + Math.floor(rand() * 60);
      for (let j = 0; j < n; j++) s += PIECES[Math.floor(rand() * PIECES.length)];
      const out = r.redactString(s);
      expect(typeof out).toBe('string');
      // Redacting again never touches a marker (a neighbour may still change: its context did).
      const again = r.redactString(out);
      for (const m of out.match(/\[REDACTED:[^\]]+\]/g) ?? []) expect(again).toContain(m);
      expect(again).not.toMatch(/\[REDACTED:[^\]]*\[REDACTED/);
    }
  });

  it('stays linear on long adversarial strings (no catastrophic backtracking)', () => {
    const adversarial = [
      'a'.repeat(16_000) + '@',
      '@' + 'a.'.repeat(8000),
      'curl ' + 'x\n'.repeat(5000),
      'password' + '='.repeat(16_000),
      'key:'.repeat(4000),
      '1 '.repeat(8000),
      '4'.repeat(16_000),
      'https://' + 'a:'.repeat(8000) + '@',
      'ey'.repeat(4000) + '.ey' + 'A'.repeat(8000),
      '=' + 'Ab1'.repeat(5000),
    ];
    for (const s of adversarial) {
      expect(typeof r.redactString(s), s.slice(0, 20)).toBe('string');
    }
  });
});
