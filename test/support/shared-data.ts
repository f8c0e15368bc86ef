/**
 * Access to the real test corpora in ../shared/data (see that folder's README for origins and
 * licences). The folder sits beside the repository on the project's machines and in CI. On a
 * machine without it the suites that need it are skipped with a reason printed; under CI=true a
 * missing corpus is a failure, never a silent skip.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const SHARED_DATA_DIR = process.env.BULWARK_SHARED_DATA
  ? path.resolve(process.env.BULWARK_SHARED_DATA)
  : path.resolve(repoRoot, '../shared/data');

export const hasSharedData = existsSync(path.join(SHARED_DATA_DIR, 'README.md'));

/** Absolute path of a file under ../shared/data. */
export const sharedPath = (...parts: string[]): string => path.join(SHARED_DATA_DIR, ...parts);

/** Like `describe`, but skipped (with a printed reason) when the shared corpus is absent; fails under CI=true. */
export function describeWithSharedData(name: string, fn: () => void): void {
  if (hasSharedData) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`shared data not found at ${SHARED_DATA_DIR} (required under CI=true)`);
    });
    return;
  }
  // The suite's body is not even collected: it may read the corpus while declaring its tests.
  console.warn(`[skipped] ${name}: shared data not found at ${SHARED_DATA_DIR} (set BULWARK_SHARED_DATA)`);
  describe.skip(`${name} (skipped: no shared data at ${SHARED_DATA_DIR})`, () => {
    it.skip(`needs ${SHARED_DATA_DIR}`, () => {});
  });
}

export const REPO_ROOT = repoRoot;
