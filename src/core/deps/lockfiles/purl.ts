import type { Ecosystem } from './types.js';

/**
 * Package URLs (https://github.com/package-url/purl-spec): `pkg:npm/%40scope/name@1.2.3`,
 * `pkg:cargo/name@1.2.3`. Each segment is percent-encoded, so `@` in a scope and `+` in build
 * metadata are escaped; a package without a version gets no `@`.
 */
export function purlFor(ecosystem: Ecosystem, name: string, version: string): string {
  const type = ecosystem === 'npm' ? 'npm' : 'cargo';
  const path = SAFE.test(name) ? name : name.split('/').map(encodeURIComponent).join('/');
  if (version === '') return `pkg:${type}/${path}`;
  return `pkg:${type}/${path}@${SAFE.test(version) ? version : encodeURIComponent(version)}`;
}

/** Names and versions made only of these need no encoding (the common case, tested cheaply). */
const SAFE = /^[A-Za-z0-9._~-]*$/;
