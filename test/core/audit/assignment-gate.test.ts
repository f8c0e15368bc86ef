import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/audit/detector.js';
import { buildSecretDetectors } from '../../../src/core/audit/secret-patterns.js';
import { createKeyClassifier } from '../../../src/core/audit/sensitive-keys.js';
import { hasSharedData } from '../../support/shared-data.js';
import { loadGitleaksCases } from './support/gitleaks-corpus.js';
import { mulberry32 } from '../../support/prng.js';

// The assignment detector sits between the provider formats and the entropy fallback.
const assignmentOf = (classify: (name: string) => string | null) => {
  const ds = buildSecretDetectors(classify);
  return ds[ds.length - 2]!;
};
const SEPARATOR = /[=:,]/;

const PARTS = [
  'password',
  'token',
  'api_key',
  'x',
  'S3cr3tV4lu3!',
  ' ',
  '\t',
  '"',
  "'",
  '`',
  '\\',
  '=',
  '==',
  '=>',
  ':',
  ':=',
  ',',
  '(',
  ')',
  'bearer ',
  'abc123XYZ789',
];

describe('the assignment detector gate (a separator is needed)', () => {
  it('finds nothing in a string without `=`, `:` or `,`, even when every name counts as sensitive', () => {
    expect(assignmentOf(createKeyClassifier()).gate).toBeDefined();
    const texts: string[] = [];
    const next = mulberry32(3);
    for (let i = 0; i < 20_000; i++) {
      let t = '';
      const n = 1 + Math.floor(next() * 8);
      for (let j = 0; j < n; j++) t += PARTS[Math.floor(next() * PARTS.length)];
      texts.push(t);
    }
    if (hasSharedData) texts.push(...loadGitleaksCases().map((c) => c.text));
    let found = 0;
    for (const classify of [createKeyClassifier(), () => 'secret']) {
      const d = assignmentOf(classify);
      for (const t of texts) {
        const spans: Span[] = [];
        d.scan(t, spans, 1);
        if (spans.length > 0) {
          found++;
          expect(SEPARATOR.test(t)).toBe(true);
        }
      }
    }
    // The inputs do exercise the detector (so the property is not vacuous).
    expect(found).toBeGreaterThan(1000);
  });
});
