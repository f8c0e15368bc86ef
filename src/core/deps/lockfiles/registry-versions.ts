/**
 * A registry package's version must be a version of its ecosystem. The matcher orders versions
 * leniently (semver-like, as osv-scanner does), so a string that is no version at all, such as
 * `password=…`, sorts below every release and would match every advisory of that package, and be
 * stored in the register as `name@<whatever>`. Registries only publish valid versions, so such an
 * entry is a damaged or forged lockfile: refused, naming the file, the package and the field (not
 * the value, which can be anything).
 *
 * Only `registry` packages are checked: git, tarball, file, link and workspace entries carry
 * commits, URLs or nothing at all, and an empty version means "none recorded".
 */
import semver from 'semver';
import { BulwarkError } from '../../errors.js';
import { isPackageName } from '../versions/ecosystem.js';
import type { Ecosystem, LockPackage, ParsedLockfile } from './types.js';

/**
 * npm: node-semver in loose mode, which is what npm itself uses to read a lockfile (old packages
 * published `v1.2.3` or `1.2.3beta`). crates.io: strict SemVer 2.0, as Cargo requires.
 */
// Plain SemVer 2.0 (no leading zeros, dot-separated identifiers): valid for both ecosystems, and
// nearly every real lockfile entry. Tested first because node-semver's parse costs ~1.5 µs a
// package, as much as the whole lockfile parse for a 2,000-package file; anything else falls back.
const PLAIN_SEMVER =
  /^(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})(?:-(?:0|[1-9]\d{0,14}|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d{0,14}|\d*[A-Za-z-][0-9A-Za-z-]*))*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function isEcosystemVersion(ecosystem: Ecosystem, version: string): boolean {
  if (version.length <= 256 && PLAIN_SEMVER.test(version)) return true;
  if (ecosystem === 'npm') return semver.valid(version, { loose: true }) !== null;
  // node-semver drops a leading `v` or `=` even in strict mode; Cargo does not.
  return /^[0-9]/.test(version) && semver.valid(version) !== null;
}

/** The error names the package only when its name is one: it must not echo arbitrary file content. */
const shown = (p: LockPackage): string => (isPackageName(p.name, p.ecosystem) ? p.name : '(unreadable name)');

export function assertRegistryVersions(fileName: string, parsed: ParsedLockfile): void {
  for (const p of parsed.packages) {
    if (!needsCheck(p) || isEcosystemVersion(p.ecosystem, p.version)) continue;
    throw new BulwarkError(
      'unprocessable',
      `cannot parse lockfile ${fileName}: package ${shown(p)}: version is not a valid ${p.ecosystem} version`,
      { field: 'version', details: { file: fileName, package: shown(p), field: 'version' } },
    );
  }
}

const needsCheck = (p: LockPackage): boolean => p.kind === 'registry' && p.lookup && p.version !== '';
