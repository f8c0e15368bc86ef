/**
 * OWASP Top 10 categories (editions 2025, the default, and 2021): names, CWE → category lookup,
 * derivation of one category from a vulnerability's CWEs, translation between editions, and
 * parsing of what people type for a category.
 *
 * The tables are in data/owasp-top10.ts (CC BY-SA 4.0, generated from OWASP's own pages).
 */
import { validationError } from '../errors.js';
import { OWASP_2021_TO_2025, OWASP_TOP10_CWES, OWASP_TOP10_NAMES } from './data/owasp-top10.js';

export const OWASP_EDITIONS = ['2025', '2021'] as const;
export type OwaspEdition = (typeof OWASP_EDITIONS)[number];
export const DEFAULT_OWASP_EDITION: OwaspEdition = '2025';

/** In rank order: A01 is the category OWASP ranks first. */
export const OWASP_CATEGORIES = [
  'A01',
  'A02',
  'A03',
  'A04',
  'A05',
  'A06',
  'A07',
  'A08',
  'A09',
  'A10',
] as const;
export type OwaspCategory = (typeof OWASP_CATEGORIES)[number];

export const isOwaspEdition = (v: unknown): v is OwaspEdition => v === '2025' || v === '2021';
export const isOwaspCategory = (v: unknown): v is OwaspCategory =>
  (OWASP_CATEGORIES as readonly unknown[]).includes(v);

/** The category's title in that edition, e.g. categoryName('A10', '2021') = 'Server-Side Request Forgery (SSRF)'. */
export const categoryName = (
  category: OwaspCategory,
  edition: OwaspEdition = DEFAULT_OWASP_EDITION,
): string => OWASP_TOP10_NAMES[edition][category];

// ---- CWE ids ------------------------------------------------------------------------------------

const CWE_PATTERN = /^(?:CWE-)?(\d{1,7})$/i;

/**
 * Parses a CWE id given as 79, '79', 'CWE-79' or 'cwe-79' (surrounding spaces ignored).
 * @throws validationError(field) for anything else, including 0 and negative numbers.
 */
export function parseCwe(input: string | number, field = 'cwe'): number {
  let id: number;
  if (typeof input === 'number') {
    id = input;
  } else if (typeof input === 'string') {
    const m = CWE_PATTERN.exec(input.trim());
    if (!m) throw validationError(field, 'must be a CWE id such as CWE-79');
    id = Number(m[1]);
  } else {
    throw validationError(field, 'must be a CWE id such as CWE-79');
  }
  if (!Number.isSafeInteger(id) || id < 1 || id > 9_999_999)
    throw validationError(field, 'must be a CWE id such as CWE-79 (a positive whole number)');
  return id;
}

/** The canonical spelling, 'CWE-79'. */
export const formatCwe = (id: number): string => `CWE-${id}`;

// Reverse index, built once: edition → CWE id → categories in rank order.
const CWE_INDEX: Readonly<Record<OwaspEdition, ReadonlyMap<number, readonly OwaspCategory[]>>> = {
  '2025': buildIndex('2025'),
  '2021': buildIndex('2021'),
};

function buildIndex(edition: OwaspEdition): Map<number, OwaspCategory[]> {
  const index = new Map<number, OwaspCategory[]>();
  for (const category of OWASP_CATEGORIES) {
    for (const cwe of OWASP_TOP10_CWES[edition][category] ?? []) {
      const list = index.get(cwe);
      if (list) list.push(category);
      else index.set(cwe, [category]);
    }
  }
  return index;
}

function assertEdition(edition: unknown, field = 'owasp_edition'): asserts edition is OwaspEdition {
  if (!isOwaspEdition(edition)) throw validationError(field, `must be one of ${OWASP_EDITIONS.join(', ')}`);
}

/**
 * The categories a CWE is mapped to in an edition, in rank order: usually one, two for 2021's
 * CWE-259 (A02 and A07), none for a CWE the Top 10 does not map (an expected outcome, not an error).
 * @throws validationError('cwe') for a malformed id.
 */
export function categoriesForCwe(
  cwe: string | number,
  edition: OwaspEdition = DEFAULT_OWASP_EDITION,
): OwaspCategory[] {
  assertEdition(edition);
  return [...(CWE_INDEX[edition].get(parseCwe(cwe)) ?? [])];
}

// ---- Deriving one category from several CWEs ----------------------------------------------------

export type DerivationRule = 'single' | 'majority' | 'tie_rank';

