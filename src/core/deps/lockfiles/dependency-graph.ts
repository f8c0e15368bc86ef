import { purlFor } from './purl.js';
import { MAX_PATHS, type DepGroup, type Ecosystem, type LockPackage, type PackageKind } from './types.js';

/**
 * The format-neutral middle of every parser: the lockfile's installed copies as nodes, "requires"
 * as edges, the project's own dependency lists as roots. From that it derives, in linear time,
 * whether a package is direct, which groups it belongs to, and the shortest chains that bring it in,
 * then folds copies of the same (name, version, commit) into one LockPackage.
 */

export interface NodeInfo {
  name: string;
  version: string;
  kind: PackageKind;
  commit?: string;
  /** Groups the lockfile states for this copy; leave undefined to derive them from the roots. */
  groups?: DepGroup[];
}

/** Which dependency list of a project root an edge comes from. */
export type RootGroup = 'prod' | 'dev' | 'optional' | 'peer';

interface Root {
  node: number;
  group: RootGroup;
}

export interface ToPackagesOptions {
  ecosystem: Ecosystem;
  /** False when the format does not record the project's direct dependencies: `direct` is then null. */
  rootsKnown: boolean;
}

export class DependencyGraph {
  private readonly index = new Map<string, number>();
  private readonly infos: NodeInfo[] = [];
  private readonly edges: number[][] = [];
  private readonly roots: Root[] = [];

  /** Adds a node under `key` (a location, a snapshot key...) and returns its index; a second add of the same key returns the first. */
  addNode(key: string, info: NodeInfo): number {
    const existing = this.index.get(key);
    if (existing !== undefined) return existing;
    const i = this.infos.length;
    this.index.set(key, i);
    this.infos.push(info);
    this.edges.push([]);
    return i;
  }

  /** Index-based variants for parsers that already hold node indices (saves a hash lookup per edge). */
  infoAt(node: number): NodeInfo {
    return this.infos[node]!;
  }

  addEdgeAt(from: number, to: number): void {
    if (from !== to) this.edges[from]!.push(to);
  }

  addRootAt(node: number, group: RootGroup): void {
    this.roots.push({ node, group });
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  info(key: string): NodeInfo | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.infos[i];
  }

  /** An edge between two known nodes; unknown ends are ignored (lockfiles do reference pruned entries). */
  addEdge(fromKey: string, toKey: string): void {
    const from = this.index.get(fromKey);
    const to = this.index.get(toKey);
    if (from !== undefined && to !== undefined && from !== to) this.edges[from]!.push(to);
  }

  /** A dependency of a project root (root package, workspace member, importer, local crate). */
  addRoot(toKey: string, group: RootGroup): void {
    const node = this.index.get(toKey);
    if (node !== undefined) this.roots.push({ node, group });
  }

  toPackages(opts: ToPackagesOptions): LockPackage[] {
    const n = this.infos.length;
    const isDirect = new Uint8Array(n);
    for (const r of this.roots) isDirect[r.node] = 1;

    // Reachability per root list, only when some node's groups are not stated by the lockfile.
    const derive = this.infos.some((info) => info.groups === undefined);
    const none = new Uint8Array(0);
    const prod = derive ? this.reach(['prod', 'peer']) : none;
    const optional = derive ? this.reach(['optional']) : none;
    const dev = derive ? this.reach(['dev']) : none;
    const paths = this.shortestPaths();

    // Copies are folded by (name, version, commit): a map by name, then a short scan (few versions per name).
    const byName = new Map<string, Folded[]>();
    const out: Folded[] = [];
    for (let i = 0; i < n; i++) {
      const info = this.infos[i]!;
      const groups = info.groups ?? derivedGroups(prod[i]!, optional[i]!, dev[i]!);
      let sameName = byName.get(info.name);
      if (sameName === undefined) {
        sameName = [];
        byName.set(info.name, sameName);
      }
      const seen = sameName.find((f) => f.pkg.version === info.version && f.pkg.commit === info.commit);
      if (seen === undefined) {
        const pkg: LockPackage = {
          name: info.name,
          version: info.version,
          ecosystem: opts.ecosystem,
          purl: purlFor(opts.ecosystem, info.name, info.version),
          kind: info.kind,
          lookup: info.kind === 'registry' || info.kind === 'git' || info.kind === 'tarball',
          direct: opts.rootsKnown ? isDirect[i] === 1 : null,
          groups: [],
          paths: paths[i] ?? [],
        };
        if (info.commit !== undefined) pkg.commit = info.commit;
        const folded = { pkg, groups };
        sameName.push(folded);
        out.push(folded);
        continue;
      }
      // Another installed copy of the same package: it is direct if any copy is, and only in the
      // groups that every copy is in (one production copy makes it a production dependency).
      if (opts.rootsKnown && isDirect[i] === 1) seen.pkg.direct = true;
      if (seen.groups.length > 0) seen.groups = seen.groups.filter((g) => groups.includes(g));
      mergePaths(seen.pkg.paths, paths[i]);
    }
    const result: LockPackage[] = [];
    for (const { pkg, groups } of out) {
      pkg.groups = groups.length > 1 ? [...groups].sort() : [...groups];
      result.push(pkg);
    }
    return result;
  }

