/**
 * Package URLs (https://github.com/package-url/purl-spec) for the ecosystems we scan, used when
 * a scanned package did not come with one. npm scopes are the purl namespace, with the `@`
 * percent-encoded (`pkg:npm/%40babel/core@7.0.0`); crates are `pkg:cargo/<name>@<version>`.
 */
import type { Ecosystem } from '../versions/ecosystem.js';

// purl segments are percent-encoded except for unreserved characters; encodeURIComponent leaves
// only A-Z a-z 0-9 - _ . ! ~ * ' ( ) alone, a safe superset of what the spec requires.
const seg = (s: string): string => encodeURIComponent(s);

export function purlOf(ecosystem: Ecosystem, name: string, version: string): string {
  if (ecosystem === 'crates.io') return `pkg:cargo/${seg(name)}@${seg(version)}`;
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const path = slash > 0 ? `${seg(name.slice(0, slash))}/${seg(name.slice(slash + 1))}` : seg(name);
  return `pkg:npm/${path}@${seg(version)}`;
}
