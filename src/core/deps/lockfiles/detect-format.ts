import type { LockfileFormat } from './types.js';

/**
 * Which parser a file needs. The file name decides when it is a lockfile's standard name; otherwise
 * (fixtures, renamed copies) the first few KiB of content are sniffed for each format's signature.
 * Returns null for anything that is not a lockfile Bulwark reads.
 */
export function detectLockfileFormat(fileName: string, content?: string | Uint8Array): LockfileFormat | null {
  const base = baseName(fileName);
  const byName = BY_NAME[base];
  if (byName !== undefined) return byName;
  if (content === undefined) return null;
  return sniff(
    typeof content === 'string'
      ? content.slice(0, SNIFF)
      : new TextDecoder().decode(content.subarray(0, SNIFF)),
  );
}

const SNIFF = 4096;

const BY_NAME: Record<string, LockfileFormat> = {
  'package-lock.json': 'package-lock',
  'npm-shrinkwrap.json': 'package-lock',
  'yarn.lock': 'yarn',
  'pnpm-lock.yaml': 'pnpm',
  'Cargo.lock': 'cargo',
  'bun.lock': 'bun',
};

function baseName(fileName: string): string {
  const cut = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
  return fileName.slice(cut + 1);
}

function sniff(head: string): LockfileFormat | null {
  const text = head.trimStart();
  if (text.startsWith('{')) {
    if (!text.includes('"lockfileVersion"')) return null;
    // bun.lock lists workspaces first and writes packages as tuples; package-lock has "requires"/"packages": {"": ...}
    if (/"workspaces"\s*:\s*\{/.test(text) && !text.includes('"requires"')) return 'bun';
    return 'package-lock';
  }
  if (head.includes('# yarn lockfile v1') || /^__metadata:/m.test(head)) return 'yarn';
  if (/^lockfileVersion:/m.test(head)) return 'pnpm';
  if (/^\[\[package\]\]/m.test(head) || /^version = \d+\s*$/m.test(head)) return 'cargo';
  return null;
}

/**
 * npm ignores `package-lock.json` when `npm-shrinkwrap.json` sits beside it; a directory walk should
 * do the same. Given the lockfile paths found, returns those that npm would actually use.
 */
export function dropShadowedLockfiles(paths: readonly string[]): string[] {
  const shrinkwrapDirs = new Set<string>();
  for (const p of paths) if (baseName(p) === 'npm-shrinkwrap.json') shrinkwrapDirs.add(dirName(p));
  return paths.filter((p) => !(baseName(p) === 'package-lock.json' && shrinkwrapDirs.has(dirName(p))));
}

function dirName(p: string): string {
  const cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return cut === -1 ? '' : p.slice(0, cut);
}
