/**
 * Low-level, allocation-free IP address parsing shared by `ip.ts`, `cidr.ts` and `client-ip.ts`.
 *
 * The parser writes into module-level scratch state instead of returning objects, because it runs
 * on every request (client IP, allow/deny lookups, bucket keys). Callers must read the scratch
 * (`v4Value`, `v6Groups`) right after a successful `parseAddress` and before the next call.
 *
 * Accepted text:
 * - IPv4: strict dotted quad, four decimal parts 0–255, no leading zeros ("010.0.0.1" is refused:
 *   inet_aton would read it as octal, so two parsers would disagree on which host it names).
 * - IPv6: RFC 4291 text forms (hex groups, one `::`, an embedded dotted quad in the last 32 bits),
 *   any case, optionally followed by a zone id (`%eth0`) which is dropped — a zone only names a
 *   local interface, it is not part of the peer's identity, and keeping it would let one link-local
 *   host appear under many keys.
 * - IPv4-mapped IPv6 (`::ffff:a.b.c.d`, any spelling) is reported as IPv4: a dual-stack socket
 *   reports IPv4 peers that way, and the same client must get the same key either way.
 */

/** Result of the last successful parse: the IPv4 value as an unsigned 32-bit number. */
export let v4Value = 0;
/** Result of the last successful IPv6 parse: eight 16-bit groups. */
export const v6Groups = new Uint16Array(8);

const MAX_TEXT = 64; // longest valid form with a zone is well under this; longer input is garbage

/** Value of a hex digit char code, or -1. */
function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** Parses a strict dotted quad in s[start, end) into an unsigned 32-bit number, or -1. */
export function parseV4Range(s: string, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      // '.'
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** Parses IPv6 text in s[start, end) into `v6Groups`; false when it is not an IPv6 address. */
export function parseV6Range(s: string, start: number, end: number): boolean {
  const zone = s.indexOf('%', start);
  if (zone !== -1 && zone < end) {
    if (zone === end - 1) return false; // '%' with an empty zone id
    end = zone;
  }
  if (end - start < 2) return false;
  const g = v6Groups;
  let n = 0;
  let gap = -1; // index in g where '::' stands
  let i = start;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false; // a single leading ':'
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (n === 8) return false;
    let j = i;
    let v = 0;
    while (j < end && j - i < 5) {
      const d = hexVal(s.charCodeAt(j));
      if (d < 0) break;
      v = v * 16 + d;
      j++;
    }
    if (j === i) return false; // empty group
    if (j < end && s.charCodeAt(j) === 46) {
      // Embedded dotted quad: must be the last 32 bits.
      if (n > 6) return false;
      const v4 = parseV4Range(s, i, end);
      if (v4 < 0) return false;
      g[n++] = v4 >>> 16;
      g[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (j - i > 4) return false;
    g[n++] = v;
    if (j === end) {
      i = j;
      break;
    }
    if (s.charCodeAt(j) !== 58) return false;
    j++;
    if (j < end && s.charCodeAt(j) === 58) {
      if (gap !== -1) return false; // a second '::'
      gap = n;
      j++;
    } else if (j === end) {
      return false; // trailing single ':'
    }
    i = j;
  }
  if (gap === -1) return n === 8;
  if (n === 8) return false; // '::' must stand for at least one group
  const tail = n - gap;
  for (let k = 0; k < tail; k++) g[7 - k] = g[n - 1 - k]!;
  for (let k = gap; k < 8 - tail; k++) g[k] = 0;
  return true;
}

/**
 * Parses an address into the scratch state. Returns 4 (IPv4, including IPv4-mapped IPv6, in
 * `v4Value`), 6 (in `v6Groups`) or 0 (not an address).
 */
export function parseAddress(s: string): 0 | 4 | 6 {
  const len = s.length;
  if (len === 0 || len > MAX_TEXT) return 0;
  if (s.indexOf(':') === -1) {
    const v = parseV4Range(s, 0, len);
    if (v < 0) return 0;
    v4Value = v;
    return 4;
  }
  if (!parseV6Range(s, 0, len)) return 0;
  const g = v6Groups;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    v4Value = ((g[6]! << 16) | g[7]!) >>> 0;
    return 4;
  }
  return 6;
}

/** Dotted-quad text of an unsigned 32-bit value. */
export function formatV4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 text of eight groups: lowercase, no leading zeros, the longest zero run (≥ 2, first on a tie) as `::`. */
export function formatV6(g: ArrayLike<number>): string {
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && g[i] === 0) {
      if (runStart === -1) runStart = i;
    } else if (runStart !== -1) {
      const runLen = i - runStart;
      if (runLen > bestLen) {
        bestStart = runStart;
        bestLen = runLen;
      }
      runStart = -1;
    }
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += g[i]!.toString(16);
  }
  return out;
}

/** Zeroes every bit of `g` past the first `prefix` bits (in place). */
export function maskV6(g: Uint16Array, prefix: number): void {
  for (let i = 0; i < 8; i++) {
    const bitsKept = prefix - i * 16;
    if (bitsKept >= 16) continue;
    g[i] = bitsKept <= 0 ? 0 : g[i]! & ((0xffff << (16 - bitsKept)) & 0xffff);
  }
}

/** IPv4 network mask for a prefix length, as an unsigned 32-bit number. */
export function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
