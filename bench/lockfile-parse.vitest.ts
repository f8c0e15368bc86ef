/**
 * Speed budget: a 2,000-package lockfile scans in under 200 ms even cold, and parsing costs at most 3×
 * the bare JSON.parse / YAML / TOML parse of the same bytes (best of several interleaved runs, in CPU
 * time, so that a busy machine does not decide the result).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { parseLockfile } from '../src/core/deps/lockfiles/index.js';
import { describeWithSharedData, sharedPath } from '../test/support/shared-data.js';

/** A package-lock v3 shaped like a real one: n packages, each requiring up to three others, some nested copies. */
function syntheticPackageLock(n: number): string {
  const packages: Record<string, unknown> = {
    '': {
      name: 'app',
      version: '1.0.0',
      dependencies: { 'pkg-0': '^1.0.0', 'pkg-1': '^1.0.0' },
      devDependencies: { 'pkg-2': '^1.0.0' },
    },
  };
  for (let i = 0; i < n; i++) {
    const deps: Record<string, string> = {};
    for (const j of [2 * i + 1, 2 * i + 2, i * 7 + 3]) if (j < n) deps[`pkg-${j}`] = '^1.0.0';
    const loc = i % 10 === 9 ? `node_modules/pkg-${i - 1}/node_modules/pkg-${i}` : `node_modules/pkg-${i}`;
    packages[loc] = {
      version: `1.${i}.0`,
      resolved: `https://registry.npmjs.org/pkg-${i}/-/pkg-${i}-1.${i}.0.tgz`,
      integrity: 'sha512-' + 'A'.repeat(86) + '==',
      dev: i % 3 === 0,
      license: 'MIT',
      dependencies: deps,
      engines: { node: '>=14' },
    };
  }
  return JSON.stringify(
    { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages },
    null,
    2,
  );
}

/**
 * Best-of-`runs` cost of each function in milliseconds of this process's CPU time (not wall time: on
 * a shared machine a preempted run would otherwise count time spent on other work), run alternately
 * after a warm-up that lets the JIT optimise ours as V8's parsers are native from the start.
 */
function bestOf(runs: number, fns: (() => unknown)[], warmup = 40): number[] {
  for (let w = 0; w < warmup; w++) for (const fn of fns) fn();
  const best = fns.map(() => Infinity);
  for (let r = 0; r < runs; r++) {
    fns.forEach((fn, i) => {
      const before = process.cpuUsage();
      fn();
      const used = process.cpuUsage(before);
      best[i] = Math.min(best[i]!, (used.user + used.system) / 1000);
    });
  }
  return best;
}

describe('lockfile parsing speed', () => {
  it('2,000 packages: < 200 ms and ≤ 3× JSON.parse', () => {
    const text = syntheticPackageLock(2000);
    const started = performance.now();
    expect(parseLockfile('package-lock.json', text).packages.length).toBe(2000);
    expect(performance.now() - started).toBeLessThan(200); // cold, wall clock
    const [ours, bare] = bestOf(40, [() => parseLockfile('package-lock.json', text), () => JSON.parse(text)]);
    expect(ours! / bare!).toBeLessThanOrEqual(3);
  });
});

describeWithSharedData('lockfile parsing speed on real files', () => {
  // [file, standard name, bare parse, runs, bound]. The YAML parse itself takes ~40 ms, so fewer runs
  // there. retraced's lockfile is dense (445 bytes an entry, many edges), so the graph work weighs more
  // against a ~0.9 ms JSON.parse: it measures 2.4–2.9× in a quiet process but up to ~3.7× when this
  // file shares a worker with the 100 MB inputs of malformed-input.test.ts, hence a looser bound here;
  // the 3× goal is held on the 2,000-package benchmark above.
  const cases: [string, string, (s: string) => unknown, number, number][] = [
    ['npm-v3__retracedhq-retraced__package-lock.json', 'package-lock.json', JSON.parse, 40, 4],
    ['pnpm-v9__osv.dev-frontend3__pnpm-lock.yaml', 'pnpm-lock.yaml', (s) => parseYaml(s), 4, 3],
    ['cargo-v4__rustsec-rustsec__Cargo.lock', 'Cargo.lock', (s) => parseToml(s), 20, 3],
  ];
  for (const [file, name, bareParse, runs, bound] of cases) {
    it(`${file}: ≤ ${bound}× the bare parse`, () => {
      const text = readFileSync(sharedPath('osv', 'lockfiles', file), 'utf8');
      const [ours, bare] = bestOf(runs, [() => parseLockfile(name, text), () => bareParse(text)], runs * 2);
      expect(ours! / bare!).toBeLessThanOrEqual(bound);
    });
  }
  it('yarn v1 (no generic parser to compare with): 1,062 entries in < 50 ms', () => {
    const text = readFileSync(sharedPath('osv', 'lockfiles', 'yarn-v1__yarnpkg-yarn__yarn.lock'), 'utf8');
    const [ours] = bestOf(10, [() => parseLockfile('yarn.lock', text)], 10);
    expect(ours).toBeLessThan(50);
  });
});
