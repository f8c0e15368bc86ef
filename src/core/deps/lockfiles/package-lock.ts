import { DependencyGraph, type NodeInfo, type RootGroup } from './dependency-graph.js';
import { asRecord, asString, isRecord, optionalStringField, parseJsonLockfile } from './input-guards.js';
import { listOf, PACKAGE_LOCK_VERSIONS, unsupportedVersion } from './format-versions.js';
import { lockfileError } from './lockfile-error.js';
import { commitFromSource, isGitSpec, isRegistryTarball, kindOfSpec, parseNpmAlias } from './source-spec.js';
import type { DepGroup, ParsedLockfile } from './types.js';

/**
 * npm `package-lock.json` / `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
 *
 * v2 and v3 carry a flat `packages` map keyed by install location (`node_modules/a/node_modules/b`);
 * it is the source of truth when present (v2 also keeps the v1 tree for old npm, ignored here). v1
 * only has the nested `dependencies` tree, which is flattened to the same location keys so that one
 * resolver (Node's: look in my node_modules, then my parent's...) builds the edges for both.
 */
export function parsePackageLock(fileName: string, text: string): ParsedLockfile {
  const doc = parseJsonLockfile(fileName, text);
  if (!isRecord(doc)) {
    throw lockfileError(fileName, `top level is ${describe(doc)}, not an object`);
  }
  const version = String(lockfileVersionOf(fileName, doc));
  if (doc.packages !== undefined) {
    if (!isRecord(doc.packages))
      throw lockfileError(fileName, `"packages" is ${describe(doc.packages)}, not an object`);
    return { format: 'package-lock', version, packages: fromPackagesMap(fileName, doc.packages) };
  }
  if (doc.dependencies !== undefined && !isRecord(doc.dependencies)) {
    throw lockfileError(fileName, `"dependencies" is ${describe(doc.dependencies)}, not an object`);
  }
  return { format: 'package-lock', version, packages: fromV1Tree(fileName, asRecord(doc.dependencies)) };
}

/** npm has written `lockfileVersion` since the first package-lock; without it this is some other JSON. */
function lockfileVersionOf(fileName: string, doc: Record<string, unknown>): number {
  const v = doc.lockfileVersion;
  const expected = `lockfileVersion ${listOf(PACKAGE_LOCK_VERSIONS)}`;
  if (v === undefined)
    throw lockfileError(fileName, `no "lockfileVersion": expected an npm lockfile with ${expected}`);
  if (typeof v !== 'number' || !PACKAGE_LOCK_VERSIONS.includes(v))
    throw unsupportedVersion(fileName, 'lockfileVersion', v, listOf(PACKAGE_LOCK_VERSIONS));
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

const NM = 'node_modules/';
const SLASH_NM = '/node_modules/';

/**
 * Install locations by node index, with Node's module lookup over them: `<loc>/node_modules/<name>`,
 * then the same from each ancestor location, then the root. Only locations that have a nested
 * node_modules are worth probing, and most have none, so those are skipped without building a
 * candidate path: resolving an edge usually costs one probe, at the top level.
 */
class InstallTree {
  private readonly at = new Map<string, number>();
  private readonly withNested = new Set<string>();

  add(location: string, node: number): void {
    this.at.set(location, node);
    const parentEnd = location.lastIndexOf(SLASH_NM);
    if (parentEnd !== -1) this.withNested.add(location.slice(0, parentEnd));
  }

  get(location: string): number | undefined {
    return this.at.get(location);
  }

  resolve(location: string, name: string): number | undefined {
    let base = location;
    while (base !== '') {
      if (this.withNested.has(base)) {
        const found = this.at.get(`${base}/${NM}${name}`);
        if (found !== undefined) return found;
      }
      const up = base.lastIndexOf(SLASH_NM);
      base = up === -1 ? '' : base.slice(0, up);
    }
    return this.at.get(NM + name);
  }
}

/** Shared by every production copy (never mutated: the graph copies groups when it folds them). */
const NO_GROUPS: DepGroup[] = [];

function flagGroups(entry: Record<string, unknown>): DepGroup[] {
  if (
    entry.dev !== true &&
    entry.optional !== true &&
    entry.devOptional !== true &&
    entry.peer !== true &&
    entry.inBundle !== true &&
    entry.bundled !== true
  ) {
    return NO_GROUPS;
  }
  const groups: DepGroup[] = [];
  if (entry.inBundle === true || entry.bundled === true) groups.push('bundled');
  if (entry.dev === true || entry.devOptional === true) groups.push('dev');
  if (entry.optional === true || entry.devOptional === true) groups.push('optional');
  if (entry.peer === true) groups.push('peer');
  return groups;
}

const DEP_LISTS: [string, RootGroup][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'peer'],
  ['devDependencies', 'dev'],
];

