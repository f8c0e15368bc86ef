/**
 * Hostile or broken lockfiles: every one must end in BulwarkError('unprocessable') naming the file
 * (and the line where there is one), promptly: no crash, no hang, no stack overflow.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../../src/core/errors.js';
import { parseLockfile, type LockfileFormat } from '../../../../src/core/deps/lockfiles/index.js';
import { describeWithSharedData, sharedPath } from '../../../support/shared-data.js';

const NAMES: Record<LockfileFormat, string> = {
  'package-lock': 'package-lock.json',
  yarn: 'yarn.lock',
  pnpm: 'pnpm-lock.yaml',
  cargo: 'Cargo.lock',
  bun: 'bun.lock',
};
const FORMATS = Object.keys(NAMES) as LockfileFormat[];

/** Runs the parse and returns the error it must raise (a hang is caught by the test timeout). */
function refusal(
  fileName: string,
  content: string | Uint8Array,
  opts: { maxBytes?: number } = {},
): BulwarkError {
  let error: unknown;
  try {
    parseLockfile(fileName, content, opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes });
  } catch (e) {
    error = e;
  }
  expect(error, `${fileName} should be refused`).toBeInstanceOf(BulwarkError);
  const e = error as BulwarkError;
  expect(e.code).toBe('unprocessable');
  expect(e.message).toContain(fileName);
  return e;
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('wrong top-level types', () => {
  const jsonCases = ['[]', '[1, 2]', '42', '"a string"', 'null', 'true'];
  for (const format of ['package-lock', 'bun'] as const) {
    for (const body of jsonCases) {
      it(`${NAMES[format]}: ${body}`, () => {
        expect(refusal(NAMES[format], body).message).toMatch(
          /top level is (an array|a number|a string|null|a boolean)/,
        );
      });
    }
  }
  it('package-lock.json: "packages" or "dependencies" of the wrong type, an entry that is not an object', () => {
    expect(refusal('package-lock.json', '{"lockfileVersion": 3, "packages": [1]}').message).toContain(
      '"packages" is an array',
    );
    expect(refusal('package-lock.json', '{"lockfileVersion": 1, "dependencies": 7}').message).toContain(
      '"dependencies" is a number',
    );
    expect(
      refusal('package-lock.json', '{"lockfileVersion": 3, "packages": {"node_modules/a": "1.0.0"}}').message,
    ).toContain('node_modules/a');
    expect(
      refusal('package-lock.json', '{"lockfileVersion": 1, "dependencies": {"a": null}}').message,
    ).toContain('"a"');
  });
  it('pnpm-lock.yaml: a list, a scalar, packages as a list', () => {
    expect(refusal('pnpm-lock.yaml', '- a\n- b\n').message).toContain('top level is an array');
    expect(refusal('pnpm-lock.yaml', '42\n').message).toContain('top level is a number');
    expect(refusal('pnpm-lock.yaml', "lockfileVersion: '9.0'\npackages:\n  - a\n").message).toContain(
      '"packages" is not a map',
    );
  });
  it('Cargo.lock: package not an array of tables, a package without a name', () => {
    expect(refusal('Cargo.lock', 'package = 5\n').message).toContain('"package" is not an array of tables');
    expect(refusal('Cargo.lock', 'version = 3\n\n[[package]]\nversion = "1.0.0"\n').message).toContain(
      'package #1 has no name',
    );
  });
  it('bun.lock: a package tuple that is not a tuple', () => {
    expect(refusal('bun.lock', '{"lockfileVersion": 1, "packages": {"a": {"x": 1}}}').message).toContain(
      "'a'",
    );
  });
});

