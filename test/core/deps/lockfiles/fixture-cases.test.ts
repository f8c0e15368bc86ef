/**
 * Every case of every osv-scalibr lockfile fixture table (shared/data/osv/lockfile-fixtures, Apache-2.0):
 * each must raise an error or yield exactly the expected set of (name, version, commit[, groups]).
 * The few cases where we knowingly differ from upstream are listed in KNOWN_DISCREPANCIES with the
 * reason, and assert our value (or, with `refused`, our error) instead of upstream's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { isBulwarkError } from '../../../../src/core/errors.js';
import {
  dropShadowedLockfiles,
  parseLockfile,
  type LockfileFormat,
} from '../../../../src/core/deps/lockfiles/index.js';
import { describeWithSharedData, hasSharedData, sharedPath } from '../../../support/shared-data.js';

const FORMAT_OF_FOLDER: Record<string, LockfileFormat> = {
  packagelockjson: 'package-lock',
  yarnlock: 'yarn',
  pnpmlock: 'pnpm',
  cargolock: 'cargo',
  bunlock: 'bun',
};

interface ExpectedPackage {
  name: string;
  version: string;
  commit?: string;
  dep_groups?: string[];
}
interface FixtureCase {
  test_func: string;
  test: string;
  path: string;
  want_err: string | null;
  packages: ExpectedPackage[] | null;
}

/** Where we assert something other than upstream's table, and why. Keyed `<folder>/<test name>`; per package `name@version`. */
const KNOWN_DISCREPANCIES: Record<
  string,
  { reason: string; instead: Record<string, Partial<ExpectedPackage>>; refused?: string }
> = {
  'pnpmlock/empty': {
    reason:
      'upstream reads a comment-only file as an empty project; pnpm always writes lockfileVersion, so a file without one is refused (an empty scan would pass a CI gate)',
    instead: {},
    refused: 'expected a pnpm lockfile with lockfileVersion 5.x, 6.x or 9.x',
  },
  'bunlock/empty': {
    reason:
      'upstream reads `{}` as an empty project; bun always writes lockfileVersion, so a file without one is refused (an empty scan would pass a CI gate)',
    instead: {},
    refused: 'no "lockfileVersion": expected a bun.lock with lockfileVersion 0 or 1',
  },
  'pnpmlock/one package dev': {
    reason:
      'upstream leaves groups empty for pnpm v9; acorn is only in the importer devDependencies, so it is a dev dependency',
    instead: { 'acorn@8.11.3': { dep_groups: ['dev'] } },
  },
  'pnpmlock/mixed groups': {
    reason:
      'upstream leaves groups empty for pnpm v9; is-number is only in devDependencies, uuid only in optionalDependencies',
    instead: { 'is-number@7.0.0': { dep_groups: ['dev'] }, 'uuid@8.3.2': { dep_groups: ['optional'] } },
  },
  'cargolock/package with comments': {
    reason:
      'upstream does not read commits from Cargo.lock; syn comes from git+https://github.com/rust-lang/cargo?branch=master#061a9ab…, whose commit we keep',
    instead: { 'syn@1.0.73': { commit: '061a9ab4cfabf2a403dbeab4bbcb8ff97d344dff' } },
  },
  'bunlock/scoped packages mixed': {
    reason: 'upstream leaves groups empty for bun.lock; wrappy is only in the workspace devDependencies',
    instead: { 'wrappy@1.0.2': { dep_groups: ['dev'] } },
  },
  'bunlock/optional package': {
    reason:
      'upstream leaves groups empty for bun.lock; fsevents is an optionalDependency and nan is only reached through it',
    instead: { 'fsevents@0.3.8': { dep_groups: ['optional'] }, 'nan@2.22.0': { dep_groups: ['optional'] } },
  },
  'bunlock/nested dependencies with duplicate versions': {
    reason:
      'upstream leaves groups empty for bun.lock; chalk is a devDependency and ansi-styles, color-convert, color-name are only reached through it',
    instead: Object.fromEntries(
      ['ansi-styles@4.3.0', 'chalk@4.1.2', 'color-convert@2.0.1', 'color-name@1.1.4'].map((k) => [
        k,
        { dep_groups: ['dev'] },
      ]),
    ),
  },
  'bunlock/commits': {
    reason:
      'upstream leaves groups empty for bun.lock; everything but lodash and stopwords is reached only from devDependencies (jquery and prettier as peers of dev packages)',
    instead: Object.fromEntries(
      [
        '@babel/helper-plugin-utils@7.26.5',
        '@babel/helper-string-parser@7.25.9',
        '@babel/helper-validator-identifier@7.25.9',
        '@babel/parser@7.26.5',
        '@babel/types@7.26.5',
        '@prettier/sync@',
        'babel-preset-php@',
        'is-number@',
        'jquery@3.7.1',
        'make-synchronized@0.2.9',
        'php-parser@2.2.0',
        'prettier@3.4.2',
        'raven-js@',
        'slick-carousel@',
      ].map((k) => [k, { dep_groups: ['dev'] }]),
    ),
  },
  'bunlock/files': {
    reason: 'upstream leaves groups empty for bun.lock; etag is only in the workspace devDependencies',
    instead: { 'etag@': { dep_groups: ['dev'] } },
  },
};

