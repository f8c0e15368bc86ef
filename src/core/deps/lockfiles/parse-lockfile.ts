import { isBulwarkError } from '../../errors.js';
import { parseBunLock } from './bun-lock.js';
import { parseCargoLock } from './cargo-lock.js';
import { detectLockfileFormat } from './detect-format.js';
import { decodeLockfile } from './input-guards.js';
import { lockfileError } from './lockfile-error.js';
import { assertRegistryVersions } from './registry-versions.js';
import { parsePackageLock } from './package-lock.js';
import { parsePnpmLock } from './pnpm-lock.js';
import {
  DEFAULT_MAX_LOCKFILE_BYTES,
  type LockfileFormat,
  type ParsedLockfile,
  type ParseLockfileOptions,
} from './types.js';
import { parseYarnLock } from './yarn-lock.js';

const PARSERS: Record<LockfileFormat, (fileName: string, text: string) => ParsedLockfile> = {
  'package-lock': parsePackageLock,
  yarn: parseYarnLock,
  pnpm: parsePnpmLock,
  cargo: parseCargoLock,
  bun: parseBunLock,
};

const FILE_NAMES: Record<LockfileFormat, string> = {
  'package-lock': 'package-lock.json',
  yarn: 'yarn.lock',
  pnpm: 'pnpm-lock.yaml',
  cargo: 'Cargo.lock',
  bun: 'bun.lock',
};

/**
 * Parses one lockfile's content into its packages. Pure: the caller reads the file. Any input that
 * is not a well-formed lockfile (unknown name, too big, binary, wrong shape, too deeply nested)
 * throws BulwarkError('unprocessable') naming the file and, where known, the line.
 */
export function parseLockfile(
  fileName: string,
  content: string | Uint8Array,
  options: ParseLockfileOptions = {},
): ParsedLockfile {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_LOCKFILE_BYTES;
  const text = decodeLockfile(fileName, content, maxBytes);
  const format = options.format ?? detectLockfileFormat(fileName, text);
  if (format === null)
    throw lockfileError(
      fileName,
      'not a recognised lockfile (package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, Cargo.lock, bun.lock)',
    );
  if (text.trim() === '')
    // No package manager writes an empty lockfile (a project without dependencies still gets a header).
    throw lockfileError(fileName, `empty file: expected a ${FILE_NAMES[format]} lockfile`);
  let parsed: ParsedLockfile;
  try {
    parsed = PARSERS[format](fileName, text);
  } catch (e) {
    if (isBulwarkError(e)) throw e;
    // A parser bug or an input shape nobody foresaw: still a clean refusal, never a crash.
    throw lockfileError(
      fileName,
      `unexpected content (${e instanceof RangeError ? 'too complex' : 'malformed'})`,
    );
  }
  // One check for every format: what a registry package claims as its version must be one.
  assertRegistryVersions(fileName, parsed);
  return parsed;
}
