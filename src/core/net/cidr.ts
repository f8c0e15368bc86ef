/**
 * CIDR ranges and fast membership for allow-lists, deny-lists and trusted proxies.
 *
 * Why not node:net BlockList: its `check()` crosses into C++ and scans every rule linearly, and it
 * keeps IPv4 and IPv4-mapped IPv6 apart. Here the ranges are merged into sorted, disjoint
 * intervals once, and a lookup is a binary search over plain numbers (IPv4) or four 32-bit words
 * (IPv6): O(log n), no allocation after the address is parsed.
 */
import { validationError } from '../errors.js';
import { formatV4, formatV6, maskV6, parseAddress, v4Mask, v4Value, v6Groups } from './ip-parse.js';

export interface Cidr {
  version: 4 | 6;
  prefix: number;
  /** Canonical network address (host bits cleared). */
  network: string;
  /** Canonical `network/prefix`. */
  text: string;
}

/**
 * Parses `addr/prefix` (or a bare address, meaning /32 or /128). Host bits are cleared rather than
 * refused ("10.1.2.3/8" is 10.0.0.0/8), as nginx's set_real_ip_from and most firewalls read it.
 * An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) becomes the IPv4 range. Null for anything else.
 */
export function parseCidr(s: unknown): Cidr | null {
  if (typeof s !== 'string') return null;
  const slash = s.indexOf('/');
  const addr = slash === -1 ? s : s.slice(0, slash);
  const kind = parseAddress(addr);
  if (kind === 0) return null;
  const mapped = kind === 4 && addr.indexOf(':') !== -1;
  const max = kind === 4 && !mapped ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const p = s.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  if (mapped) {
    if (prefix < 96) return null; // a mapped range wider than ::ffff:0:0/96 is not an IPv4 range
    prefix -= 96;
  }
  if (kind === 4) {
    const network = formatV4((v4Value & v4Mask(prefix)) >>> 0);
    return { version: 4, prefix, network, text: `${network}/${prefix}` };
  }
  maskV6(v6Groups, prefix);
  const network = formatV6(v6Groups);
  return { version: 6, prefix, network, text: `${network}/${prefix}` };
}

const V6_BITS = 128n;
const V6_ALL = (1n << V6_BITS) - 1n;

function groupsToBigint(g: Uint16Array): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 16n) | BigInt(g[i]!);
  return v;
}

/** Sorts intervals by start and merges overlapping or adjacent ones (bigint: construction only, not the hot path). */
function mergeIntervals(list: Array<[bigint, bigint]>): Array<[bigint, bigint]> {
  list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [start, end] of list) {
    const last = out[out.length - 1];
    if (last && start <= last[1] + 1n) {
      if (end > last[1]) last[1] = end;
    } else {
      out.push([start, end]);
    }
  }
  return out;
}

/** A set of CIDR ranges with O(log n) membership tests for IPv4 and IPv6 addresses. */
export class CidrSet {
  /** Canonical text of the ranges as given (deduplicated), for display and config round-trips. */
  readonly ranges: readonly string[];
  private readonly v4Starts: Float64Array;
  private readonly v4Ends: Float64Array;
  /** IPv6 interval bounds, four big-endian 32-bit words each. */
  private readonly v6Starts: Uint32Array;
  private readonly v6Ends: Uint32Array;
  private readonly v6Count: number;

  /**
   * @param cidrs ranges such as "10.0.0.0/8", "2001:db8::/32", "192.0.2.7"
   * @param field the config field named in the validation error for a bad entry
   * @throws BulwarkError validation_failed naming `field[index]`
   */
  constructor(cidrs: Iterable<string> = [], field = 'cidrs') {
    const v4: Array<[bigint, bigint]> = [];
    const v6: Array<[bigint, bigint]> = [];
    const texts = new Set<string>();
    let index = 0;
    for (const raw of cidrs) {
      const cidr = parseCidr(typeof raw === 'string' ? raw.trim() : raw);
      if (!cidr)
        throw validationError(
          `${field}[${index}]`,
          `not an IP address or CIDR range: ${JSON.stringify(String(raw)).slice(0, 80)}`,
        );
      texts.add(cidr.text);
      if (cidr.version === 4) {
        parseAddress(cidr.network);
        const start = BigInt(v4Value);
        v4.push([start, start + (1n << BigInt(32 - cidr.prefix)) - 1n]);
      } else {
        parseAddress(cidr.network);
        const start = groupsToBigint(v6Groups);
        v6.push([start, start | (V6_ALL >> BigInt(cidr.prefix))]);
      }
      index++;
    }
    this.ranges = [...texts];
    const m4 = mergeIntervals(v4);
    this.v4Starts = Float64Array.from(m4, (r) => Number(r[0]));
    this.v4Ends = Float64Array.from(m4, (r) => Number(r[1]));
    const m6 = mergeIntervals(v6);
    this.v6Count = m6.length;
    this.v6Starts = new Uint32Array(m6.length * 4);
    this.v6Ends = new Uint32Array(m6.length * 4);
    m6.forEach(([s, e], i) => {
      for (let w = 0; w < 4; w++) {
        const shift = BigInt(96 - 32 * w);
        this.v6Starts[i * 4 + w] = Number((s >> shift) & 0xffffffffn);
        this.v6Ends[i * 4 + w] = Number((e >> shift) & 0xffffffffn);
      }
    });
  }

  get size(): number {
    return this.ranges.length;
  }

  /** True when `ip` (any accepted text form) lies in one of the ranges; false for non-addresses. */
  has(ip: string): boolean {
    const kind = parseAddress(ip);
    if (kind === 4) return this.hasV4(v4Value);
    if (kind === 6) return this.hasV6Scratch();
    return false;
  }

  private hasV4(v: number): boolean {
    const starts = this.v4Starts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= v) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found !== -1 && v <= this.v4Ends[found]!;
  }

  /** Membership of the address in `v6Groups` (set by the last parse). */
  private hasV6Scratch(): boolean {
    if (this.v6Count === 0) return false;
    const g = v6Groups;
    const w0 = ((g[0]! << 16) | g[1]!) >>> 0;
    const w1 = ((g[2]! << 16) | g[3]!) >>> 0;
    const w2 = ((g[4]! << 16) | g[5]!) >>> 0;
    const w3 = ((g[6]! << 16) | g[7]!) >>> 0;
    const starts = this.v6Starts;
    let lo = 0;
    let hi = this.v6Count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(starts, mid * 4, w0, w1, w2, w3) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found !== -1 && compareWords(this.v6Ends, found * 4, w0, w1, w2, w3) >= 0;
  }
}

/** Sign of (words[at..at+3] − (w0, w1, w2, w3)), compared as a 128-bit unsigned number. */
function compareWords(
  words: Uint32Array,
  at: number,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): number {
  let d = words[at]! - w0;
  if (d !== 0) return d;
  d = words[at + 1]! - w1;
  if (d !== 0) return d;
  d = words[at + 2]! - w2;
  if (d !== 0) return d;
  return words[at + 3]! - w3;
}
