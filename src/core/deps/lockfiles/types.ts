/**
 * What every lockfile parser yields: one record per distinct package (name, version, commit) found in
 * the lockfile, with enough context (how it got there, whether it can be looked up) for the scanner to
 * match it against advisories and to rank what it finds.
 */

/** The advisory ecosystem a package is looked up in (OSV's names). */
export type Ecosystem = 'npm' | 'crates.io';

/**
 * Why a package is installed besides production use. `bundled`: shipped inside another package's
 * tarball (npm bundleDependencies). An empty list means a production dependency.
 */
export type DepGroup = 'dev' | 'optional' | 'peer' | 'bundled';

/**
 * Where the package comes from. Only `registry`, `git` and `tarball` packages are published artefacts
 * that advisories can be about; `workspace`, `link` and `file` are the project's own code.
 */
export type PackageKind = 'registry' | 'git' | 'workspace' | 'link' | 'file' | 'tarball';

/** The lockfile families Bulwark reads. */
export type LockfileFormat = 'package-lock' | 'yarn' | 'pnpm' | 'cargo' | 'bun';

export interface LockPackage {
  /** The real package name (an npm alias `alias@npm:real@1.2.3` is reported as `real`). */
  name: string;
  /** The resolved version; '' when the lockfile records none (some git and file dependencies). */
  version: string;
  ecosystem: Ecosystem;
  /** Package URL: `pkg:npm/%40scope/name@1.2.3`, `pkg:cargo/name@1.2.3`. */
  purl: string;
  kind: PackageKind;
  /** False for the project's own code (workspace, link, file): never matched against advisories. */
  lookup: boolean;
  /** The git commit a git dependency is pinned to (full or abbreviated, as the lockfile has it). */
  commit?: string;
  /**
   * True when a project root (the root package, a workspace member, a pnpm importer, a local crate)
   * depends on it directly; false when only other packages bring it in; null when the format cannot
   * tell (package-lock v1 and yarn v1 do not record the root's own dependencies).
   */
  direct: boolean | null;
  /** Sorted; empty for a production dependency. A package installed several ways keeps only the groups all its copies share. */
  groups: DepGroup[];
  /**
   * Up to MAX_PATHS shortest chains from a root to this package, each as `name@version` steps starting
   * with the direct dependency and ending with this package. Empty when the format has no graph to
   * follow or nothing reachable from a root brings the package in.
   */
  paths: string[][];
}

export interface ParsedLockfile {
  format: LockfileFormat;
  /** The lockfile's own version marker: '1', '2', '3' (package-lock), '1' or 'berry-8' (yarn), '9.0' (pnpm), '4' (cargo)... */
  version: string;
  packages: LockPackage[];
}

export interface ParseLockfileOptions {
  /** Parse as this format instead of detecting it from the file name and content. */
  format?: LockfileFormat;
  /** Refuse inputs larger than this (bytes for binary input, UTF-16 code units for strings). Default 64 MiB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_LOCKFILE_BYTES = 64 * 1024 * 1024;

/** How many dependency chains a package keeps: enough to explain it, bounded so huge graphs stay linear. */
export const MAX_PATHS = 3;