describe('wrong-format or unsupported lockfiles are refused, saying what was expected', () => {
  // Each once parsed as 0 packages (exit 0: a CI gate passed on a file it never read).
  const cases: [string, string, string | RegExp][] = [
    // the tester's four
    [
      'pnpm-lock.yaml',
      'name: x\n',
      'no "lockfileVersion": expected a pnpm lockfile with lockfileVersion 5.x, 6.x or 9.x',
    ],
    [
      'pnpm-lock.yaml',
      'lockfileVersion: "99.0"\n',
      'unsupported lockfileVersion "99.0": expected 5.x, 6.x or 9.x',
    ],
    [
      'package-lock.json',
      '{}',
      'no "lockfileVersion": expected an npm lockfile with lockfileVersion 1, 2 or 3',
    ],
    [
      'Cargo.lock',
      'version = 99\n',
      'unsupported version 99: expected 3 or 4 (versions 1 and 2 have no version line)',
    ],
    // the same kind in every parser
    ['pnpm-lock.yaml', 'lockfileVersion: 7.0\n', 'unsupported lockfileVersion 7: expected 5.x, 6.x or 9.x'],
    ['pnpm-lock.yaml', 'lockfileVersion: [9]\n', 'unsupported lockfileVersion an array'],
    ['pnpm-lock.yaml', '# only a comment\n', 'no content (only comments): expected a pnpm lockfile'],
    [
      'package-lock.json',
      '{"lockfileVersion": 4, "packages": {}}',
      'unsupported lockfileVersion 4: expected 1, 2 or 3',
    ],
    ['package-lock.json', '{"lockfileVersion": "3", "packages": {}}', 'unsupported lockfileVersion "3"'],
    [
      'package-lock.json',
      '{"name": "app", "dependencies": {"a": {"version": "1.0.0"}}}',
      'no "lockfileVersion"',
    ],
    ['npm-shrinkwrap.json', '{"name": "app"}', 'npm-shrinkwrap.json: no "lockfileVersion"'],
    ['bun.lock', '{}', 'no "lockfileVersion": expected a bun.lock with lockfileVersion 0 or 1'],
    [
      'bun.lock',
      '{"lockfileVersion": 2, "workspaces": {"": {}}}',
      'unsupported lockfileVersion 2: expected 0 or 1',
    ],
    ['Cargo.lock', 'version = "3"\n', 'unsupported version "3": expected 3 or 4'],
    [
      'Cargo.lock',
      '# a comment\n[metadata]\n',
      'no "version" line and no [[package]] entries: expected a Cargo.lock',
    ],
    ['Cargo.lock', 'name = "x"\n', 'no "version" line and no [[package]] entries'],
    [
      'yarn.lock',
      'a@^1:\n  version "1.0.0"\n',
      'no "# yarn lockfile v1" line and no __metadata entry: expected a yarn.lock',
    ],
    ['yarn.lock', '# just a comment\n', 'no "# yarn lockfile v1" line and no __metadata entry'],
    ['yarn.lock', '__metadata:\n  cacheKey: 8\n', '__metadata has no "version": expected a yarn 2+ lockfile'],
    ['yarn.lock', '__metadata:\n  version: 99\n', 'unsupported __metadata version "99": expected 1 to 8'],
    ['yarn.lock', '__metadata:\n  version: 8a\n', 'unsupported __metadata version "8a"'],
  ];
  it.each(cases)('%s: %j', (name, body, message) => {
    expect(refusal(name, body).message).toContain(message);
  });
  it('an empty (or whitespace-only) file is refused in every format: no package manager writes one', () => {
    for (const format of FORMATS)
      for (const body of ['', '  \n\n', '\ufeff'])
        expect(refusal(NAMES[format], body).message).toContain(`${NAMES[format]}: empty file: expected a`);
  });
  it('a valid header with no packages is a legitimate empty project, in every format', () => {
    const empty: [string, string, string][] = [
      ['package-lock.json', '{"lockfileVersion": 3, "packages": {"": {"name": "app"}}}', '3'],
      ['package-lock.json', '{"lockfileVersion": 1, "dependencies": {}}', '1'],
      ['pnpm-lock.yaml', "lockfileVersion: '9.0'\n", '9.0'],
      ['pnpm-lock.yaml', 'lockfileVersion: 5.4\n', '5.4'],
      ['Cargo.lock', 'version = 4\n', '4'],
      ['bun.lock', '{"lockfileVersion": 1, "workspaces": {"": {}}}', '1'],
      ['yarn.lock', '# yarn lockfile v1\n', '1'],
      ['yarn.lock', '__metadata:\n  version: 8\n  cacheKey: 10c0\n', 'berry-8'],
    ];
    for (const [name, body, version] of empty) {
      const parsed = parseLockfile(name, body);
      expect([name, parsed.version, parsed.packages]).toEqual([name, version, []]);
    }
  });
});