function loadCases(folder: string): FixtureCase[] {
  return (
    JSON.parse(readFileSync(sharedPath('osv', 'lockfile-fixtures', folder, 'expected.json'), 'utf8')) as {
      cases: FixtureCase[];
    }
  ).cases;
}

const norm = (p: ExpectedPackage, withGroups: boolean) =>
  `${p.name}@${p.version}#${p.commit ?? ''}${withGroups ? ` [${[...(p.dep_groups ?? [])].sort().join(',')}]` : ''}`;

describeWithSharedData('lockfile fixtures (osv-scalibr test tables)', () => {
  if (!hasSharedData) return;
  const discrepanciesSeen = new Set<string>();
  let total = 0;
  for (const folder of Object.keys(FORMAT_OF_FOLDER)) {
    const format = FORMAT_OF_FOLDER[folder]!;
    for (const c of loadCases(folder)) {
      total++;
      const rel = c.path.replace(/^testdata\//, '');
      const file = sharedPath('osv', 'lockfile-fixtures', folder, rel);
      const known = KNOWN_DISCREPANCIES[`${folder}/${c.test}`];
      it(`${folder}: ${c.test_func} / ${c.test} (${rel})${known ? ' [known discrepancy]' : ''}`, () => {
        if (known) discrepanciesSeen.add(`${folder}/${c.test}`);
        const parse = () => parseLockfile(rel, new Uint8Array(readFileSync(file)), { format });
        if (known?.refused !== undefined) {
          // Upstream expects packages (none); we refuse the file, naming it and what was expected.
          expect(c.want_err).toBeNull();
          expect(parse).toThrow(known.refused);
          expect(parse).toThrow(rel);
          return;
        }
        if (c.want_err !== null) {
          let error: unknown;
          try {
            parse();
          } catch (e) {
            error = e;
          }
          expect(isBulwarkError(error), `expected an error for ${rel}`).toBe(true);
          if (!isBulwarkError(error)) return;
          expect(error.code).toBe('unprocessable');
          expect(error.message).toContain(rel);
          // Where upstream's error names the offending entry, ours must name it too.
          const named = /'([^']+)'/.exec(c.want_err)?.[1] ?? /: (\S+)$/.exec(c.want_err)?.[1];
          if (named !== undefined) expect(error.message).toContain(named);
          return;
        }
        // npm ignores package-lock.json beside an npm-shrinkwrap.json; so does a scan (dropShadowedLockfiles).
        const siblings = readdirSync(path.dirname(file)).map((f) => path.join(path.dirname(file), f));
        const npmWouldRead = dropShadowedLockfiles(siblings).includes(file);
        const got = npmWouldRead ? parse().packages : [];
        const expected = c.packages ?? [];
        const withGroups = expected.some((p) => p.dep_groups !== undefined);
        const want = expected
          .map((p) => ({ ...p, ...(known?.instead[`${p.name}@${p.version}`] ?? {}) }))
          .map((p) => norm(p, withGroups))
          .sort();
        const have = got
          .map((p) =>
            norm({ name: p.name, version: p.version, commit: p.commit, dep_groups: p.groups }, withGroups),
          )
          .sort();
        expect(have).toEqual(want);
        if (known) {
          // The discrepancy must be real: upstream's own value differs from what we assert.
          const upstream = expected.map((p) => norm(p, withGroups)).sort();
          expect(upstream).not.toEqual(want);
        }
      });
    }
  }
  it('ran every case of the five tables (package-lock 24, yarn 18, pnpm 21, cargo 6, bun 15) and used every discrepancy entry', () => {
    expect(total).toBe(24 + 18 + 21 + 6 + 15);
    expect([...discrepanciesSeen].sort()).toEqual(Object.keys(KNOWN_DISCREPANCIES).sort());
  });
});
