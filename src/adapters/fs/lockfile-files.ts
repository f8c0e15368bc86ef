/**
 * Finding and reading lockfiles on disk for `bulwark scan PATH...`. A file is taken as given (its
 * format is detected from its name or content); a directory is walked for files named like a
 * lockfile (or ending in such a name, e.g. `app__package-lock.json`), skipping node_modules,
 * target and .git (installed copies, build output, VCS data: not the project's own lockfiles), and
 * dropping a package-lock.json that an npm-shrinkwrap.json beside it shadows.
 */
import { opendir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import { dropShadowedLockfiles } from '../../core/deps/lockfiles/detect-format.js';
import { DEFAULT_MAX_LOCKFILE_BYTES } from '../../core/deps/lockfiles/types.js';
import { MAX_POLICY_BYTES } from '../../core/deps/approvals/policy.js';

const LOCKFILE_NAMES = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'Cargo.lock',
  'bun.lock',
];
const SKIP_DIRS = new Set(['node_modules', 'target', '.git']);
const MAX_DEPTH = 32;

export const looksLikeLockfile = (name: string): boolean =>
  LOCKFILE_NAMES.some((n) => name === n || name.endsWith(`__${n}`) || name.endsWith(`.${n}`));

export interface FoundLockfile {
  /** As shown: relative to the working directory when below it. */
  display: string;
  absolute: string;
  /** The scanned root it was found under (for the policy file). */
  root: string;
}

const pathError = (p: string, why: string): BulwarkError =>
  new BulwarkError('validation_failed', `path: ${p}: ${why}`, { field: 'path', details: { path: p } });

export async function findLockfiles(
  targets: readonly string[],
  cwd = process.cwd(),
): Promise<FoundLockfile[]> {
  const out: FoundLockfile[] = [];
  const show = (abs: string): string => {
    const rel = path.relative(cwd, abs);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
  };
  for (const t of targets) {
    const abs = path.resolve(cwd, t);
    let info;
    try {
      info = await stat(abs);
    } catch {
      throw pathError(t, 'does not exist or cannot be read');
    }
    if (info.isFile()) {
      out.push({ display: show(abs), absolute: abs, root: path.dirname(abs) });
      continue;
    }
    if (!info.isDirectory()) throw pathError(t, 'is neither a file nor a directory');
    const found: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > MAX_DEPTH) return;
      const entries = [];
      for await (const e of await opendir(dir)) entries.push(e);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) await walk(full, depth + 1);
        } else if (e.isFile() && looksLikeLockfile(e.name)) found.push(full);
      }
    };
    await walk(abs, 0);
    if (found.length === 0)
      throw pathError(
        t,
        'no lockfile found under it (package-lock.json, yarn.lock, pnpm-lock.yaml, Cargo.lock…)',
      );
    for (const f of dropShadowedLockfiles(found)) out.push({ display: show(f), absolute: f, root: abs });
  }
  return out;
}

export async function readLockfile(f: FoundLockfile): Promise<Uint8Array> {
  const info = await stat(f.absolute);
  // Refused before reading: a 100 MB file of garbage is not read into memory to be refused later.
  if (info.size > DEFAULT_MAX_LOCKFILE_BYTES)
    throw new BulwarkError(
      'unprocessable',
      `cannot parse lockfile ${f.display}: larger than ${DEFAULT_MAX_LOCKFILE_BYTES} bytes`,
      {
        details: { file: f.display },
      },
    );
  return readFile(f.absolute);
}

/** The policy file of a scanned root (`bulwark.toml`), or null when there is none. */
export async function readPolicyFile(root: string): Promise<{ path: string; text: string } | null> {
  const p = path.join(root, 'bulwark.toml');
  let info;
  try {
    info = await stat(p);
  } catch {
    return null;
  }
  if (!info.isFile()) return null;
  if (info.size > MAX_POLICY_BYTES) throw pathError(p, 'policy file is larger than 1 MiB');
  return { path: p, text: await readFile(p, 'utf8') };
}