describeWithSharedData('truncated real lockfiles name the line where they break', () => {
  const real: [string, string][] = [
    ['npm-v3__retracedhq-retraced__package-lock.json', 'package-lock.json'],
    ['pnpm-v9__osv.dev-frontend3__pnpm-lock.yaml', 'pnpm-lock.yaml'],
    ['cargo-v4__rustsec-rustsec__Cargo.lock', 'Cargo.lock'],
  ];
  for (const [file, name] of real) {
    it(`${file} cut inside a string`, () => {
      const text = readFileSync(sharedPath('osv', 'lockfiles', file), 'utf8');
      // cut two characters into a string value near the middle, so the rest is missing
      const opener = name === 'Cargo.lock' ? '= "' : name === 'pnpm-lock.yaml' ? "'" : '": "';
      const cut = text.indexOf(opener, Math.floor(text.length / 2)) + opener.length + 2;
      const truncated = text.slice(0, cut);
      const e = refusal(name, truncated);
      if (name !== 'package-lock.json') {
        // YAML and TOML report the line; V8's JSON error for a cut string has no position
        const line = truncated.split('\n').length;
        expect(e.details?.line).toBeGreaterThanOrEqual(line - 1);
        expect(e.details?.line).toBeLessThanOrEqual(line);
      }
    });
  }
  it('package-lock.json with a syntax error in the middle reports its line', () => {
    // (V8 on Node 20 gives a position for this kind of error, not for every kind: then no line is named)
    const text = readFileSync(
      sharedPath('osv', 'lockfiles', 'npm-v2__kysely-example__package-lock.json'),
      'utf8',
    );
    const lines = text.split('\n');
    expect(lines[200]!.endsWith(',')).toBe(false);
    lines[200] = lines[200]! + ',}';
    const e = refusal('package-lock.json', lines.join('\n'));
    expect(e.message).toMatch(/package-lock\.json:201: invalid JSON/);
  });
  it('yarn.lock cut in the middle of an entry header', () => {
    const text = readFileSync(sharedPath('osv', 'lockfiles', 'yarn-v1__yarnpkg-yarn__yarn.lock'), 'utf8');
    const header = text.indexOf('\n"@babel/highlight@') + 1;
    const truncated = text.slice(0, header + 10);
    const e = refusal('yarn.lock', truncated);
    expect(e.details?.line).toBe(truncated.split('\n').length);
    expect(e.message).toContain('expected an entry header');
  });
});

describe('binary garbage', () => {
  for (const format of FORMATS) {
    it(`${NAMES[format]}: random bytes`, () => {
      refusal(NAMES[format], randomBytes(64 * 1024, 0x9e3779b9));
    });
    it(`${NAMES[format]}: invalid UTF-8 without NUL bytes`, () => {
      const bytes = new TextEncoder().encode('lockfileVersion: 1\n');
      const bad = new Uint8Array([...bytes, 0xc3, 0x28, 0xff, 0xfe]);
      expect(refusal(NAMES[format], bad).message).toContain('not UTF-8');
    });
  }
  it('a NUL byte in otherwise valid text is named with its line', () => {
    const e = refusal('yarn.lock', '# yarn lockfile v1\n\na@^1:\n  version "1\0"\n');
    expect(e.details?.line).toBe(4);
  });
});

