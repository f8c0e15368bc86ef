/**
 * The package ecosystems the dependency scanner understands, spelt as OSV spells them
 * (https://ossf.github.io/osv-schema/#affectedpackage-field).
 */
export const ECOSYSTEMS = ['npm', 'crates.io'] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

export const isEcosystem = (value: unknown): value is Ecosystem => value === 'npm' || value === 'crates.io';

/**
 * The key a package name is matched on within its ecosystem.
 *
 * - npm: exact. Names are case-sensitive in the registry: new names must be lower case, but
 *   legacy packages with capitals exist side by side with lower-case ones (`JSONStream` and
 *   `jsonstream` are different packages), so folding case could attach an advisory to the wrong one.
 * - crates.io: crates.io refuses a new crate whose name differs from an existing one only by case
 *   or by `-` versus `_`, so those spellings name one crate. Cargo.lock and RustSec both use the
 *   published spelling; folding them is a safe normalisation for input typed by hand.
 */
export function packageKeyName(ecosystem: Ecosystem, name: string): string {
  return ecosystem === 'crates.io' ? name.toLowerCase().replaceAll('_', '-') : name;
}

/** npm: `name` or `@scope/name`, URL-safe characters (legacy names keep capitals); at most 214 characters. */
const NPM_NAME = /^(?:@[A-Za-z0-9~-][A-Za-z0-9._~-]*\/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$/;
const NPM_NAME_MAX = 214;
/** crates.io: an ASCII letter, then letters, digits, `_` and `-`; at most 64 characters. */
const CRATE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Whether `name` can name a package in one of the ecosystems we scan (npm, scoped or not, or
 * crates.io). Approvals name packages people type by hand; anything else cannot match a finding
 * and is refused, so free text (a pasted secret) is never stored as a package name.
 */
export function isPackageName(name: string, ecosystem?: Ecosystem): boolean {
  const npm = name.length <= NPM_NAME_MAX && NPM_NAME.test(name);
  if (ecosystem === 'npm') return npm;
  const crate = CRATE_NAME.test(name);
  return ecosystem === 'crates.io' ? crate : npm || crate;
}
