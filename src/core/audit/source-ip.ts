/**
 * Normalising a client address for the audit log: one address, one spelling, so that filters and
 * counts by IP are exact.
 * - IPv4 stays dotted decimal (node's isIP already refuses leading zeros and out-of-range octets).
 * - IPv4-mapped IPv6 (`::ffff:1.2.3.4`, `::ffff:0102:0304`, any case) becomes the IPv4 address.
 * - Other IPv6 becomes the RFC 5952 form: lower case, leading zeros dropped, the longest run of two
 *   or more zero groups (the first, on a tie) written `::`.
 * - A zone id (`fe80::1%eth0`) is dropped, as every address reader in Bulwark drops it (src/core/net/
 *   ip-parse.ts): a zone names an interface of the host that logged it, not the client.
 * Anything else isIP refuses yields null.
 */
import { isIP } from 'node:net';

/** The normalised address, or null when `raw` is not an IPv4 or IPv6 address. */
export function normalizeIp(raw: string): string | null {
  const s = raw.trim();
  const family = isIP(s);
  if (family === 4) return s;
  if (family !== 6) return null;
  const zone = s.indexOf('%');
  const groups = ipv6Groups(zone === -1 ? s : s.slice(0, zone));
  if (groups === null) return null;
  // ::ffff:a.b.c.d — IPv4-mapped
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    const hi = groups[6] as number;
    const lo = groups[7] as number;
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return formatIpv6(groups);
}

/** The eight 16-bit groups of a valid IPv6 text (embedded dotted IPv4 tail allowed). */
function ipv6Groups(s: string): number[] | null {
  let text = s.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // Rewrite a dotted IPv4 tail as its two hex groups, then parse as plain IPv6.
    if (isIP(maybeV4) !== 4) return null;
    const o = maybeV4.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const dbl = text.indexOf('::');
  let groups: number[];
  if (dbl >= 0) {
    const head = parse(text.slice(0, dbl));
    const rest = parse(text.slice(dbl + 2));
    const fill = 8 - head.length - rest.length;
    if (fill < 0) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    groups = parse(text);
  }
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  return groups;
}

function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
