import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { createRedactor } from '../../../src/core/audit/redaction.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';

interface PresidioCase {
  text: string;
  expected_count: number;
  spans: Array<[number, number]>;
  entities?: string[];
}
type Corpus = Record<'CREDIT_CARD' | 'EMAIL_ADDRESS' | 'PHONE_NUMBER' | 'IP_ADDRESS', PresidioCase[]>;

const markers = (s: string, kind: string) =>
  (s.match(new RegExp(`\\[REDACTED:${kind}\\]`, 'g')) ?? []).length;

/** Scores one entity: every expected span gone and marked, nothing else marked. */
function score(cases: PresidioCase[], kind: string, redactString: (s: string) => string) {
  let expected = 0;
  let found = 0;
  let spurious = 0;
  let unchangedNegatives = 0;
  let negatives = 0;
  for (const c of cases) {
    const out = redactString(c.text);
    const gone = c.spans.filter(([a, b]) => !out.includes(c.text.slice(a, b))).length;
    expected += c.spans.length;
    found += Math.min(gone, markers(out, kind));
    spurious += Math.max(0, markers(out, kind) - c.expected_count);
    if (c.expected_count === 0) {
      negatives++;
      if (out === c.text) unchangedNegatives++;
    }
  }
  return { expected, found, spurious, negatives, unchangedNegatives };
}

describeWithSharedData('PII redaction against the Presidio recognizer tests', () => {
  let corpus: Corpus;
  const redactor = createRedactor();

  beforeAll(() => {
    corpus = JSON.parse(
      readFileSync(sharedPath('vuln', 'pii', 'presidio_recognizer_test_cases.json'), 'utf8'),
    ) as Corpus;
  });

  it('credit cards: every Luhn-valid number redacted, every Luhn-invalid one left as it is', () => {
    const s = score(corpus.CREDIT_CARD, 'card', redactor.redactString);
    console.log(
      `[redaction] presidio CREDIT_CARD: ${s.found}/${s.expected} spans redacted, ${s.spurious} spurious, ${s.unchangedNegatives}/${s.negatives} Luhn-invalid texts untouched`,
    );
    expect(s).toEqual({ expected: 10, found: 10, spurious: 0, negatives: 3, unchangedNegatives: 3 });
    const invalid = corpus.CREDIT_CARD.filter((c) => c.expected_count === 0);
    expect(invalid.map((c) => c.text)).toContain('4012-8888-8888-1882');
    for (const c of invalid) expect(redactor({ note: c.text })).toEqual({ note: c.text });
  });

  it('credit cards: the digit groups of a UUID or a dash-joined id are not a card', () => {
    for (const text of [
      '/security/vulnerabilities/00000000-0000-0000-0000-000000000000',
      'id 41111111-1111-1111-1111-111111111111 done',
      'trace 4111-1111-1111-1111-abcd',
    ])
      expect(redactor.redactString(text), text).toBe(text);
    // A card beside other text is still found, dashes, spaces or none.
    for (const text of [
      'paid with 4111-1111-1111-1111, thanks',
      'card: 4111 1111 1111 1111',
      '(4111111111111111)',
    ])
      expect(redactor.redactString(text), text).toContain('[REDACTED:card');
  });

  it('e-mail: addresses redacted, a dangling domain without TLD left alone', () => {
    const s = score(corpus.EMAIL_ADDRESS, 'email', redactor.redactString);
    console.log(
      `[redaction] presidio EMAIL_ADDRESS: ${s.found}/${s.expected} spans redacted, ${s.spurious} spurious, ${s.unchangedNegatives}/${s.negatives} negatives untouched`,
    );
    expect(s).toEqual({ expected: 3, found: 3, spurious: 0, negatives: 1, unchangedNegatives: 1 });
    expect(
      redactor.redactString('try one of these emails: info@presidio.site or anotherinfo@presidio.site'),
    ).toBe('try one of these emails: [REDACTED:email] or [REDACTED:email]');
  });

  it('phone: the Israeli national number is not matched by the international/US patterns, and is with a configured IL pattern', () => {
    const [defaults, il] = corpus.PHONE_NUMBER as [PresidioCase, PresidioCase];
    expect(defaults.entities).toEqual(['INTERNATIONAL_PHONE_NUMBER', 'US_PHONE_NUMBER']);
    expect(redactor.redactString(defaults.text)).toBe(defaults.text);
    const withIl = createRedactor({
      extraPatterns: [{ kind: 'phone', regex: /(?<![\w+-])0[2-9]-?\d{7}(?!\d)/g }],
    });
    const s = score([il], 'phone', withIl.redactString);
    console.log(
      `[redaction] presidio PHONE_NUMBER: default 0/0 (correctly none), with IL pattern ${s.found}/${s.expected}`,
    );
    expect(s.found).toBe(1);
    expect(withIl.redactString(il.text)).toBe('My Israeli number is [REDACTED:phone]');
  });

  it('IP addresses are not redacted from metadata (the address is a first-class audit field)', () => {
    for (const c of corpus.IP_ADDRESS) expect(redactor.redactString(c.text)).toBe(c.text);
  });
});
