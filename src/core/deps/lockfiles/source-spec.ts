import type { PackageKind } from './types.js';

/**
 * Reading npm-style dependency specifiers and resolved URLs: which kind of source they name, the
 * git commit they pin, and the real name behind an alias. Plain string scans, no backtracking
 * regular expressions: these run once per package on untrusted input.
 */

const HEX = /^[0-9a-f]+$/i;

function isHex(s: string, min: number): boolean {
  return s.length >= min && s.length <= 64 && HEX.test(s);
}

/** True when a URL (before its fragment) is a registry tarball, whose `#...` fragment is a checksum, not a commit. */
function isTarballUrl(base: string): boolean {
  return base.endsWith('.tgz') || base.endsWith('.tar.gz') || base.includes('/-/');
}

/**
 * The commit a git source pins, if any: `...#<sha>`, `...#commit=<sha>` (yarn berry),
 * `codeload.github.com/o/r/tar.gz/<sha>`, gitlab `archive.tar.gz?ref=<sha>`, bun's `github:o/r#abc1234`.
 */
export function commitFromSource(source: string): string | undefined {
  const hash = source.lastIndexOf('#');
  if (hash !== -1) {
    const base = source.slice(0, hash);
    let frag = source.slice(hash + 1);
    if (frag.startsWith('commit=')) frag = frag.slice(7);
    const amp = frag.indexOf('&');
    if (amp !== -1) frag = frag.slice(0, amp);
    if (isHex(frag, 7) && !isTarballUrl(base)) return frag.toLowerCase();
  }
  const codeload = source.indexOf('codeload.github.com/');
  if (codeload !== -1) {
    const tar = source.indexOf('/tar.gz/', codeload);
    if (tar !== -1) {
      const sha = source.slice(tar + 8).split(/[/?#]/, 1)[0] ?? '';
      if (isHex(sha, 7)) return sha.toLowerCase();
    }
  }
  const ref = source.indexOf('?ref=');
  if (ref !== -1 && source.includes('/archive.')) {
    const sha = source.slice(ref + 5).split(/[&#]/, 1)[0] ?? '';
    if (isHex(sha, 7)) return sha.toLowerCase();
  }
  return undefined;
}

/** Does this specifier or resolved URL point at a git repository (rather than a registry or tarball)? */
export function isGitSpec(spec: string): boolean {
  return (
    spec.startsWith('git+') ||
    spec.startsWith('git:') ||
    spec.startsWith('git@') ||
    spec.startsWith('ssh:') ||
    spec.startsWith('github:') ||
    spec.startsWith('gitlab:') ||
    spec.startsWith('bitbucket:') ||
    spec.startsWith('gist:') ||
    spec.includes('codeload.github.com/') ||
    spec.includes('.git#') ||
    spec.endsWith('.git') ||
    // `owner/repo` or `owner/repo#ref` shorthand (never starts with '.', '/', '@' or a protocol)
    isGithubShorthand(spec) ||
    // `https://github.com/o/r#sha` without .git
    (/^https?:\/\//.test(spec) && spec.includes('#') && !isTarballUrl(spec.slice(0, spec.indexOf('#'))))
  );
}

function isGithubShorthand(spec: string): boolean {
  if (spec.includes(':') || spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('@'))
    return false;
  const slash = spec.indexOf('/');
  if (slash <= 0 || spec.indexOf('/', slash + 1) !== -1) return false;
  return !spec.includes(' ');
}

/** The kind of source a non-registry npm specifier or resolved value names; undefined for a registry range. */
export function kindOfSpec(spec: string): PackageKind | undefined {
  if (isPlainRange(spec) || isRegistryTarball(spec)) return undefined;
  if (spec.startsWith('file:')) return 'file';
  if (spec.startsWith('link:') || spec.startsWith('portal:')) return 'link';
  if (spec.startsWith('workspace:')) return 'workspace';
  if (isGitSpec(spec)) return 'git';
  if (spec.startsWith('http://') || spec.startsWith('https://')) return 'tarball';
  return undefined;
}

/** Splits `name@rest` where the name may be scoped (`@scope/name@rest`). No `@` after the name: rest is ''. */
export function splitNameAt(descriptor: string): { name: string; rest: string } {
  const at = descriptor.indexOf('@', 1);
  if (at === -1) return { name: descriptor, rest: '' };
  return { name: descriptor.slice(0, at), rest: descriptor.slice(at + 1) };
}

/**
 * An npm alias `npm:real@1.2.3` (package-lock v1 version, yarn range): the real name and what follows
 * it. Undefined when the value is not an alias with a name.
 */
export function parseNpmAlias(value: string): { name: string; rest: string } | undefined {
  if (!value.startsWith('npm:')) return undefined;
  const target = value.slice(4);
  const { name, rest } = splitNameAt(target);
  if (rest === '' && !target.slice(1).includes('@')) return undefined; // `npm:^1.0.0`: no name, not an alias
  return { name, rest };
}

/** Fast exit for the overwhelmingly common case: a semver range or version (`^1.2.3`, `1.x`, `>=2 <3`, `*`). */
function isPlainRange(spec: string): boolean {
  const c = spec.charCodeAt(0);
  return (
    (c >= 48 && c <= 57) ||
    c === 94 /* ^ */ ||
    c === 126 /* ~ */ ||
    c === 62 ||
    c === 60 ||
    c === 61 ||
    c === 42
  );
}

/** `https://registry.npmjs.org/x/-/x-1.0.0.tgz` and mirrors: a registry download, not a git or ad-hoc tarball source. */
export function isRegistryTarball(url: string): boolean {
  return url.startsWith('https://registry.') && url.includes('/-/');
}