export interface DerivedCategory {
  category: OwaspCategory;
  edition: OwaspEdition;
  /** Every category any of the CWEs maps to, best first, with the CWEs that voted for it. */
  candidates: { category: OwaspCategory; cwes: string[] }[];
  /** Which step of the rule decided (see deriveCategory). */
  rule: DerivationRule;
}

/**
 * Derives one OWASP category from a vulnerability's CWEs.
 *
 * The rule, deterministic and independent of the order the CWEs are given in (advisory sources
 * such as GHSA list CWE ids sorted, so order says nothing about which one is primary):
 * 1. Each distinct CWE is looked up in the edition's mapping; CWEs mapped to no category are ignored.
 * 2. Each category gets one vote per distinct CWE mapped to it. A CWE listed under two categories
 *    (2021: CWE-259 in A02 and A07) votes for both.
 * 3. The category with the most votes wins (`rule: 'single'` when it is the only candidate,
 *    `'majority'` when it strictly leads).
 * 4. On a tie, the category OWASP ranks higher wins, i.e. the lower number: A02 before A07
 *    (`rule: 'tie_rank'`). The Top 10 is ordered by risk, so a tie goes to the graver risk.
 *
 * Returns null when no CWE maps to any category (an expected outcome). Malformed CWE ids throw
 * validationError naming `cwes.<index>`.
 */
export function deriveCategory(
  cwes: readonly (string | number)[],
  edition: OwaspEdition = DEFAULT_OWASP_EDITION,
): DerivedCategory | null {
  assertEdition(edition);
  const index = CWE_INDEX[edition];
  const votes = new Map<OwaspCategory, number[]>();
  const seen = new Set<number>();
  cwes.forEach((raw, i) => {
    const id = parseCwe(raw, `cwes.${i}`);
    if (seen.has(id)) return;
    seen.add(id);
    for (const category of index.get(id) ?? []) {
      const list = votes.get(category);
      if (list) list.push(id);
      else votes.set(category, [id]);
    }
  });
  if (votes.size === 0) return null;

  const rank = (c: OwaspCategory): number => OWASP_CATEGORIES.indexOf(c);
  const ranked = [...votes]
    .sort(([a, va], [b, vb]) => vb.length - va.length || rank(a) - rank(b))
    .map(([category, ids]) => ({ category, cwes: ids.sort((x, y) => x - y).map(formatCwe) }));
  const [first, second] = ranked as [(typeof ranked)[number], ...(typeof ranked)[number][]];
  const rule: DerivationRule = !second
    ? 'single'
    : second.cwes.length === first.cwes.length
      ? 'tie_rank'
      : 'majority';
  return { category: first.category, edition, candidates: ranked, rule };
}

// ---- Editions -----------------------------------------------------------------------------------

// 2025 → 2021: the inverse of OWASP's mapping. Where two 2021 categories went to the same 2025 one
// (A01 and A10 both became A01:2025), the one with the same title is its counterpart.
const OWASP_2025_TO_2021: Readonly<Partial<Record<OwaspCategory, OwaspCategory>>> = (() => {
  const inverse: Partial<Record<OwaspCategory, OwaspCategory>> = {};
  for (const [from, to] of Object.entries(OWASP_2021_TO_2025) as [OwaspCategory, OwaspCategory][]) {
    const sameTitle = OWASP_TOP10_NAMES['2021'][from] === OWASP_TOP10_NAMES['2025'][to];
    if (inverse[to] === undefined || sameTitle) inverse[to] = from;
  }
  return inverse;
})();

/**
 * The category in edition `to` that a category of edition `from` became, per OWASP's own mapping
 * (e.g. A10:2021 SSRF → A01:2025, A02:2021 → A04:2025). 2025 → 2021 goes back the same way and is
 * lossy: A01:2025 gives A01:2021, and A10:2025 (new in 2025) has no 2021 counterpart → null.
 */
export function translateCategory(
  category: OwaspCategory,
  from: OwaspEdition,
  to: OwaspEdition,
): OwaspCategory | null {
  if (!isOwaspCategory(category))
    throw validationError('owasp_category', `must be one of ${OWASP_CATEGORIES.join(', ')}`);
  assertEdition(from);
  assertEdition(to);
  if (from === to) return category;
  if (from === '2021') return OWASP_2021_TO_2025[category];
  return OWASP_2025_TO_2021[category] ?? null;
}

// ---- Parsing ------------------------------------------------------------------------------------