describe('size limit', () => {
  it('100 MB of garbage is refused before it is decoded or parsed', () => {
    const big = new Uint8Array(100 * 1024 * 1024).fill(0x61);
    for (const format of FORMATS)
      expect(refusal(NAMES[format], big).message).toContain('over the 67108864-byte limit');
  });
  it('a 100 MB string is refused too', () => {
    refusal('package-lock.json', 'x'.repeat(100 * 1024 * 1024));
  });
  it('the limit is configurable', () => {
    const body = '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"version": "1.0.0"}}}';
    expect(refusal('package-lock.json', body, { maxBytes: 20 }).message).toContain('over the 20-byte limit');
    expect(
      parseLockfile('package-lock.json', body, { maxBytes: body.length }).packages.map((p) => p.name),
    ).toEqual(['a']);
  });
  it('16 MB of printable garbage within the limit is refused promptly by every parser', () => {
    const bytes = randomBytes(16 * 1024 * 1024, 12345).map((b) => 32 + (b % 95));
    const text = new TextDecoder().decode(bytes);
    for (const format of FORMATS) refusal(NAMES[format], text);
  });
});

describe('deep nesting (100,000 levels) is refused before any parser recurses', () => {
  const depth = 100_000;
  const cases: [string, string][] = [
    ['package-lock.json', '['.repeat(depth) + ']'.repeat(depth)],
    ['package-lock.json', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)],
    ['bun.lock', `{"packages": ${'['.repeat(depth)}${']'.repeat(depth)}}`],
    ['pnpm-lock.yaml', `lockfileVersion: '9.0'\npackages: ${'['.repeat(depth)}${']'.repeat(depth)}\n`],
    ['pnpm-lock.yaml', `a: ${'{b: '.repeat(depth)}1${'}'.repeat(depth)}\n`],
    ['Cargo.lock', `a = ${'['.repeat(depth)}${']'.repeat(depth)}\n`],
    ['Cargo.lock', `a = ${'{b = '.repeat(depth)}1${'}'.repeat(depth)}\n`],
  ];
  for (const [name, text] of cases) {
    it(`${name}: ${text.slice(0, 24)}…`, () => {
      const e = refusal(name, text);
      expect(e.message).toMatch(/nesting deeper than 512 levels/);
      expect(e.details?.line).toBeGreaterThanOrEqual(1);
    });
  }
  it('brackets inside JSON strings do not count', () => {
    const body = JSON.stringify({
      lockfileVersion: 3,
      packages: { '': {}, 'node_modules/a': { version: '1.0.0', description: '['.repeat(2000) } },
    });
    expect(parseLockfile('package-lock.json', body).packages.map((p) => p.name)).toEqual(['a']);
  });
  it('YAML nested by indentation', () => {
    let text = '';
    for (let i = 0; i < 2000; i++) text += ' '.repeat(i) + 'k:\n';
    expect(refusal('pnpm-lock.yaml', text).message).toContain('indentation deeper than 256 columns');
  });
  it('a YAML alias bomb is refused', () => {
    const text = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefghi'.split('').map(
        (c, i) =>
          `${c}: &${c} [${Array(9)
            .fill('*' + 'abcdefghi'[i])
            .join(',')}]`,
      ),
    ].join('\n');
    refusal('pnpm-lock.yaml', text);
  });
});

describe('inputs built to make a naive scanner quadratic stay fast', () => {
  it('a 4 MB line of single quotes in YAML', () => {
    refusal('pnpm-lock.yaml', `a: ${"'b".repeat(2 * 1024 * 1024)}\n- x`);
  });
  it('4 MB of escaped quotes inside one JSON string', () => {
    refusal('package-lock.json', `["${'\\"'.repeat(2 * 1024 * 1024)}"]`);
  });
  it('a yarn.lock header of 1 MB of unterminated quote', () => {
    expect(refusal('yarn.lock', `"${'a'.repeat(1024 * 1024)}:\n`).message).toContain(
      'unterminated quoted key',
    );
  });
});

describe('not a lockfile', () => {
  it('an unknown file name with unknown content', () => {
    expect(refusal('notes.txt', 'hello').message).toContain('not a recognised lockfile');
  });
});
