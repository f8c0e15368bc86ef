import { lockfileError } from './lockfile-error.js';

/**
 * The format markers each parser requires, and the versions it reads. A file without its format's
 * marker, or with a version outside these, is refused naming what was expected: read anyway, it
 * would yield no packages (or the wrong ones), and an empty scan passes a CI gate silently.
 */

/** package-lock.json / npm-shrinkwrap.json `lockfileVersion` (npm 5-6: 1, npm 7-8: 2, npm 9+: 3). */
export const PACKAGE_LOCK_VERSIONS: readonly number[] = [1, 2, 3];
/** bun.lock `lockfileVersion` (bun 1.1.39: 0, bun 1.2+: 1). */
export const BUN_LOCK_VERSIONS: readonly number[] = [0, 1];
/** Cargo.lock `version = N` (cargo writes it from 3 on; 1 and 2 have no version line, as cargo itself reads them). */
export const CARGO_LOCK_VERSIONS: readonly number[] = [3, 4];
/** pnpm-lock.yaml `lockfileVersion` majors (pnpm 3-7: 5.x, pnpm 8: 6.x, pnpm 9+: 9.x). */
export const PNPM_LOCK_MAJORS: readonly number[] = [5, 6, 9];
/** yarn berry `__metadata.version` (yarn 2: 4, yarn 3: 6, yarn 4: 8); all use the syntax this parser reads. */
export const YARN_BERRY_MAX_VERSION = 8;

/** `1, 2 or 3` */
export function listOf(values: readonly (number | string)[]): string {
  const all = values.map(String);
  return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]!}`;
}

/** A short, safe rendering of a version value the file holds (no more than a few characters of content). */
export function shownValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v);
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/** The refusal for a version outside the supported range: names the value found and the ones read. */
export function unsupportedVersion(
  fileName: string,
  field: string,
  found: unknown,
  expected: string,
): ReturnType<typeof lockfileError> {
  return lockfileError(fileName, `unsupported ${field} ${shownValue(found)}: expected ${expected}`);
}
