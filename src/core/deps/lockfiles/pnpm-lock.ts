import { parse as parseYaml, YAMLParseError } from 'yaml';
import { DependencyGraph, type NodeInfo, type RootGroup } from './dependency-graph.js';
import {
  asRecord,
  asString,
  assertNestingWithin,
  assertYamlIndentWithin,
  isRecord,
  optionalStringField,
} from './input-guards.js';
import { listOf, PNPM_LOCK_MAJORS, unsupportedVersion } from './format-versions.js';
import { lineAt, lockfileError } from './lockfile-error.js';
import { commitFromSource, splitNameAt } from './source-spec.js';
import type { DepGroup, ParsedLockfile } from './types.js';

/**
 * `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
 *
 * Package keys differ per version: `/name/1.2.3_peer@1` (5), `/name@1.2.3(peer@1)` (6),
 * `name@1.2.3` with peer variants under `snapshots` (9); git, tarball and directory packages carry
 * `name`/`version` fields and a `resolution`. Importers (or, for a single project in 5/6, the
 * top-level dependency lists) are the roots. 5 and 6 flag dev/optional packages; 9 does not, so
 * its groups are derived from which importer lists reach a package.
 */
export function parsePnpmLock(fileName: string, text: string): ParsedLockfile {
  assertNestingWithin(fileName, text, undefined, `"'`);
  assertYamlIndentWithin(fileName, text);
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (e) {
    const line = e instanceof YAMLParseError ? lineAt(text, e.pos[0]) : undefined;
    throw lockfileError(fileName, `invalid YAML${e instanceof YAMLParseError ? ` (${e.code})` : ''}`, line);
  }
  if (doc === null || doc === undefined)
    throw lockfileError(fileName, `no content (only comments): expected a pnpm lockfile with ${EXPECTED}`);
  if (!isRecord(doc))
    throw lockfileError(
      fileName,
      `top level is ${Array.isArray(doc) ? 'an array' : `a ${typeof doc}`}, not a map`,
    );

  const { version, major } = pnpmVersionOf(fileName, doc.lockfileVersion);
  for (const section of ['packages', 'snapshots', 'importers'] as const) {
    if (doc[section] !== undefined && doc[section] !== null && !isRecord(doc[section])) {
      throw lockfileError(fileName, `"${section}" is not a map`);
    }
  }
  const packages = asRecord(doc.packages);
  const snapshots = asRecord(doc.snapshots);
  const graph = new DependencyGraph();
  const invalid: string[] = [];

  const addPackage = (key: string, entry: Record<string, unknown>, snapshotKey: string) => {
    optionalStringField(fileName, key, 'name', entry.name);
    optionalStringField(fileName, key, 'version', entry.version);
    const info = packageInfo(key, entry, major);
    if (info === 'skip') return;
    if (info === undefined) invalid.push(key);
    else graph.addNode(snapshotKey, info);
  };
  // In 9 the installed copies are the snapshots (one per peer set); a package without any is still listed.
  const hasSnapshot = new Set<string>();
  if (major >= 9) {
    for (const key of Object.keys(snapshots)) {
      const base = stripPeerSuffix(key);
      hasSnapshot.add(base);
      addPackage(base, asRecord(packages[base]), key);
    }
  }
  for (const key of Object.keys(packages)) {
    if (!hasSnapshot.has(key)) addPackage(key, asRecord(packages[key]), key);
  }
  if (invalid.length > 0) {
    const at = text.indexOf(invalid[0]!);
    throw lockfileError(
      fileName,
      `invalid dependency path: ${invalid.map((k) => k.slice(0, 200)).join(', ')}`,
      at === -1 ? undefined : lineAt(text, at),
    );
  }

  const keyFor = (name: string, ref: string) => dependencyKey(name, ref, major);
  // Edges: what each installed package depends on (9 keeps these in `snapshots`).
  const edgeSource = major >= 9 ? snapshots : packages;
  for (const from of Object.keys(edgeSource)) {
    const entry = asRecord(edgeSource[from]);
    for (const list of ['dependencies', 'optionalDependencies'] as const) {
      const deps = asRecord(entry[list]);
      for (const name of Object.keys(deps)) {
        const ref = asString(deps[name]);
        const to = ref === undefined ? undefined : keyFor(name, ref);
        if (to !== undefined) graph.addEdge(from, to);
      }
    }
  }
  // Roots: every importer's lists, or the top level of a single-project 5/6 lockfile.
  const importers = isRecord(doc.importers) ? Object.values(doc.importers).map(asRecord) : [doc];
  for (const importer of importers) {
    for (const [list, group] of ROOT_LISTS) {
      const deps = asRecord(importer[list]);
      for (const name of Object.keys(deps)) {
        const value = deps[name];
        const ref = isRecord(value) ? asString(value.version) : asString(value);
        const to = ref === undefined ? undefined : keyFor(name, ref);
        if (to !== undefined) graph.addRoot(to, group);
      }
    }
  }
  return { format: 'pnpm', version, packages: graph.toPackages({ ecosystem: 'npm', rootsKnown: true }) };
}

