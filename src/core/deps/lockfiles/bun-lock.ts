import { DependencyGraph, type NodeInfo, type RootGroup } from './dependency-graph.js';
import { asRecord, asString, isRecord, parseJsonLockfile } from './input-guards.js';
import { jsoncToJson } from './jsonc.js';
import { BUN_LOCK_VERSIONS, listOf, unsupportedVersion } from './format-versions.js';
import { lockfileError } from './lockfile-error.js';
import { commitFromSource, kindOfSpec, splitNameAt } from './source-spec.js';
import type { ParsedLockfile } from './types.js';

/**
 * `bun.lock` (the text lockfile, JSONC). `packages` maps an install path (`a`, `a/b` for a copy of
 * `b` nested under `a`) to a tuple whose first element is `name@version` or `name@<source>`; the
 * object element holds its dependencies. `workspaces` are the roots, with separate dev, optional and
 * peer lists, from which groups are derived. The binary `bun.lockb` is not supported.
 */
export function parseBunLock(fileName: string, text: string): ParsedLockfile {
  const doc = parseJsonLockfile(fileName, jsoncToJson(text));
  if (!isRecord(doc))
    throw lockfileError(
      fileName,
      `top level is ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : `a ${typeof doc}`}, not an object`,
    );
  const lockfileVersion = doc.lockfileVersion;
  if (lockfileVersion === undefined)
    throw lockfileError(
      fileName,
      `no "lockfileVersion": expected a bun.lock with lockfileVersion ${listOf(BUN_LOCK_VERSIONS)}`,
    );
  if (typeof lockfileVersion !== 'number' || !BUN_LOCK_VERSIONS.includes(lockfileVersion))
    throw unsupportedVersion(fileName, 'lockfileVersion', lockfileVersion, listOf(BUN_LOCK_VERSIONS));
  if (doc.packages !== undefined && !isRecord(doc.packages))
    throw lockfileError(fileName, '"packages" is not an object');
  const packages = asRecord(doc.packages);
  const graph = new DependencyGraph();
  const invalid: string[] = [];
  const depsOf = new Map<string, Record<string, unknown>>();

  for (const key of Object.keys(packages)) {
    const tuple = packages[key];
    const head = Array.isArray(tuple) ? (tuple as unknown[])[0] : undefined;
    if (typeof head !== 'string' || splitNameAt(head).name === '') {
      invalid.push(key);
      continue;
    }
    graph.addNode(key, tupleInfo(head));
    const meta = (tuple as unknown[]).slice(1).find(isRecord);
    if (meta !== undefined) depsOf.set(key, meta);
  }
  if (invalid.length > 0) {
    throw lockfileError(
      fileName,
      `invalid package entry ${invalid.map((k) => `'${k.slice(0, 200)}'`).join(', ')}`,
    );
  }

  const resolve = (fromPath: string[], name: string): string | undefined => {
    for (let j = fromPath.length; j >= 0; j--) {
      const candidate = j === 0 ? name : `${fromPath.slice(0, j).join('/')}/${name}`;
      if (graph.has(candidate)) return candidate;
    }
    return undefined;
  };
  for (const [key, meta] of depsOf) {
    const path = splitInstallPath(key);
    for (const list of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const name of Object.keys(asRecord(meta[list]))) {
        const to = resolve(path, name);
        if (to !== undefined) graph.addEdge(key, to);
      }
    }
  }
  const workspaces = asRecord(doc.workspaces);
  for (const wsPath of Object.keys(workspaces)) {
    const ws = asRecord(workspaces[wsPath]);
    const wsName = asString(ws.name);
    // A workspace's own nested copies live under its name; the root's under nothing.
    const from = wsPath === '' || wsName === undefined ? [] : [wsName];
    for (const [list, group] of ROOT_LISTS) {
      for (const name of Object.keys(asRecord(ws[list]))) {
        const to = resolve(from, name);
        if (to !== undefined) graph.addRoot(to, group);
      }
    }
  }
  return {
    format: 'bun',
    version: String(lockfileVersion),
    packages: graph.toPackages({ ecosystem: 'npm', rootsKnown: true }),
  };
}

const ROOT_LISTS: [string, RootGroup][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'peer'],
  ['devDependencies', 'dev'],
];

/** `a/@s/b/c` -> ['a', '@s/b', 'c']. */
function splitInstallPath(key: string): string[] {
  const parts = key.split('/');
  const names: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith('@') && i + 1 < parts.length) names.push(`${p}/${parts[++i]!}`);
    else names.push(p);
  }
  return names;
}

function tupleInfo(head: string): NodeInfo {
  const { name, rest } = splitNameAt(head);
  if (rest.startsWith('npm:')) return { name, version: rest.slice(4), kind: 'registry' };
  const kind = kindOfSpec(rest);
  if (kind === undefined) return { name, version: rest, kind: 'registry' };
  const info: NodeInfo = { name, version: '', kind };
  if (kind === 'git') {
    const commit = commitFromSource(rest) ?? fragment(rest);
    if (commit !== undefined) info.commit = commit;
  }
  return info;
}

/** bun writes abbreviated commits (`#527e8ce`); commitFromSource accepts 7+ hex digits, this is the fallback. */
function fragment(spec: string): string | undefined {
  const hash = spec.lastIndexOf('#');
  return hash === -1 || hash + 1 === spec.length ? undefined : spec.slice(hash + 1);
}
