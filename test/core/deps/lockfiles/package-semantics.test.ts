/**
 * What each package record means, checked on the shared fixtures and real lockfiles: real names
 * behind aliases, kinds and the not-to-look-up flag, commits, purls, direct/transitive and the
 * dependency chains, format detection.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  detectLockfileFormat,
  dropShadowedLockfiles,
  parseLockfile,
  type LockfileFormat,
  type LockPackage,
} from '../../../../src/core/deps/lockfiles/index.js';
import { describeWithSharedData, sharedPath } from '../../../support/shared-data.js';

const fixture = (folder: string, file: string) =>
  readFileSync(sharedPath('osv', 'lockfile-fixtures', folder, file), 'utf8');
const parseAs = (format: LockfileFormat, folder: string, file: string) =>
  parseLockfile(file, fixture(folder, file), { format }).packages;
const find = (pkgs: LockPackage[], name: string, version?: string) => {
  const p = pkgs.find((x) => x.name === name && (version === undefined || x.version === version));
  if (p === undefined) throw new Error(`${name}@${version ?? '*'} not found`);
  return p;
};
const summary = (p: LockPackage) => ({
  name: p.name,
  version: p.version,
  kind: p.kind,
  lookup: p.lookup,
  commit: p.commit,
});

describeWithSharedData('package records', () => {
  it('npm aliases are reported under the real name (package-lock v1 and v2, yarn v1 and berry)', () => {
    for (const pkgs of [
      parseAs('package-lock', 'packagelockjson', 'alias.v1.json'),
      parseAs('package-lock', 'packagelockjson', 'alias.v2.json'),
    ]) {
      expect(pkgs.map((p) => p.purl).sort()).toEqual([
        'pkg:npm/%40babel/code-frame@7.0.0',
        'pkg:npm/string-width@4.2.0',
        'pkg:npm/string-width@5.1.2',
      ]);
      expect(pkgs.every((p) => p.kind === 'registry' && p.lookup)).toBe(true);
    }
    for (const file of ['with-aliases.v1.lock', 'with-aliases.v2.lock']) {
      const pkgs = parseAs('yarn', 'yarnlock', file);
      expect(pkgs.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
        '@babel/helper-validator-identifier@7.22.20',
        'ansi-regex@5.0.1',
        'ansi-regex@6.0.1',
      ]);
    }
  });

  it('file, link and workspace packages are recognised and flagged not to look up', () => {
    expect(parseAs('package-lock', 'packagelockjson', 'files.v1.json').map(summary)).toEqual([
      { name: 'lodash', version: '1.3.1', kind: 'registry', lookup: true, commit: undefined },
      { name: 'other_package', version: '', kind: 'file', lookup: false, commit: undefined },
    ]);
    // v2: deps/etag is outside node_modules and the root asks for it with `file:./deps/etag`
    expect(summary(find(parseAs('package-lock', 'packagelockjson', 'files.v2.json'), 'etag'))).toMatchObject({
      kind: 'file',
      lookup: false,
    });
    const yarnFiles = parseAs('yarn', 'yarnlock', 'files.v1.lock');
    expect(summary(find(yarnFiles, 'etag', '1.8.0'))).toMatchObject({ kind: 'link', lookup: false });
    expect(summary(find(yarnFiles, 'etag', '1.8.1'))).toMatchObject({ kind: 'registry', lookup: true });
    for (const name of ['filedep', 'other_package', 'sprintf-js'])
      expect(find(yarnFiles, name).kind).toBe('file');
    // berry: the root workspace (`workspace:.`) is not a package; another workspace is, not looked up, and direct
    const berry = parseAs('yarn', 'yarnlock', 'exclude-root.v2.lock');
    expect(berry.map(summary)).toEqual([
      {
        name: '@ws/ansi-regex',
        version: '0.0.0-use.local',
        kind: 'workspace',
        lookup: false,
        commit: undefined,
      },
      { name: 'ansi-regex', version: '6.1.0', kind: 'registry', lookup: true, commit: undefined },
    ]);
    expect(berry.every((p) => p.direct === true)).toBe(true);
    const pnpmFiles = parseAs('pnpm', 'pnpmlock', 'files.yaml');
    expect(pnpmFiles.every((p) => p.kind === 'file' && !p.lookup)).toBe(true);
    expect(summary(find(parseAs('pnpm', 'pnpmlock', 'tarball.yaml'), '@my-org/my-package'))).toMatchObject({
      kind: 'tarball',
      lookup: true,
    });
    expect(summary(find(parseAs('bun', 'bunlock', 'files.json5'), 'etag'))).toMatchObject({
      kind: 'file',
      lookup: false,
    });
    // Cargo: crates without a source are the project's own
    expect(
      summary(find(parseAs('cargo', 'cargolock', 'two-packages-with-local.lock'), 'local-rust-pkg')),
    ).toMatchObject({ kind: 'workspace', lookup: false });
  });

  it('git dependencies keep their commit and are kind git', () => {
    const npm = parseAs('package-lock', 'packagelockjson', 'commits.v2.json');
    expect(summary(find(npm, 'raven-js'))).toEqual({
      name: 'raven-js',
      version: '',
      kind: 'git',
      lookup: true,
      commit: 'c2b377e7a254264fd4a1fe328e4e3cfc9e245570',
    });
    expect(find(npm, 'ansi-styles').kind).toBe('registry');
    const yarn = parseAs('yarn', 'yarnlock', 'commits.v1.lock');
    expect(yarn.every((p) => p.kind === 'git')).toBe(true);
    // a registry tarball's #sha1 fragment is a checksum, not a commit
    expect(parseAs('yarn', 'yarnlock', 'files.v1.lock').filter((p) => p.commit !== undefined)).toEqual([]);
    const pnpm = parseAs('pnpm', 'pnpmlock', 'commits.v9.yaml');
    expect(pnpm.map((p) => [p.name, p.kind, p.commit])).toEqual([
      ['ansi-regex', 'git', '02fa893d619d3da85411acc8fd4e2eea0e95a9d9'],
      ['is-number', 'git', '98e8ff1da1a89f93d1397a24d7413ed15421c139'],
    ]);
  });

  it('purls percent-encode the scope and build metadata', () => {
    expect(
      find(parseAs('package-lock', 'packagelockjson', 'scoped-packages.v2.json'), '@babel/code-frame').purl,
    ).toBe('pkg:npm/%40babel/code-frame@7.0.0');
    expect(find(parseAs('yarn', 'yarnlock', 'with-build-string.v1.lock'), 'domino').purl).toBe(
      'pkg:npm/domino@2.1.6%2Bgit',
    );
    expect(find(parseAs('cargo', 'cargolock', 'duplicate.lock'), 'syn', '2.0.0').purl).toBe(
      'pkg:cargo/syn@2.0.0',
    );
  });

  it('package-lock v2: every copy of a package counts; dev only if all copies are dev', () => {
    const pkgs = parseAs('package-lock', 'packagelockjson', 'same-package-different-groups.v2.json');
    expect(find(pkgs, 'ajv').groups).toEqual([]);
    expect(find(pkgs, 'eslint').groups).toEqual(['dev']);
  });

  it('pnpm peer-dependency suffixes are stripped and the importer chain is recorded (v6 and v9)', () => {
    const v6 = parseAs('pnpm', 'pnpmlock', 'peer-dependencies-v6.yaml');
    expect(find(v6, 'react-dom').direct).toBe(true);
    expect(find(v6, 'scheduler').paths).toEqual([['react-dom@18.2.0', 'scheduler@0.23.0']]);
    expect(find(v6, 'js-tokens').paths[0]).toEqual([
      'react-dom@18.2.0',
      'loose-envify@1.4.0',
      'js-tokens@4.0.0',
    ]);
    const v9 = parseAs('pnpm', 'pnpmlock', 'peer-dependencies.v9.yaml');
    expect(find(v9, 'acorn').paths).toEqual([['acorn-jsx@5.3.2', 'acorn@8.11.3']]);
    expect(find(v9, 'acorn').direct).toBe(false);
  });

  it('dependency chains on a real package-lock are real: each step is a declared dependency of the one before', () => {
    const text = readFileSync(
      sharedPath('osv', 'lockfiles', 'npm-v3__retracedhq-retraced__package-lock.json'),
      'utf8',
    );
    const lock = JSON.parse(text) as {
      packages: Record<
        string,
        {
          name?: string;
          version?: string;
          dependencies?: object;
          optionalDependencies?: object;
          peerDependencies?: object;
        }
      >;
    };
    const declared = new Map<string, Set<string>>();
    for (const [key, e] of Object.entries(lock.packages)) {
      if (key === '') continue;
      const id = `${e.name ?? key.slice(key.lastIndexOf('node_modules/') + 13)}@${e.version}`;
      const set = declared.get(id) ?? new Set<string>();
      for (const d of Object.keys({ ...e.dependencies, ...e.optionalDependencies, ...e.peerDependencies }))
        set.add(d);
      declared.set(id, set);
    }
    const pkgs = parseLockfile('package-lock.json', text).packages;
    let steps = 0;
    for (const p of pkgs) {
      expect(p.paths.length).toBeLessThanOrEqual(3);
      for (const chain of p.paths) {
        expect(find(pkgs, ...splitId(chain[0]!)).direct).toBe(true);
        for (let i = 1; i < chain.length; i++) {
          expect(declared.get(chain[i - 1]!)?.has(splitId(chain[i]!)[0]), chain.join(' > ')).toBe(true);
          steps++;
        }
      }
      if (p.direct) expect(p.paths[0]).toEqual([`${p.name}@${p.version}`]);
    }
    expect(steps).toBeGreaterThan(1000);
    // and the deepest chains go through what the lockfile says: nyc brings in @babel/core
    expect(find(pkgs, '@ampproject/remapping').paths[0]).toEqual([
      'nyc@17.1.0',
      'istanbul-lib-instrument@6.0.3',
      '@babel/core@7.26.0',
      '@ampproject/remapping@2.3.0',
    ]);
  });

  it('pnpm v9 chains follow the snapshots', () => {
    const text = readFileSync(
      sharedPath('osv', 'lockfiles', 'pnpm-v9__osv.dev-frontend3__pnpm-lock.yaml'),
      'utf8',
    );
    const snapshots = (
      parseYaml(text) as {
        snapshots: Record<string, { dependencies?: object; optionalDependencies?: object } | null>;
      }
    ).snapshots;
    const declared = new Map<string, Set<string>>();
    for (const [key, s] of Object.entries(snapshots)) {
      const base = key.includes('(') ? key.slice(0, key.indexOf('(')) : key;
      const set = declared.get(base) ?? new Set<string>();
      for (const d of Object.keys({ ...s?.dependencies, ...s?.optionalDependencies })) set.add(d);
      declared.set(base, set);
    }
    const pkgs = parseLockfile('pnpm-lock.yaml', text).packages;
    const reached = pkgs.filter((p) => p.paths.length > 0);
    expect(reached.length).toBeGreaterThan(pkgs.length * 0.9);
    for (const p of reached) {
      for (const chain of p.paths) {
        for (let i = 1; i < chain.length; i++)
          expect(declared.get(chain[i - 1]!)?.has(splitId(chain[i]!)[0]), chain.join(' > ')).toBe(true);
      }
    }
  });

  it('format detection: standard names, then content for other names', () => {
    expect(detectLockfileFormat('a/b/package-lock.json')).toBe('package-lock');
    expect(detectLockfileFormat('C:\\repo\\npm-shrinkwrap.json')).toBe('package-lock');
    expect(detectLockfileFormat('yarn.lock')).toBe('yarn');
    expect(detectLockfileFormat('x/pnpm-lock.yaml')).toBe('pnpm');
    expect(detectLockfileFormat('Cargo.lock')).toBe('cargo');
    expect(detectLockfileFormat('bun.lock')).toBe('bun');
    expect(detectLockfileFormat('package.json', '{"name": "x"}')).toBeNull();
    expect(detectLockfileFormat('bun.lockb')).toBeNull();
    // every fixture with a recognisable body is sniffed as its own folder's format
    const folders: Record<string, LockfileFormat> = {
      packagelockjson: 'package-lock',
      yarnlock: 'yarn',
      pnpmlock: 'pnpm',
      cargolock: 'cargo',
      bunlock: 'bun',
    };
    const unrecognised: string[] = [];
    for (const [folder, format] of Object.entries(folders)) {
      for (const file of readdirSync(sharedPath('osv', 'lockfile-fixtures', folder))) {
        if (file === 'expected.json' || !file.includes('.')) continue;
        const got = detectLockfileFormat(file, fixture(folder, file));
        if (got === null) unrecognised.push(`${folder}/${file}`);
        else expect(got, `${folder}/${file}`).toBe(format);
      }
    }
    expect(unrecognised.sort()).toEqual([
      'bunlock/empty.json5',
      'bunlock/not-json.txt',
      'cargolock/not-toml.txt',
      'packagelockjson/not-json.txt',
      'packagelockjson/null.v2.jsontest',
      'pnpmlock/empty.yaml',
    ]);
  });

  it('npm-shrinkwrap.json shadows a package-lock.json in the same folder only', () => {
    expect(
      dropShadowedLockfiles([
        'a/package-lock.json',
        'a/npm-shrinkwrap.json',
        'b/package-lock.json',
        'a/yarn.lock',
      ]),
    ).toEqual(['a/npm-shrinkwrap.json', 'b/package-lock.json', 'a/yarn.lock']);
  });
});

it('bytes with a BOM, CRLF line ends and JSONC comments parse like clean text', () => {
  const yarn =
    '\ufeff# yarn lockfile v1\r\n\r\n"@s/a@^1.0.0", "@s/a@^1.1.0":\r\n  version "1.2.0"\r\n  dependencies:\r\n    b "^2"\r\n\r\nb@^2:\r\n  version "2.0.1"\r\n';
  const pkgs = parseLockfile('yarn.lock', new TextEncoder().encode(yarn)).packages;
  expect(pkgs.map((p) => `${p.name}@${p.version}`)).toEqual(['@s/a@1.2.0', 'b@2.0.1']);
  const bun = `{
    // bun writes trailing commas; comments are tolerated too
    "lockfileVersion": 1,
    "workspaces": { "": { "dependencies": { "a": "^1", }, }, },
    "packages": { "a": ["a@1.0.0", "", {}, "sha512-x", ], /* end */ },
  }`;
  expect(parseLockfile('bun.lock', bun).packages.map((p) => [p.name, p.version, p.direct])).toEqual([
    ['a', '1.0.0', true],
  ]);
});

function splitId(id: string): [string, string] {
  const at = id.indexOf('@', 1);
  return at === -1 ? [id, ''] : [id.slice(0, at), id.slice(at + 1)];
}