function fromPackagesMap(fileName: string, packages: Record<string, unknown>) {
  const graph = new DependencyGraph();
  const at = new InstallTree();
  const links: [string, string][] = [];
  const entries: [string, number, Record<string, unknown>][] = [];
  for (const key of Object.keys(packages)) {
    const entry = packages[key];
    if (!isRecord(entry))
      throw lockfileError(fileName, `packages["${key.slice(0, 200)}"] is ${describe(entry)}, not an object`);
    if (key === '') continue;
    const where = `packages["${key}"]`;
    const resolvedField = optionalStringField(fileName, where, 'resolved', entry.resolved);
    if (entry.link === true) {
      // A symlink to a workspace member or a `file:` directory: the target has its own entry.
      links.push([key, resolvedField ?? '']);
      continue;
    }
    const inNodeModules = key.startsWith(NM) || key.includes(SLASH_NM);
    const resolved = resolvedField ?? '';
    const installedName = nameFromLocation(key);
    const info: NodeInfo = {
      name: optionalStringField(fileName, where, 'name', entry.name) ?? installedName,
      version: optionalStringField(fileName, where, 'version', entry.version) ?? '',
      kind: 'registry',
      groups: flagGroups(entry),
    };
    if (!inNodeModules) info.kind = 'workspace';
    else if (resolved.startsWith('file:')) info.kind = 'file';
    else if (resolved !== '' && !isRegistryTarball(resolved) && isGitSpec(resolved)) {
      info.kind = 'git';
      const commit = commitFromSource(resolved);
      if (commit !== undefined) info.commit = commit;
    }
    const node = graph.addNode(key, info);
    at.add(key, node);
    entries.push([key, node, entry]);
  }
  for (const [key, target] of links) {
    const node = at.get(target);
    if (node !== undefined) at.add(key, node);
  }
  const edgesOf = (location: string, from: number | undefined, entry: Record<string, unknown>) => {
    for (const [list, group] of DEP_LISTS) {
      // a dependency's own devDependencies are never installed; only a project root's are
      if (from !== undefined && list === 'devDependencies') continue;
      const deps = entry[list];
      if (!isRecord(deps)) continue;
      for (const depName in deps) {
        const spec = deps[depName];
        const to = at.resolve(location, depName) ?? localTarget(at, location, spec);
        if (to === undefined) continue;
        const specKind = typeof spec === 'string' ? kindOfSpec(spec) : undefined;
        if (specKind !== undefined) {
          const info = graph.infoAt(to);
          if (info.kind === 'workspace' && specKind === 'file') info.kind = 'file';
          else if (info.kind === 'registry' && specKind === 'tarball') info.kind = 'tarball';
        }
        if (from === undefined) graph.addRootAt(to, group);
        else graph.addEdgeAt(from, to);
      }
    }
  };
  edgesOf('', undefined, asRecord(packages['']));
  for (const [key, node, entry] of entries) {
    // Workspace members are project roots: what they depend on is a direct dependency.
    const isWorkspace = graph.infoAt(node).kind === 'workspace';
    edgesOf(key, isWorkspace ? undefined : node, entry);
  }
  return graph.toPackages({ ecosystem: 'npm', rootsKnown: true });
}

/**
 * A `file:` dependency without its node_modules symlink entry (some lockfiles omit it): the spec's
 * relative path, from the depending package's folder, is the target's key.
 */
function localTarget(at: InstallTree, location: string, spec: unknown): number | undefined {
  if (typeof spec !== 'string' || !spec.startsWith('file:')) return undefined;
  const parts = location === '' ? [] : location.split('/');
  for (const part of spec.slice(5).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.pop() === undefined) return undefined; // outside the project: no entry for it
    } else parts.push(part);
  }
  return at.get(parts.join('/'));
}

function nameFromLocation(key: string): string {
  const i = key.lastIndexOf(NM);
  if (i !== -1) return key.slice(i + NM.length);
  return key.slice(key.lastIndexOf('/') + 1);
}

/** v1: the nested tree, flattened to v2-style locations, then linked through `requires`. */
function fromV1Tree(fileName: string, top: Record<string, unknown>) {
  const graph = new DependencyGraph();
  const at = new InstallTree();
  const requires: [string, number, Record<string, unknown>][] = [];
  // Iterative walk: nesting is bounded by the JSON guard, but a stack keeps it flat anyway.
  const stack: [string, Record<string, unknown>][] = [['', top]];
  while (stack.length > 0) {
    const [parent, deps] = stack.pop()!;
    for (const name of Object.keys(deps)) {
      const entry = deps[name];
      if (!isRecord(entry))
        throw lockfileError(
          fileName,
          `dependencies["${name.slice(0, 200)}"] is ${describe(entry)}, not an object`,
        );
      const location = parent === '' ? NM + name : `${parent}/${NM}${name}`;
      optionalStringField(fileName, `dependencies["${name}"]`, 'version', entry.version);
      const node = graph.addNode(location, v1Info(name, entry));
      at.add(location, node);
      requires.push([location, node, asRecord(entry.requires)]);
      if (isRecord(entry.dependencies)) stack.push([location, entry.dependencies]);
    }
  }
  for (const [location, node, reqs] of requires) {
    for (const depName in reqs) {
      const to = at.resolve(location, depName);
      if (to !== undefined) graph.addEdgeAt(node, to);
    }
  }
  // v1 does not say which packages the project itself asked for.
  return graph.toPackages({ ecosystem: 'npm', rootsKnown: false });
}

function v1Info(key: string, entry: Record<string, unknown>): NodeInfo {
  const raw = asString(entry.version) ?? '';
  const info: NodeInfo = { name: key, version: raw, kind: 'registry', groups: flagGroups(entry) };
  const alias = parseNpmAlias(raw);
  if (alias !== undefined) {
    info.name = alias.name;
    info.version = alias.rest;
    return info;
  }
  const kind = kindOfSpec(raw);
  if (kind !== undefined) {
    // v1 writes the source in place of the version for git, file and tarball dependencies.
    info.kind = kind;
    info.version = '';
    if (kind === 'git') {
      const commit = commitFromSource(raw);
      if (commit !== undefined) info.commit = commit;
    }
  }
  return info;
}