// A01, a1, A01:2025, and the titled form that OWASP and scanners print: "A03:2021 - Injection".
const CATEGORY_PATTERN = /^A(0?[1-9]|10)(?::(\d{4}))?(?:\s*[-–—]\s*(.+))?$/i;
const MAX_CATEGORY_INPUT = 128;
const squash = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();

export interface ParsedCategory {
  category: OwaspCategory;
  /** The edition the input named (or that its title identifies); null when it did not say. */
  edition: OwaspEdition | null;
}

/**
 * Parses an OWASP Top 10 category as people write it: `A01`, `a1`, `A01:2021`, or with the
 * title, `A03:2021 - Injection` (title compared case-insensitively and must be that category's
 * title). Without an edition, a title that belongs to only one edition decides it.
 * Anything else (A00, A11, A01:2017, a title of another category) is refused.
 * @throws validationError(field, …), field defaulting to `owasp_category`.
 */
export function parseCategory(input: string, field = 'owasp_category'): ParsedCategory {
  const usage = 'must be an OWASP Top 10 category A01–A10, optionally with its edition (e.g. A01:2025)';
  if (typeof input !== 'string') throw validationError(field, usage);
  const text = input.trim();
  if (text.length === 0 || text.length > MAX_CATEGORY_INPUT) throw validationError(field, usage);
  const m = CATEGORY_PATTERN.exec(text);
  if (!m) throw validationError(field, usage);

  const category = `A${(m[1] ?? '').padStart(2, '0')}` as OwaspCategory;
  let edition: OwaspEdition | null = null;
  if (m[2] !== undefined) {
    if (!isOwaspEdition(m[2]))
      throw validationError(
        field,
        `edition ${m[2]} is not supported (supported: ${OWASP_EDITIONS.join(', ')})`,
      );
    edition = m[2];
  }
  const title = m[3];
  if (title !== undefined) {
    const editions = edition ? [edition] : [...OWASP_EDITIONS];
    const matching = editions.filter((e) => squash(OWASP_TOP10_NAMES[e][category]) === squash(title));
    if (matching.length === 0) {
      const expected = editions.map((e) => `"${OWASP_TOP10_NAMES[e][category]}" (${e})`).join(' or ');
      throw validationError(field, `the title does not match ${category}: expected ${expected}`);
    }
    if (matching.length === 1) edition = matching[0] ?? null;
  }
  return { category, edition };
}

// ---- Filtering by category across editions -------------------------------------------------------

/** A category filter: categories of one edition. */
export interface CategoryFilter {
  edition: OwaspEdition;
  categories: OwaspCategory[];
}

/**
 * Parses category filter values as people write them (`A03`, `A03:2021`, `A03:2021 - Injection`)
 * into categories of one edition: `edition` when given, else the edition the values name, else
 * `defaultEdition`. Values naming two different editions, or an edition other than `edition`, are
 * refused: "A03" means Injection in 2021 and Software Supply Chain Failures in 2025.
 */
export function parseCategoryFilter(
  values: readonly string[],
  edition: OwaspEdition | undefined,
  defaultEdition: OwaspEdition,
  field = 'owasp_category',
): CategoryFilter {
  const parsed = values.map((v, i) => parseCategory(v, values.length > 1 ? `${field}.${i}` : field));
  const named = [...new Set(parsed.map((p) => p.edition).filter((e): e is OwaspEdition => e !== null))];
  if (named.length > 1) throw validationError(field, `mixes editions ${named.join(' and ')}: filter in one`);
  if (edition && named[0] && named[0] !== edition)
    throw validationError(field, `names edition ${named[0]} but the edition filter is ${edition}`);
  return {
    edition: edition ?? named[0] ?? defaultEdition,
    categories: [...new Set(parsed.map((p) => p.category))],
  };
}

/**
 * The stored (category, edition) pairs a filter matches: the categories themselves in their
 * edition, and every category of the other edition that OWASP's correspondence translates into
 * one of them (A10:2021 SSRF is found by a filter on A01:2025).
 */
export function categoriesMatching(filter: CategoryFilter): Record<OwaspEdition, OwaspCategory[]> {
  const wanted = new Set(filter.categories);
  const out = { '2025': [], '2021': [] } as Record<OwaspEdition, OwaspCategory[]>;
  for (const edition of OWASP_EDITIONS) {
    out[edition] =
      edition === filter.edition
        ? [...wanted]
        : OWASP_CATEGORIES.filter((c) => {
            const t = translateCategory(c, edition, filter.edition);
            return t !== null && wanted.has(t);
          });
  }
  return out;
}
