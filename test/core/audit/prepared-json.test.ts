import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canonicalJson } from '../../../src/core/audit/canonical-json.js';
import { type Redactor, type RedactorOptions, createRedactor } from '../../../src/core/audit/redaction.js';
import { prepareMetadata } from '../../../src/core/audit/sanitize.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';
import { loadGitleaksCases } from './support/gitleaks-corpus.js';
import { mulberry32 } from '../../support/prng.js';

/** The general path preparedJson must equal: redacted copy, neutralised, then canonical text. */
function general(r: Redactor, v: unknown): string {
  return canonicalJson(prepareMetadata(v, r));
}
/** Either the text or the error message (both paths must refuse the same values the same way). */
function outcome(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `threw ${(e as Error).message}`;
  }
}
/** preparedJson's answer, and whether it came from the one-pass walk (no fallback to redact). */
function viaPrepared(r: Redactor, v: unknown): { text: string; fast: boolean } {
  const spy = vi.spyOn(r, 'redact');
  try {
    const text = outcome(() => r.preparedJson(v));
    return { text, fast: spy.mock.calls.length === 0 };
  } finally {
    spy.mockRestore();
  }
}

const STRINGS = [
  '',
  '/login',
  'bad_password',
  'Mozilla/5.0 (X11; Linux x86_64)',
  'alice@example.com',
  'call +1 415 555 0100 now',
  '4111 1111 1111 1111',
  'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789',
  'password=hunter2hunter2',
  'token: "s3cr3tValue!xyz"',
  'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'AKIAIOSFODNN7EXAMPLE',
  'line one\nline two',
  'tab\there',
  'bidi \u202e override',
  'nul \u0000 char',
  'already [REDACTED:email] here, and bob@example.org',
  'quote " and backslash \\',
  'lone surrogate \ud800 x',
  'ünïcödé 日本語 🙂',
  'x'.repeat(40) + 'Ab1' + 'Z9q'.repeat(12),
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890abcdefghij\n-----END RSA PRIVATE KEY-----',
];
const KEYS = [
  'route',
  'status',
  'password',
  'api_key',
  'API-Key',
  'token',
  'cookie',
  'note',
  'user',
  'cvv',
  '__proto__',
  'constructor',
  'toJSON',
  '10',
  '2',
  'a\nb',
  'ctl\u0007',
  'é',
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  401,
  3.5,
  1e21,
  1e-7,
  4111111111111111,
  4111111111111112,
  5555555555554444,
  2 ** 53,
];

function randomValue(next: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const roll = next();
  if (depth > 5 || roll < 0.35) return pick(STRINGS);
  if (roll < 0.5) return pick(NUMBERS);
  if (roll < 0.55) return next() < 0.5;
  if (roll < 0.6) return null;
  if (roll < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(next() * 5);
  for (let i = 0; i < n; i++)
    Object.defineProperty(o, pick(KEYS), {
      value: randomValue(next, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return o;
}

const CONFIGS: Array<[string, RedactorOptions]> = [
  ['default', {}],
  ['hmac', { hmacKey: Buffer.alloc(32, 7) }],
  [
    'extra keys and patterns',
    { extraKeys: ['route'], extraPatterns: [{ kind: 'ticket', regex: /TICKET-\d+/ }] },
  ],
  ['tight guards', { maxDepth: 3, maxNodes: 12 }],
];

describe('Redactor.preparedJson equals canonicalJson(prepareMetadata(…))', () => {
  afterEach(() => vi.restoreAllMocks());

  for (const [name, opts] of CONFIGS) {
    it(`on 3000 random JSON values (${name})`, () => {
      const r = createRedactor(opts);
      const next = mulberry32(42);
      let fast = 0;
      for (let i = 0; i < 3000; i++) {
        const v = randomValue(next, 0);
        const got = viaPrepared(r, v);
        expect(got.text).toBe(outcome(() => general(r, v)));
        if (got.fast) fast++;
      }
      // The one-pass walk answered for most inputs (the rest fell back: control-character keys, guards).
      expect(fast).toBeGreaterThan(name === 'tight guards' ? 300 : 1500);
    });
  }

  it('answers typical audit metadata in one pass, and equals the general path', () => {
    const r = createRedactor();
    const meta = {
      route: '/login',
      status: 401,
      ua: 'Mozilla/5.0 (X11; Linux x86_64)',
      attempt: 3,
      reason: 'bad_password',
      password: 'hunter2',
      nested: { card: 4111111111111111, list: ['alice@example.com', true, null, 1.5] },
    };
    const got = viaPrepared(r, meta);
    expect(got.fast).toBe(true);
    expect(got.text).toBe(general(r, meta));
    expect(got.text).toContain('"password":"[REDACTED:password]"');
  });

  it('leaves to the general path what it does not cover, with the same result', () => {
    const r = createRedactor({ maxDepth: 2, maxNodes: 5 });
    const cases: unknown[] = [
      { 'a\u0000': 1, 'a\\u0000': 2 }, // neutralised keys collide
      { deep: { deeper: { deepest: 1 } } }, // depth guard
      [1, 2, 3, 4, 5, 6], // size guard
      { when: new Date(0) },
      { big: 10n },
      { f: () => 1, s: Symbol('x'), u: undefined, password: () => 1 },
      { bad: Number.NaN },
      [undefined, () => 1],
    ];
    for (const v of cases) {
      const got = viaPrepared(r, v);
      expect(got.fast).toBe(false);
      expect(got.text).toBe(outcome(() => general(r, v)));
    }
  });
});

describeWithSharedData('Redactor.preparedJson on the redaction corpora', () => {
  const r = createRedactor();
  const h = createRedactor({ hmacKey: Buffer.alloc(32, 1) });

  it('gitleaks lines, as values and under sensitive and plain keys, equal the general path', () => {
    for (const c of loadGitleaksCases())
      for (const red of [r, h]) {
        const v = { note: c.text, token: c.text, list: [c.text, { deep: c.text }] };
        const got = viaPrepared(red, v);
        expect(got.fast).toBe(true);
        expect(got.text).toBe(general(red, v));
      }
  });

  it('Presidio recognizer texts equal the general path', () => {
    const corpus = JSON.parse(
      readFileSync(sharedPath('vuln', 'pii', 'presidio_recognizer_test_cases.json'), 'utf8'),
    ) as Record<string, unknown>;
    const cases = Object.values(corpus).filter(Array.isArray).flat() as Array<{ text: string }>;
    expect(cases.length).toBeGreaterThan(30);
    for (const c of cases)
      for (const red of [r, h]) {
        const v = { text: c.text, a: [c.text] };
        const got = viaPrepared(red, v);
        expect(got.fast).toBe(true);
        expect(got.text).toBe(general(red, v));
      }
  });
});
