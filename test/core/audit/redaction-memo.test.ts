import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/core/audit/redaction.js';
import { hasSharedData } from '../../support/shared-data.js';
import { loadGitleaksCases } from './support/gitleaks-corpus.js';
import { mulberry32 } from '../../support/prng.js';

const PARTS = [
  '/login',
  'bad_password',
  'password=hunter2hunter2',
  ' ',
  'alice@example.com',
  '4111 1111 1111 1111',
  '+1 415 555 0100',
  'token: abcDEF123456ghiJKL',
  'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB',
  'Mozilla/5.0',
  'x',
  '[REDACTED:email]',
  '\n',
];

/** Distinct strings, about half of them holding something to redact. */
function corpus(n: number): string[] {
  const next = mulberry32(11);
  const out = new Set<string>();
  if (hasSharedData) for (const c of loadGitleaksCases()) out.add(c.text);
  while (out.size < n) {
    let t = '';
    const k = 1 + Math.floor(next() * 5);
    for (let j = 0; j < k; j++) t += PARTS[Math.floor(next() * PARTS.length)];
    out.add(`${t} ${Math.floor(next() * 1e6)}`);
  }
  return [...out];
}

describe('the redactor memo of strings holding nothing to redact', () => {
  for (const hmac of [false, true]) {
    it(`repeated strings redact exactly as on first sight, past the memo's bound too${hmac ? ' (hmac markers)' : ''}`, () => {
      const opts = hmac ? { hmacKey: Buffer.alloc(32, 5) } : {};
      const texts = corpus(10_000); // more than the memo holds: it is cleared and refilled
      // Each text once, first sight for this redactor: the detectors decide every one.
      const fresh = createRedactor(opts);
      const expected = texts.map((t) => fresh.redactString(t));
      expect(expected.filter((r, i) => r !== texts[i]).length).toBeGreaterThan(2000);
      expect(expected.filter((r, i) => r === texts[i]).length).toBeGreaterThan(2000);
      // The same texts three times over, interleaved, through one redactor: memo hits on repeats.
      const warm = createRedactor(opts);
      for (let pass = 0; pass < 3; pass++)
        for (let i = pass; i < texts.length + pass; i++) {
          const j = i % texts.length;
          expect(warm.redactString(texts[j]!)).toBe(expected[j]);
        }
      // And through the metadata walk.
      for (let i = 0; i < 500; i++)
        expect(warm.preparedJson({ note: texts[i] })).toBe(fresh.preparedJson({ note: texts[i] }));
    });
  }
});
