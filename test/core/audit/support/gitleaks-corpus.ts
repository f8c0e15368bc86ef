/**
 * The curated gitleaks rule tests (shared/data/vuln/secrets, MIT) and, for each `match` line, the
 * text the gitleaks rule itself matches there — what must not survive redaction.
 *
 * Gitleaks rules are Go RE2 regexes; this turns the few constructs the rules use into JavaScript
 * (a scoped `(?i)` / `(?-i:…)` becomes a whole-regex `i` flag, `\z` becomes `$`). That widens a
 * rule slightly, which is fine here: it is only used to locate the secret in lines known to match.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse } from 'smol-toml';
import { sharedPath } from '../../../support/shared-data.js';

export interface GitleaksCase {
  rule_id: string;
  expect: 'match' | 'no_match';
  text: string;
}

export function loadGitleaksCases(): GitleaksCase[] {
  const raw = gunzipSync(
    readFileSync(sharedPath('vuln', 'secrets', 'gitleaks_curated_subset.jsonl.gz')),
  ).toString('utf8');
  return raw
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as GitleaksCase);
}

/** The JavaScript form of the rules named in `ids`. */
export function loadGitleaksRules(ids: Iterable<string>): Map<string, RegExp> {
  const wanted = new Set(ids);
  const cfg = parse(readFileSync(sharedPath('vuln', 'secrets', 'gitleaks_default_rules.toml'), 'utf8')) as {
    rules: Array<{ id: string; regex?: string }>;
  };
  const out = new Map<string, RegExp>();
  for (const r of cfg.rules) if (r.regex && wanted.has(r.id)) out.set(r.id, goRegexToJs(r.regex));
  return out;
}

export function goRegexToJs(src: string): RegExp {
  let flags = 'g';
  if (src.includes('(?i)') || src.includes('(?i:')) flags += 'i';
  const js = src
    .replaceAll('(?i)', '')
    .replaceAll('(?-i:', '(?:')
    .replaceAll('(?i:', '(?:')
    .replaceAll('\\z', '$')
    .replaceAll('(?P<', '(?<');
  return new RegExp(js, flags);
}

/**
 * The secrets a rule matches in `text`: the rule's first capture group that matched, else the
 * whole match. A `match` line the rule's regex does not match on its own (gitleaks tests some
 * lines through another rule or a generated context) counts as a secret whole.
 */
export function secretsIn(text: string, rule: RegExp | undefined): string[] {
  const found: string[] = [];
  if (rule) {
    for (const m of text.matchAll(rule)) {
      const g = m.slice(1).find((x) => x !== undefined && x !== '');
      found.push(g ?? m[0]);
    }
  }
  return found.length > 0 ? found : [text.trim()];
}

/** The longest stretch of `secret` still present in `out` (0 when none of it is). */
export function longestSurvivingPart(secret: string, out: string): number {
  let best = 0;
  for (let i = 0; i < secret.length; i++) {
    let len = best + 1;
    while (i + len <= secret.length && out.includes(secret.slice(i, i + len))) {
      best = len;
      len++;
    }
  }
  return best;
}
