import { DependencyGraph, type NodeInfo } from './dependency-graph.js';
import { shownValue, YARN_BERRY_MAX_VERSION } from './format-versions.js';
import { lockfileError } from './lockfile-error.js';
import { commitFromSource, isGitSpec, kindOfSpec, parseNpmAlias, splitNameAt } from './source-spec.js';
import type { ParsedLockfile } from './types.js';
import { lexYarnLock, type YarnEntry } from './yarn-lock-lexer.js';

/**
 * `yarn.lock`, v1 and berry (yarn 2+, recognised by its `__metadata` entry).
 *
 * Neither records dev/optional groups (that is in package.json), so `groups` stays empty. Berry lists
 * each workspace (the root is `name@workspace:.`) with its dependencies, which gives direct
 * dependencies and paths; v1 has no root entry, so `direct` is null there.
 */
export function parseYarnLock(fileName: string, text: string): ParsedLockfile {
  const entries = lexYarnLock(fileName, text);
  const metadata = entries.find((e) => e.descriptors[0] === '__metadata');
  const berry = metadata !== undefined;
  const version = berry ? berryVersionOf(fileName, metadata) : v1MarkerOf(fileName, text);
  const graph = new DependencyGraph();
  const byDescriptor = new Map<string, string>();
  const workspaceKeys = new Set<string>();

  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry === metadata) continue;
    const key = String(i);
    assertScalarFields(fileName, entry);
    for (const d of entry.descriptors) byDescriptor.set(d, key);
    const info = berry ? berryInfo(fileName, entry) : v1Info(entry);
    if (info === 'root') {
      workspaceKeys.add(key);
      continue;
    }
    if (info.kind === 'workspace') workspaceKeys.add(key);
    graph.addNode(key, info);
  }

  const resolve = (depName: string, range: string): string | undefined =>
    byDescriptor.get(`${depName}@${range}`) ??
    (berry ? byDescriptor.get(`${depName}@npm:${range}`) : undefined);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry === metadata) continue;
    const from = String(i);
    const isWorkspace = workspaceKeys.has(from);
    for (const list of ['dependencies', 'optionalDependencies'] as const) {
      const deps = entry.sections.get(list);
      if (deps === undefined) continue;
      for (const [depName, range] of deps) {
        const to = resolve(depName, range);
        if (to === undefined) continue;
        if (isWorkspace) graph.addRoot(to, list === 'optionalDependencies' ? 'optional' : 'prod');
        else graph.addEdge(from, to);
      }
    }
  }
  return { format: 'yarn', version, packages: graph.toPackages({ ecosystem: 'npm', rootsKnown: berry }) };
}

const V1_MARKER = '# yarn lockfile v1';

/** yarn 1 writes `# yarn lockfile v1` among the comment lines it starts every lockfile with. */
function v1MarkerOf(fileName: string, text: string): string {
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, end).trim();
    if (line === V1_MARKER) return '1';
    if (line !== '' && !line.startsWith('#')) break; // the first entry: the header is over
    pos = end + 1;
  }
  throw lockfileError(
    fileName,
    `no "${V1_MARKER}" line and no __metadata entry: expected a yarn.lock written by yarn 1 or yarn 2+`,
  );
}

/** berry: `__metadata.version`, an integer up to the newest this parser knows. */
function berryVersionOf(fileName: string, metadata: YarnEntry): string {
  const raw = metadata.fields.get('version');
  if (raw === undefined)
    throw lockfileError(fileName, '__metadata has no "version": expected a yarn 2+ lockfile', metadata.line);
  const v = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(v >= 1 && v <= YARN_BERRY_MAX_VERSION))
    throw lockfileError(
      fileName,
      `unsupported __metadata version ${shownValue(raw)}: expected 1 to ${YARN_BERRY_MAX_VERSION}`,
      metadata.line,
    );
  return `berry-${v}`;
}

/**
 * `version`, `resolved` and `resolution` are single values; written as a section (`version:` with
 * indented lines under it) the entry would read as versionless, so it is refused, naming the field.
 */
function assertScalarFields(fileName: string, entry: YarnEntry): void {
  for (const field of ['version', 'resolved', 'resolution']) {
    if (entry.sections.has(field))
      throw lockfileError(
        fileName,
        `package ${entry.descriptors[0]!.slice(0, 200)}: field "${field}" is a section, not a string`,
        entry.line,
      );
  }
}

/** v1: name from the first descriptor (through an `npm:` alias), kind from the ranges and `resolved`. */
function v1Info(entry: YarnEntry): NodeInfo {
  const first = splitNameAt(entry.descriptors[0]!);
  let name = first.name;
  const alias = parseNpmAlias(first.rest);
  if (alias !== undefined) name = alias.name;
  const resolved = entry.fields.get('resolved') ?? '';
  const info: NodeInfo = { name, version: entry.fields.get('version') ?? '', kind: 'registry', groups: [] };
  let rangeKind: NodeInfo['kind'] | undefined;
  for (const d of entry.descriptors) {
    const k = kindOfSpec(splitNameAt(d).rest);
    if (k !== undefined) {
      rangeKind = k;
      break;
    }
  }
  if (rangeKind === 'file' || rangeKind === 'link' || rangeKind === 'workspace') {
    info.kind = rangeKind;
    return info;
  }
  const commit = resolved === '' ? undefined : commitFromSource(resolved);
  if (commit !== undefined || rangeKind === 'git' || (resolved !== '' && isGitSpec(resolved))) {
    info.kind = 'git';
    if (commit !== undefined) info.commit = commit;
  } else if (rangeKind === 'tarball') {
    info.kind = 'tarball';
  }
  return info;
}

/** berry: name and source from `resolution` (`name@npm:1.2.3`, `name@workspace:path`, `name@https://...#commit=`). */
function berryInfo(fileName: string, entry: YarnEntry): NodeInfo | 'root' {
  const resolution = entry.fields.get('resolution') ?? entry.descriptors[0]!;
  const { name, rest } = splitNameAt(resolution);
  if (name === '') throw lockfileError(fileName, 'entry without a package name', entry.line);
  const info: NodeInfo = { name, version: entry.fields.get('version') ?? '', kind: 'registry', groups: [] };
  if (rest.startsWith('workspace:')) {
    if (rest === 'workspace:.') return 'root';
    info.kind = 'workspace';
  } else if (rest.startsWith('npm:') || rest.startsWith('patch:')) {
    info.kind = 'registry';
  } else {
    const kind = kindOfSpec(rest);
    if (kind === 'workspace' || kind === 'file' || kind === 'link') info.kind = kind;
    else {
      const commit = commitFromSource(rest);
      if (commit !== undefined || kind === 'git') {
        info.kind = 'git';
        if (commit !== undefined) info.commit = commit;
      } else if (kind === 'tarball') info.kind = 'tarball';
      else if (rest.startsWith('exec:')) info.kind = 'file';
    }
  }
  return info;
}
