/**
 * A field of the wrong type (issue 5, defect 1): `version = 1.0` in a Cargo.lock used to be read as
 * absent, giving a versionless `pkg:cargo/serde` whose vulnerabilities the scan missed. Every format
 * must refuse it as `unprocessable`, naming the file, the package and the field.
 */
import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../../src/core/errors.js';
import { parseLockfile } from '../../../../src/core/deps/lockfiles/index.js';

function refusal(fileName: string, text: string): BulwarkError {
  let error: unknown;
  try {
    parseLockfile(fileName, text);
  } catch (e) {
    error = e;
  }
  expect(error, `${fileName} should be refused`).toBeInstanceOf(BulwarkError);
  const e = error as BulwarkError;
  expect(e.code).toBe('unprocessable');
  expect(e.message).toContain(fileName);
  return e;
}

const cargo = (field: string) => `version = 3\n\n[[package]]\nname = "serde"\n${field}\n`;

describe('wrong field types are refused, naming file, package and field', () => {
  for (const [label, field, type] of [
    ['a float version', 'version = 1.0', 'a number'],
    ['a boolean version', 'version = true', 'a boolean'],
    ['an integer version', 'version = 1', 'a number'],
    ['an array version', 'version = ["1.0.0"]', 'an array'],
    ['a table source', 'version = "1.0.0"\nsource = { a = 1 }', 'an object'],
  ] as const) {
    it(`Cargo.lock: ${label}`, () => {
      const e = refusal('Cargo.lock', cargo(field));
      expect(e.message).toContain('package serde');
      expect(e.message).toContain(`field "${label.endsWith('source') ? 'source' : 'version'}" is ${type}`);
    });
  }

  it('Cargo.lock: a numeric name', () => {
    expect(refusal('Cargo.lock', '[[package]]\nname = 7\nversion = "1.0.0"\n').message).toContain(
      'package #1: field "name" is a number',
    );
  });

  it('Cargo.lock: dependencies that are not strings', () => {
    const text = '[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = [1]\n';
    expect(refusal('Cargo.lock', text).message).toContain('package a: field "dependencies"');
  });

  it('Cargo.lock: a well-typed file still parses with its version', () => {
    const parsed = parseLockfile(
      'Cargo.lock',
      cargo('version = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"'),
    );
    expect(parsed.packages.map((p) => p.purl)).toEqual(['pkg:cargo/serde@1.0.0']);
  });

  const lock = (entry: unknown) =>
    JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/left-pad': entry } });
  for (const [field, value, type] of [
    ['version', 1, 'a number'],
    ['version', null, 'null'],
    ['version', { v: '1' }, 'an object'],
    ['name', 5, 'a number'],
    ['resolved', false, 'a boolean'],
  ] as const) {
    it(`package-lock.json: ${field} ${JSON.stringify(value)}`, () => {
      const e = refusal('package-lock.json', lock({ version: '1.3.0', [field]: value }));
      expect(e.message).toContain('packages["node_modules/left-pad"]');
      expect(e.message).toContain(`field "${field}" is ${type}`);
    });
  }

  it('package-lock.json v1: a numeric version', () => {
    const text = JSON.stringify({ lockfileVersion: 1, dependencies: { 'left-pad': { version: 1 } } });
    expect(refusal('package-lock.json', text).message).toContain(
      'dependencies["left-pad"]: field "version" is a number',
    );
  });

  it('package-lock.json: "packages" not an object', () => {
    for (const packages of [[], 1, 'x']) {
      expect(
        refusal('package-lock.json', JSON.stringify({ lockfileVersion: 3, packages })).message,
      ).toContain('"packages" is');
    }
  });

  it('pnpm-lock.yaml: a number or a map as version', () => {
    for (const [value, type] of [
      ['1.0', 'a number'],
      ['{ a: 1 }', 'an object'],
      ['true', 'a boolean'],
    ]) {
      const text = `lockfileVersion: '9.0'\npackages:\n  left-pad@1.3.0:\n    version: ${value}\n    resolution: {integrity: sha512-x}\n`;
      const e = refusal('pnpm-lock.yaml', text);
      expect(e.message).toContain('package left-pad@1.3.0: field "version" is ' + type);
    }
  });

  it('pnpm-lock.yaml: a numeric name', () => {
    const text = `lockfileVersion: '6.0'\npackages:\n  /left-pad@1.3.0:\n    name: 12\n    resolution: {integrity: sha512-x}\n`;
    expect(refusal('pnpm-lock.yaml', text).message).toContain('field "name" is a number');
  });

  it('yarn.lock: version written as a section', () => {
    const text =
      '# yarn lockfile v1\n\n"left-pad@^1.3.0":\n  version:\n    nested "1.3.0"\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz"\n';
    const e = refusal('yarn.lock', text);
    expect(e.message).toContain('package left-pad@^1.3.0: field "version" is a section');
  });

  it('bun.lock: a tuple head that is not a string', () => {
    const text =
      '{ "lockfileVersion": 1, "workspaces": { "": {} }, "packages": { "left-pad": [1.3, "", {}] } }';
    expect(refusal('bun.lock', text).message).toContain("invalid package entry 'left-pad'");
  });
});
