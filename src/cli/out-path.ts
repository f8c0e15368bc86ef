/**
 * `--out` checked before any work: a report written to a directory that does not exist used to fail
 * after the scan with an internal ENOENT (exit 3). A path that cannot be written is a usage error
 * (exit 2) naming the flag, found up front so that nothing is scanned or exported for nothing.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { validationError, type BulwarkError } from '../core/errors.js';

/** Throws validation_failed naming `flag` unless `file` can be created or overwritten. */
export function assertWritableFile(flag: string, file: string): void {
  if (file === '') throw validationError(flag, 'must be a file path');
  const existing = statOrUndefined(file);
  if (existing?.isDirectory()) throw validationError(flag, `${file} is a directory, not a file`);
  if (existing !== undefined) {
    if (!canWrite(file)) throw validationError(flag, `${file} is not writable`);
    return;
  }
  const dir = path.dirname(path.resolve(file));
  const st = statOrUndefined(dir);
  if (st === undefined) throw validationError(flag, `${file}: directory ${dir} does not exist`);
  if (!st.isDirectory()) throw validationError(flag, `${file}: ${dir} is not a directory`);
  if (!canWrite(dir)) throw validationError(flag, `${file}: directory ${dir} is not writable`);
}

/** Throws validation_failed naming `flag` unless `dir` is, or can be created (mkdir -p) as, a writable directory. */
export function assertWritableDir(flag: string, dir: string): void {
  let probe = path.resolve(dir);
  // The nearest existing ancestor decides: mkdir -p creates the rest.
  for (;;) {
    const st = statOrUndefined(probe);
    if (st !== undefined) {
      if (!st.isDirectory()) throw validationError(flag, `${dir}: ${probe} is not a directory`);
      if (!canWrite(probe)) throw validationError(flag, `${dir}: directory ${probe} is not writable`);
      return;
    }
    const up = path.dirname(probe);
    if (up === probe) throw validationError(flag, `${dir}: no such directory`);
    probe = up;
  }
}

/** An fs error from writing an `--out` path (a race after the check) as the same usage error. */
export function outWriteError(flag: string, file: string, e: unknown): BulwarkError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? 'error';
  return validationError(flag, `${file} cannot be written (${code})`);
}

function statOrUndefined(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function canWrite(p: string): boolean {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
