/**
 * A registry package whose version is no version of its ecosystem is refused (it would sort below
 * every release and match every advisory); git, file, link and workspace entries keep parsing.
 */
import { expect, it } from 'vitest';
import { BulwarkError } from '../../../../src/core/errors.js';
import { parseLockfile } from '../../../../src/core/deps/lockfiles/parse-lockfile.js';

const S = 'password=hunter2Secret! token ghp_0123456789abcdefghijABCDEFGHIJ012345';

const lock = (packages: Record<string, unknown>) =>
  JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { name: 'app' }, ...packages } });

function refusal(name: string, text: string): BulwarkError {
  try {
    parseLockfile(name, text);
  } catch (e) {
    if (e instanceof BulwarkError) return e;
    throw e;
  }
  throw new Error('parsed');
}

it.each([
  ['package-lock.json', lock({ 'node_modules/lodash': { version: 'password=hunter2Secret!' } }), 'lodash'],
  ['package-lock.json', lock({ 'node_modules/lodash': { version: S } }), 'lodash'],
  ['package-lock.json', lock({ 'node_modules/@types/node': { version: 'latest' } }), '@types/node'],
  [
    'Cargo.lock',
    'version = 3\n\n[[package]]\nname = "time"\nversion = "password=hunter2Secret!"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n',
    'time',
  ],
  // Cargo versions are strict SemVer: the loose npm forms are not versions there.
  [
    'Cargo.lock',
    'version = 3\n\n[[package]]\nname = "time"\nversion = "v0.1.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n',
    'time',
  ],
])('%s: a registry version that is not a version is unprocessable (%#)', (file, text, pkg) => {
  const e = refusal(file, text);
  expect(e.code).toBe('unprocessable');
  expect(e.message).toBe(
    `cannot parse lockfile ${file}: package ${pkg}: version is not a valid ${file === 'Cargo.lock' ? 'crates.io' : 'npm'} version`,
  );
  expect(e.details).toEqual({ file, package: pkg, field: 'version' });
  expect(e.message).not.toContain('hunter2');
});

it('a package name that is no name is not echoed in the refusal', () => {
  const e = refusal('package-lock.json', lock({ [`node_modules/${S}`]: { version: 'x' } }));
  expect(e.message).toContain('package (unreadable name): version');
  expect(e.message).not.toContain('hunter2');
});

it('valid registry versions, loose npm ones, and non-registry entries still parse', () => {
  const parsed = parseLockfile(
    'package-lock.json',
    lock({
      'node_modules/a': { version: '1.2.3-beta.1+build' },
      'node_modules/old': { version: 'v1.0.0' }, // legacy npm publishes; npm reads them loosely
      'node_modules/gitdep': {
        version: 'git+ssh://git@github.com/o/gitdep.git#abc1234',
        resolved: 'git+ssh://git@github.com/o/gitdep.git#abc1234',
      },
      'node_modules/local': { resolved: 'packages/local', link: true },
      'packages/local': { name: 'local', version: 'not-a-version' },
    }),
  );
  const byName = new Map(parsed.packages.map((p) => [p.name, p]));
  expect(byName.get('a')?.version).toBe('1.2.3-beta.1+build');
  expect(byName.get('old')?.kind).toBe('registry');
  expect(byName.get('gitdep')?.kind).toBe('git');
  expect(byName.get('local')?.lookup).toBe(false);
});

it('the plain-SemVer fast path answers exactly as node-semver does (npm loose, Cargo strict)', async () => {
  const { isEcosystemVersion } = await import('../../../../src/core/deps/lockfiles/registry-versions.js');
  const semver = (await import('semver')).default;
  const reference = (eco: 'npm' | 'crates.io', v: string) =>
    eco === 'npm' ? semver.valid(v, { loose: true }) !== null : /^[0-9]/.test(v) && semver.valid(v) !== null;
  const fixed = [
    '1.2.3',
    '0.0.0',
    '10.20.30',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-0.3.7',
    '1.0.0-x.7.z.92',
    '1.0.0+20130313144700',
    '1.0.0-beta+exp.sha.5114f85',
    '1.0.0-rc.1+build.1',
    '01.2.3',
    '1.02.3',
    '1.2.03',
    '1.2.3-01',
    '1.2.3-0a',
    '1.2',
    '1',
    'v1.2.3',
    '=1.2.3',
    ' 1.2.3',
    '1.2.3 ',
    '1.2.3-',
    '1.2.3+',
    '1.2.3-a..b',
    '1.2.3beta',
    '9007199254740991.0.0',
    '9007199254740992.0.0',
    '999999999999999.0.0',
    '1.2.3-' + 'a'.repeat(300),
    '',
    'latest',
    'password=hunter2Secret!',
  ];
  const alphabet = '0123456789.-+abxAZv= ';
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const random = Array.from({ length: 20_000 }, () =>
    Array.from(
      { length: 1 + Math.floor(rnd() * 14) },
      () => alphabet[Math.floor(rnd() * alphabet.length)],
    ).join(''),
  );
  for (const eco of ['npm', 'crates.io'] as const)
    for (const v of [...fixed, ...random])
      expect(isEcosystemVersion(eco, v), `${eco} ${JSON.stringify(v)}`).toBe(reference(eco, v));
});
