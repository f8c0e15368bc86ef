/**
 * Real projects' lockfiles (shared/data/osv/lockfiles). Every count asserted here is computed in the
 * test itself from the raw file (JSON keys, YAML keys, header lines), not taken from the parser.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseLockfile, type LockPackage } from '../../../../src/core/deps/lockfiles/index.js';
import { describeWithSharedData, sharedPath } from '../../../support/shared-data.js';

const read = (name: string) => readFileSync(sharedPath('osv', 'lockfiles', name), 'utf8');
const keyOf = (p: { name: string; version: string }) => `${p.name}@${p.version}`;
type Json = Record<string, Record<string, unknown>>;

/** package.json's direct dependency names, split by list. */
function manifest(name: string): { prod: Set<string>; dev: Set<string> } {
  const pkg = JSON.parse(read(name)) as { dependencies?: object; devDependencies?: object };
  return {
    prod: new Set(Object.keys(pkg.dependencies ?? {})),
    dev: new Set(Object.keys(pkg.devDependencies ?? {})),
  };
}

function expectDirectMatchesManifest(packages: LockPackage[], m: { prod: Set<string>; dev: Set<string> }) {
  const direct = packages.filter((p) => p.direct === true);
  expect(new Set(direct.map((p) => p.name))).toEqual(new Set([...m.prod, ...m.dev]));
  for (const p of direct) {
    // a devDependency is a dev package unless a production package also needs it
    if (m.prod.has(p.name)) expect(p.groups, p.name).not.toContain('dev');
    expect(p.paths[0], p.name).toEqual([keyOf(p)]);
  }
}

/** Independent reading of a package-lock v2/v3: the entries, and the unique (name, version) with dev flags on every copy. */
function npmFacts(text: string) {
  const packages = (JSON.parse(text) as { packages: Json }).packages;
  const entries = Object.keys(packages).filter((k) => k !== '');
  const unique = new Map<string, boolean>();
  for (const k of entries) {
    const e = packages[k]!;
    const name =
      typeof e.name === 'string' ? e.name : k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const id = `${name}@${String(e.version)}`;
    const dev = e.dev === true || e.devOptional === true;
    unique.set(id, (unique.get(id) ?? true) && dev);
  }
  return { entries: entries.length, unique };
}