  /** Nodes reachable from the roots of the given groups (breadth-first, iterative). */
  private reach(groups: RootGroup[]): Uint8Array {
    const seen = new Uint8Array(this.infos.length);
    const queue: number[] = [];
    for (const r of this.roots) {
      if (groups.includes(r.group) && seen[r.node] === 0) {
        seen[r.node] = 1;
        queue.push(r.node);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      for (const to of this.edges[queue[head]!]!) {
        if (seen[to] === 0) {
          seen[to] = 1;
          queue.push(to);
        }
      }
    }
    return seen;
  }

  /**
   * Up to MAX_PATHS shortest root-to-node chains per node. Breadth-first from all roots at once: a
   * node's chains are complete when it is dequeued, since every parent at the minimal depth was
   * dequeued before it.
   */
  private shortestPaths(): (string[][] | undefined)[] {
    const n = this.infos.length;
    const depth = new Int32Array(n).fill(-1);
    const paths: (string[][] | undefined)[] = new Array<string[][] | undefined>(n);
    const queue: number[] = [];
    for (const r of this.roots) {
      if (depth[r.node] !== -1) continue;
      depth[r.node] = 0;
      paths[r.node] = [[this.label(r.node)]];
      queue.push(r.node);
    }
    for (let head = 0; head < queue.length; head++) {
      const from = queue[head]!;
      const fromPaths = paths[from]!;
      for (const to of this.edges[from]!) {
        if (depth[to] === -1) {
          depth[to] = depth[from]! + 1;
          paths[to] = [[...fromPaths[0]!, this.label(to)]];
          queue.push(to);
        } else if (depth[to] === depth[from]! + 1 && paths[to]!.length < MAX_PATHS) {
          paths[to]!.push([...fromPaths[0]!, this.label(to)]);
        }
      }
    }
    return paths;
  }

  private label(i: number): string {
    const info = this.infos[i]!;
    return info.version === '' ? info.name : `${info.name}@${info.version}`;
  }
}

interface Folded {
  pkg: LockPackage;
  groups: DepGroup[];
}

function derivedGroups(prod: number, optional: number, dev: number): DepGroup[] {
  if (prod === 1) return [];
  const groups: DepGroup[] = [];
  if (dev === 1) groups.push('dev');
  if (optional === 1) groups.push('optional');
  return groups;
}

/** Adds chains not already present, keeping the shortest MAX_PATHS (a handful of short arrays: plain compares). */
function mergePaths(into: string[][], more: string[][] | undefined): void {
  if (more === undefined) return;
  for (const p of more) if (!into.some((q) => sameChain(p, q))) into.push(p);
  if (into.length > MAX_PATHS) {
    into.sort((a, b) => a.length - b.length);
    into.length = MAX_PATHS;
  }
}

function sameChain(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
