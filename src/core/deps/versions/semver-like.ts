/**
 * Fallback ordering for version strings that are not strict SemVer 2.0, following
 * osv-scalibr's `semantic` package (version-semver-like.go, version-semver.go), which is what
 * osv-scanner uses for npm and crates.io and where our truth file comes from.
 *
 * It is only reached when the `semver` library refuses a string (strict versions never come
 * here, see compare.ts). What it accepts that strict SemVer does not:
 * - numeric components of any size (compared as BigInt, e.g. `999999999999999999999999999991`),
 * - fewer than three components (missing ones count as 0: `1.2` = `1.2.0`),
 * - leading zeros (`01.2.3` = `1.2.3`),
 * - more than three components: the extra ones are appended to the text after the numbers, so
 *   `1.1.3.4.5` has the pre-release text `.4.5` (and therefore sorts *before* `1.1.3`, a scalibr
 *   quirk kept for agreement with osv-scanner; `1.2.3.4+b` keeps only build metadata and equals
 *   `1.2.3`).
 * On strict SemVer strings it orders exactly like SemVer 2.0 §11, so mixing both paths is sound.
 */
export interface SemverLike {
  /** At most three numeric components; missing ones are treated as 0 when comparing. */
  readonly components: readonly bigint[];
  /** Pre-release identifiers, or null for a release. Build metadata is already dropped. */
  readonly prerelease: readonly string[] | null;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const NUMERIC = /^[0-9]+$/;

export function parseSemverLike(input: string): SemverLike {
  const text = input.startsWith('v') ? input.slice(1) : input;
  const components: bigint[] = [];
  let i = 0;
  let digitsStart = -1;
  // Numeric components separated by '.', until the first character that is neither.
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      if (digitsStart < 0) digitsStart = i;
      continue;
    }
    if (digitsStart >= 0) {
      components.push(BigInt(text.slice(digitsStart, i)));
      digitsStart = -1;
    }
    if (c !== 46 /* '.' */) break;
  }
  if (digitsStart >= 0) components.push(BigInt(text.slice(digitsStart, i)));

  let rest = i < text.length ? text.slice(i) : '';
  if (components.length > 3) {
    // scalibr appends the extra components after whatever text followed them.
    rest += components
      .slice(3)
      .map((n) => `.${n}`)
      .join('');
    components.length = 3;
  }
  // SemVer §10: build metadata does not take part in ordering.
  const plus = rest.indexOf('+');
  if (plus >= 0) rest = rest.slice(0, plus);
  if (rest.startsWith('-')) rest = rest.slice(1);
  return { components, prerelease: rest === '' ? null : rest.split('.') };
}

function compareIdentifier(a: string, b: string): number {
  const aNum = NUMERIC.test(a);
  const bNum = NUMERIC.test(b);
  if (aNum && bNum) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (aNum) return -1; // §11.4.3: numeric identifiers sort below alphanumeric ones
  if (bNum) return 1;
  return a === b ? 0 : a < b ? -1 : 1; // §11.4.2: ASCII order
}

export function compareSemverLike(a: SemverLike, b: SemverLike): -1 | 0 | 1 {
  const n = Math.max(a.components.length, b.components.length, 3);
  for (let i = 0; i < n; i++) {
    const x = a.components[i] ?? 0n;
    const y = b.components[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  const ap = a.prerelease;
  const bp = b.prerelease;
  if (ap === null || bp === null) return ap === bp ? 0 : ap === null ? 1 : -1; // §11.3
  const m = Math.min(ap.length, bp.length);
  for (let i = 0; i < m; i++) {
    const d = compareIdentifier(ap[i] as string, bp[i] as string);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return ap.length === bp.length ? 0 : ap.length < bp.length ? -1 : 1; // §11.4.4
}