const EXPECTED = `lockfileVersion ${listOf(PNPM_LOCK_MAJORS.map((m) => `${m}.x`))}`;

/** pnpm writes `lockfileVersion: 5.4` (a number) or `'9.0'` (a string): `major.minor`, a supported major. */
function pnpmVersionOf(fileName: string, raw: unknown): { version: string; major: number } {
  if (raw === undefined || raw === null)
    throw lockfileError(fileName, `no "lockfileVersion": expected a pnpm lockfile with ${EXPECTED}`);
  const version = typeof raw === 'number' || typeof raw === 'string' ? String(raw) : '';
  const m = /^(\d+)(?:\.\d+)?$/.exec(version);
  const major = m ? Number(m[1]) : NaN;
  if (!PNPM_LOCK_MAJORS.includes(major))
    throw unsupportedVersion(fileName, 'lockfileVersion', raw, listOf(PNPM_LOCK_MAJORS.map((n) => `${n}.x`)));
  return { version, major };
}

const ROOT_LISTS: [string, RootGroup][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['devDependencies', 'dev'],
];

/** `name@1.0.0(peer@1)(other@2)` -> `name@1.0.0`; 5's `_peer@1` suffix is handled in the version. */
function stripPeerSuffix(key: string): string {
  const paren = key.indexOf('(');
  return paren > 0 ? key.slice(0, paren) : key;
}

/** The package key a dependency reference points at, in the lockfile's own key syntax. */
function dependencyKey(name: string, ref: string, major: number): string | undefined {
  if (ref.startsWith('link:')) return undefined; // another importer (workspace), not a package entry
  const bare = stripPeerSuffix(ref);
  if (major >= 9) {
    // An alias (`string-width@4.2.3`) names its target in full; otherwise `name@version`.
    return bare.indexOf('@', 1) > 0 && !bare.includes(':') ? ref : `${name}@${ref}`;
  }
  if (ref.startsWith('/') || bare.includes('/')) return ref; // a full key (alias, git host, tarball path)
  return major >= 6 ? `/${name}@${ref}` : `/${name}/${ref}`;
}

/** undefined: a key that names no package (an invalid dependency path); 'skip': a nameless local package. */
function packageInfo(
  key: string,
  entry: Record<string, unknown>,
  major: number,
): NodeInfo | undefined | 'skip' {
  let name = asString(entry.name);
  let version = typeof entry.version === 'string' ? entry.version : undefined;
  if (name === undefined) {
    if (key.startsWith('file:') || key.startsWith('link:')) return 'skip'; // local packages always carry a name; tolerate one without
    const parsed = parseKey(key, major);
    if (parsed === undefined) return undefined;
    name = parsed.name;
    version ??= parsed.version;
  }
  if (version === undefined || version.includes(':') || version.includes('/')) version = '';
  const info: NodeInfo = { name, version, kind: 'registry' };
  const resolution = asRecord(entry.resolution);
  const tarball = asString(resolution.tarball);
  const commit =
    asString(resolution.commit) ?? (tarball === undefined ? undefined : commitFromSource(tarball));
  if (key.startsWith('file:') || resolution.type === 'directory' || tarball?.startsWith('file:'))
    info.kind = 'file';
  else if (key.startsWith('link:')) info.kind = 'link';
  else if (commit !== undefined || resolution.type === 'git') {
    info.kind = 'git';
    if (commit !== undefined) info.commit = commit;
  } else if (tarball !== undefined) info.kind = 'tarball';
  if (major < 9) {
    const groups: DepGroup[] = [];
    if (entry.dev === true) groups.push('dev');
    if (entry.optional === true) groups.push('optional');
    info.groups = groups;
  }
  return info;
}

/** Name and version from a registry package key of any lockfile version. */
function parseKey(key: string, major: number): { name: string; version: string } | undefined {
  if (major < 6 && key.startsWith('/')) {
    const parts = key.slice(1).split('/');
    const scoped = parts[0]?.startsWith('@') === true;
    const name = scoped ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? '');
    const rawVersion = parts[scoped ? 2 : 1];
    if (name === '' || rawVersion === undefined || rawVersion === '') return undefined;
    const underscore = rawVersion.indexOf('_');
    return { name, version: underscore === -1 ? rawVersion : rawVersion.slice(0, underscore) };
  }
  const bare = stripPeerSuffix(key.startsWith('/') ? key.slice(1) : key);
  const { name, rest } = splitNameAt(bare);
  if (name === '' || rest === '') return undefined;
  return { name, version: rest };
}
