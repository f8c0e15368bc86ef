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