describeWithSharedData('real lockfiles', () => {
  it('npm v3 (retracedhq/retraced): 947 entries, 864 distinct packages, direct = package.json, dev flags kept', () => {
    const text = read('npm-v3__retracedhq-retraced__package-lock.json');
    const facts = npmFacts(text);
    expect(facts.entries).toBe(947);
    const { format, version, packages } = parseLockfile('package-lock.json', text);
    expect([format, version]).toEqual(['package-lock', '3']);
    expect(packages.length).toBe(facts.unique.size);
    // 947 = the 948 `packages` keys minus the root "". Counting distinct install-location name@version
    // gives 867; the 3 more are npm aliases (`string-width-cjs`, `strip-ansi-cjs`, `wrap-ansi-cjs`,
    // i.e. `npm:string-width@^4.2.0`...) whose entries name the real package, string-width@4.2.3,
    // strip-ansi@6.0.1 and wrap-ansi@7.0.0, each also installed under its own name: the same
    // package twice, rightly one (issue 5). No package is lost; see the alias checks below.
    expect(packages.length).toBe(864);
    for (const real of ['string-width@4.2.3', 'strip-ansi@6.0.1', 'wrap-ansi@7.0.0'])
      expect(
        packages.filter((p) => keyOf(p) === real),
        real,
      ).toHaveLength(1);
    for (const p of packages) {
      expect(p.groups.includes('dev'), keyOf(p)).toBe(facts.unique.get(keyOf(p)));
      expect(p.kind).toBe('registry');
      expect(p.purl).toBe(`pkg:npm/${p.name.replace('@', '%40')}@${p.version}`);
    }
    expectDirectMatchesManifest(packages, manifest('npm-v3__retracedhq-retraced__package.json'));
    // every transitive package present in the graph is explained by a chain from a direct dependency
    const explained = packages.filter((p) => p.paths.length > 0);
    for (const p of explained) for (const chain of p.paths) expect(chain.at(-1)).toBe(keyOf(p));
    // an alias is reported under its real name: node_modules/wrap-ansi-cjs is wrap-ansi@7.0.0
    expect(packages.some((p) => p.name === 'wrap-ansi-cjs')).toBe(false);
    expect(packages.find((p) => keyOf(p) === 'wrap-ansi@7.0.0')).toBeDefined();
  });

  it('npm v2 (kysely example): distinct packages and direct dependencies from package.json', () => {
    const text = read('npm-v2__kysely-example__package-lock.json');
    const facts = npmFacts(text);
    const { version, packages } = parseLockfile('package-lock.json', text);
    expect(version).toBe('2');
    expect(packages.length).toBe(facts.unique.size);
    for (const p of packages) expect(p.groups.includes('dev'), keyOf(p)).toBe(facts.unique.get(keyOf(p)));
    expectDirectMatchesManifest(packages, manifest('npm-v2__kysely-example__package.json'));
  });

  it('yarn v1 (yarnpkg/yarn): 1,062 entries, one per distinct package; direct is unknown', () => {
    const text = read('yarn-v1__yarnpkg-yarn__yarn.lock');
    const lines = text.split('\n');
    const headers: number[] = [];
    lines.forEach((l, i) => {
      if (l !== '' && !l.startsWith(' ') && !l.startsWith('#')) headers.push(i);
    });
    expect(headers.length).toBe(1062);
    const { format, version, packages } = parseLockfile('yarn.lock', text);
    expect([format, version]).toEqual(['yarn', '1']);
    expect(packages.length).toBe(1062);
    // versions as written under each header
    const versions = new Set(headers.map((i) => /^ {2}version "(.*)"$/.exec(lines[i + 1]!)?.[1]));
    for (const p of packages) {
      expect(versions.has(p.version)).toBe(true);
      expect(p.direct).toBeNull();
    }
    // the one `file:` dependency is the project's own code, not looked up
    const local = packages.filter((p) => !p.lookup);
    expect(local.map((p) => [p.name, p.kind])).toEqual([['eslint-plugin-yarn-internal', 'file']]);
    expect(text).toContain('eslint-plugin-yarn-internal@file:');
  });

  it('pnpm v9 (osv.dev frontend3): one package per `packages` key; importers give direct and dev', () => {
    const text = read('pnpm-v9__osv.dev-frontend3__pnpm-lock.yaml');
    const doc = parseYaml(text) as { packages: object };
    const { format, version, packages } = parseLockfile('pnpm-lock.yaml', text);
    expect([format, version]).toEqual(['pnpm', '9.0']);
    expect(new Set(packages.map(keyOf))).toEqual(new Set(Object.keys(doc.packages)));
    expect(packages.length).toBe(Object.keys(doc.packages).length);
    const m = manifest('pnpm-v9__osv.dev-frontend3__package.json');
    expectDirectMatchesManifest(packages, m);
    for (const p of packages.filter((x) => x.direct && m.dev.has(x.name))) expect(p.groups).toEqual(['dev']);
  });

  it('Cargo.lock v4 (rustsec): one package per [[package]]; local crates are roots, not looked up', () => {
    const text = read('cargo-v4__rustsec-rustsec__Cargo.lock');
    const blocks = text.split('[[package]]').slice(1);
    const local = blocks.filter((b) => !b.includes('\nsource = ')).map((b) => /name = "(.*)"/.exec(b)![1]);
    const { format, version, packages } = parseLockfile('Cargo.lock', text);
    expect([format, version]).toEqual(['cargo', '4']);
    expect(packages.length).toBe(blocks.length);
    expect(packages.length).toBe(421);
    expect(
      packages
        .filter((p) => !p.lookup)
        .map((p) => p.name)
        .sort(),
    ).toEqual(local.sort());
    for (const p of packages) {
      expect(p.ecosystem).toBe('crates.io');
      // build metadata is percent-encoded in a purl: wasi@0.11.0+wasi-snapshot-preview1 -> 0.11.0%2Bwasi...
      expect(p.purl).toBe(`pkg:cargo/${p.name}@${p.version.replace('+', '%2B')}`);
    }
    // the rustsec crate depends directly on cvss (a local crate) and on a registry crate like semver
    const rustsec = blocks.find((b) => b.includes('name = "rustsec"\n'))!;
    expect(rustsec).toContain('"semver"');
    expect(packages.find((p) => p.name === 'semver')?.direct).toBe(true);
  });

  it('cargo-lock examples v1–v4 and git sources', () => {
    for (const v of ['v1', 'v2', 'v3', 'v4']) {
      const text = read(`cargo-lock-examples/Cargo.lock.${v}`);
      const { version, packages } = parseLockfile('Cargo.lock', text);
      expect(version).toBe(v.slice(1));
      const ids = new Set(
        text
          .split('[[package]]')
          .slice(1)
          .map((b) => `${/name = "(.*)"/.exec(b)![1]}@${/version = "(.*)"/.exec(b)![1]}`),
      );
      expect(new Set(packages.map(keyOf))).toEqual(ids);
    }
    // the same name and version from git and from the registry are two packages; git keeps its commit
    const { packages } = parseLockfile('Cargo.lock', read('cargo-lock-examples/Cargo.lock.git-ref'));
    expect(packages.filter((p) => p.name === 'branch').map((p) => [p.kind, p.commit])).toEqual([
      ['git', 'b8e3025aa30ea65144372bd68d26090c0f31bea2'],
      ['registry', undefined],
    ]);
    // `foo` depends on both copies; the git one is named with its source (minus the #commit)
    expect(packages.find((p) => p.kind === 'git' && p.name === 'tag')?.paths).toEqual([]);
  });

  it('the 13-byte Cargo.lock of the examples (a symlink stored as text) is refused with its line', () => {
    const text = read('cargo-lock-examples/Cargo.lock');
    expect(text).toBe('Cargo.lock.v3');
    expect(() => parseLockfile('Cargo.lock', text)).toThrow(/Cargo\.lock:1: invalid TOML/);
  });
});
