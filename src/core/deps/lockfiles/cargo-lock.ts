import { parse as parseToml, TomlError } from 'smol-toml';
import { DependencyGraph, type NodeInfo } from './dependency-graph.js';
import { assertNestingWithin, isRecord, MAX_NESTING, optionalStringField } from './input-guards.js';
import { CARGO_LOCK_VERSIONS, listOf, unsupportedVersion } from './format-versions.js';
import { lockfileError } from './lockfile-error.js';
import type { ParsedLockfile } from './types.js';

/**
 * `Cargo.lock`, versions 1 to 4. Every `[[package]]` is a crate; one without `source` is the
 * project's own (a workspace member or path dependency) and is a root: its dependencies are the
 * direct ones. Dependencies are written `name`, `name version` or `name version (source)`, as
 * precise as needed to pick one of several crates with that name. Cargo.lock does not record dev
 * dependencies separately, so groups stay empty.
 */
export function parseCargoLock(fileName: string, text: string): ParsedLockfile {
  assertNestingWithin(fileName, text, undefined, `"'`);
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text, { maxDepth: MAX_NESTING });
  } catch (e) {
    throw lockfileError(fileName, 'invalid TOML', e instanceof TomlError ? e.line : undefined);
  }
  const rawPackages = doc.package ?? [];
  if (!Array.isArray(rawPackages)) throw lockfileError(fileName, '"package" is not an array of tables');
  const version = cargoVersionOf(fileName, doc, rawPackages);

  const graph = new DependencyGraph();
  const byName = new Map<string, { key: string; version: string; source: string }[]>();
  const crates: { key: string; deps: unknown; local: boolean }[] = [];
  for (let i = 0; i < rawPackages.length; i++) {
    const pkg: unknown = rawPackages[i];
    if (!isRecord(pkg)) throw lockfileError(fileName, `package #${i + 1} is not a table`);
    const name = optionalStringField(fileName, `#${i + 1}`, 'name', pkg.name);
    if (name === undefined || name === '') throw lockfileError(fileName, `package #${i + 1} has no name`);
    const crateVersion = optionalStringField(fileName, name, 'version', pkg.version) ?? '';
    const source = optionalStringField(fileName, name, 'source', pkg.source) ?? '';
    if (pkg.dependencies !== undefined && !isStringArray(pkg.dependencies))
      throw lockfileError(fileName, `package ${name}: field "dependencies" is not an array of strings`);
    const key = String(i);
    graph.addNode(key, crateInfo(name, crateVersion, source));
    const list = byName.get(name);
    const ref = { key, version: crateVersion, source };
    if (list === undefined) byName.set(name, [ref]);
    else list.push(ref);
    crates.push({ key, deps: pkg.dependencies, local: source === '' });
  }

  const resolve = (dep: string): string | undefined => {
    const [name = '', depVersion, ...rest] = dep.split(' ');
    const candidates = byName.get(name);
    if (candidates === undefined) return undefined;
    if (depVersion === undefined) return candidates[0]?.key;
    let source = rest.join(' ');
    if (source.startsWith('(') && source.endsWith(')')) source = source.slice(1, -1);
    // A git source is written without its `#commit` in dependency lists.
    const sameSource = (s: string) => s === source || s.startsWith(source + '#');
    const matches = candidates.filter(
      (c) => c.version === depVersion && (source === '' || sameSource(c.source)),
    );
    // `name version` with several sources left: cargo means the registry one (others get a source suffix).
    return (
      matches.find((c) => c.source.startsWith('registry+') || c.source.startsWith('sparse+')) ?? matches[0]
    )?.key;
  };
  for (const crate of crates) {
    if (!Array.isArray(crate.deps)) continue;
    for (const dep of crate.deps) {
      if (typeof dep !== 'string') continue;
      const to = resolve(dep);
      if (to === undefined) continue;
      if (crate.local) graph.addRoot(to, 'prod');
      else graph.addEdge(crate.key, to);
    }
  }
  return {
    format: 'cargo',
    version,
    packages: graph.toPackages({ ecosystem: 'crates.io', rootsKnown: true }),
  };
}

/**
 * Cargo writes `version = 3` or `4` at the top; versions 1 and 2 have no version line but always
 * list at least the project's own crate, so a file with neither is not a Cargo.lock.
 */
function cargoVersionOf(fileName: string, doc: Record<string, unknown>, packages: unknown[]): string {
  const v = doc.version;
  if (v === undefined) {
    if (packages.length === 0)
      throw lockfileError(
        fileName,
        `no "version" line and no [[package]] entries: expected a Cargo.lock (version ${listOf(CARGO_LOCK_VERSIONS)}, or 1/2 with [[package]] entries)`,
      );
    return isRecord(doc.metadata) ? '1' : '2';
  }
  if (typeof v !== 'number' || !CARGO_LOCK_VERSIONS.includes(v))
    throw unsupportedVersion(
      fileName,
      'version',
      v,
      `${listOf(CARGO_LOCK_VERSIONS)} (versions 1 and 2 have no version line)`,
    );
  return String(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((d) => typeof d === 'string');
}

function crateInfo(name: string, version: string, source: string): NodeInfo {
  const info: NodeInfo = { name, version, kind: 'registry', groups: [] };
  if (source === '') info.kind = 'workspace';
  else if (source.startsWith('git+')) {
    info.kind = 'git';
    const hash = source.lastIndexOf('#');
    if (hash !== -1 && hash + 1 < source.length) info.commit = source.slice(hash + 1);
  } else if (source.startsWith('path+')) info.kind = 'file';
  return info;
}
