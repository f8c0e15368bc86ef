import { beforeAll, expect, it } from 'vitest';
import { createRedactor } from '../../../src/core/audit/redaction.js';
import { PII_KINDS } from '../../../src/core/audit/pii-patterns.js';
import { describeWithSharedData } from '../../support/shared-data.js';
import {
  type GitleaksCase,
  loadGitleaksCases,
  loadGitleaksRules,
  longestSurvivingPart,
  secretsIn,
} from './support/gitleaks-corpus.js';

/** At most this many consecutive characters of a matched secret may survive (12 would be a partial key). */
const MAX_SURVIVING = 8;
/** Bound on the share of gitleaks `no_match` lines that get a secret marker (measured 18/112 = 16.1%). */
const MAX_FALSE_POSITIVE_RATE = 0.2;

const nest = (text: string) => ({ a: [{ b: { note: text } }], level: 'info' });
const noteOf = (v: unknown): string =>
  ((v as { a: Array<{ b: { note: string } }> }).a[0] as { b: { note: string } }).b.note;
const piiMarker = new RegExp(`\\[REDACTED:(?:${PII_KINDS.join('|')})[\\]:]`, 'g');
const hasSecretMarker = (s: string) => /\[REDACTED:/.test(s.replace(piiMarker, ''));

describeWithSharedData('redaction against the gitleaks rule tests', () => {
  let cases: GitleaksCase[];
  let rules: Map<string, RegExp>;
  const redactor = createRedactor();

  beforeAll(() => {
    cases = loadGitleaksCases();
    rules = loadGitleaksRules(cases.map((c) => c.rule_id));
  });

  it('reads the corpus: 193 lines, 81 match and 112 no_match over 23 rules', () => {
    expect(cases).toHaveLength(193);
    expect(cases.filter((c) => c.expect === 'match')).toHaveLength(81);
    expect(new Set(cases.map((c) => c.rule_id)).size).toBe(23);
  });

  it('removes every matched secret from nested metadata (no more than 8 characters of it survive)', () => {
    const leaks: string[] = [];
    let checked = 0;
    for (const c of cases.filter((x) => x.expect === 'match')) {
      const out = noteOf(redactor(nest(c.text)));
      for (const secret of secretsIn(c.text, rules.get(c.rule_id))) {
        checked++;
        const surviving = longestSurvivingPart(secret, out);
        if (surviving > Math.min(MAX_SURVIVING, secret.length - 1))
          leaks.push(
            `${c.rule_id}: ${surviving} of ${secret.length} chars survive in ${JSON.stringify(out).slice(0, 120)}`,
          );
      }
      expect(out).toMatch(/\[REDACTED:[a-z_]+\]/);
    }
    expect(leaks).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(81);
  });

  it('names the kind: JWTs as jwt, PEM keys as private_key, provider keys by provider', () => {
    const kindsFor = (rule: string) =>
      new Set(
        cases
          .filter((c) => c.rule_id === rule && c.expect === 'match')
          .flatMap((c) =>
            [...redactor.redactString(c.text).matchAll(/\[REDACTED:([a-z_]+)\]/g)].map((m) => m[1]),
          ),
      );
    expect(kindsFor('jwt')).toEqual(new Set(['jwt']));
    expect(kindsFor('private-key')).toEqual(new Set(['private_key']));
    expect(kindsFor('openai-api-key')).toEqual(new Set(['openai_key']));
    expect(kindsFor('slack-user-token')).toEqual(new Set(['slack_token']));
    expect(kindsFor('stripe-access-token')).toEqual(new Set(['stripe_key']));
  });

  it('keeps the false-positive rate on no_match lines under the bound, and prints it', () => {
    const noMatch = cases.filter((c) => c.expect === 'no_match');
    const flagged = noMatch.filter((c) => hasSecretMarker(redactor.redactString(c.text)));
    const rate = flagged.length / noMatch.length;
    const byRule = new Map<string, number>();
    for (const c of flagged) byRule.set(c.rule_id, (byRule.get(c.rule_id) ?? 0) + 1);
    console.log(
      `[redaction] gitleaks no_match false positives: ${flagged.length}/${noMatch.length} = ${(rate * 100).toFixed(1)}% (bound ${MAX_FALSE_POSITIVE_RATE * 100}%); by rule: ${JSON.stringify(Object.fromEntries(byRule))}`,
    );
    expect(rate).toBeLessThanOrEqual(MAX_FALSE_POSITIVE_RATE);
  });

  it('leaves placeholders alone: variables, templates, masks and xxxx', () => {
    const placeholders = cases.filter(
      (c) =>
        c.expect === 'no_match' &&
        /\$\{|\{\{|\$\(|\$[A-Z_]|<[a-z]+:|x{8}|X{8}|\*{4}|#{4}/.test(c.text) &&
        !c.text.includes('eyJ'),
    );
    expect(placeholders.length).toBeGreaterThanOrEqual(15);
    for (const c of placeholders) expect(hasSecretMarker(redactor.redactString(c.text)), c.text).toBe(false);
  });
});
