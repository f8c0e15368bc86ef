/**
 * IP address normalisation and the key a client is limited under.
 *
 * `parseIp` gives one canonical text per address so that the same client never gets two keys:
 * IPv4-mapped IPv6 becomes IPv4, IPv6 is RFC 5952 text (lowercase, compressed), a zone id is
 * dropped (see ip-parse.ts for why), and anything else is refused with `null`.
 *
 * `ipKey` groups IPv6 clients by network prefix (default /64): one subscriber usually gets a whole
 * /64 (RFC 6177 recommends /48–/64 per site), so limiting single IPv6 addresses lets one host rotate
 * through 2^64 keys. CrowdSec's ipv6_to_range post-overflow makes the same choice.
 */
import { validationError } from '../errors.js';
import { formatV4, formatV6, maskV6, parseAddress, v4Mask, v4Value, v6Groups } from './ip-parse.js';

export { parseCidr, CidrSet, type Cidr } from './cidr.js';
export { clientIpFrom, type ForwardedHeaders, type ClientIpOptions } from './client-ip.js';
export { parseForwardedFor, parseXForwardedFor, nodeIp } from './forwarded.js';

/** Canonical text of an IP address, or null when `s` is not one. */
export function parseIp(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  const kind = parseAddress(s);
  if (kind === 4) return s.indexOf(':') === -1 ? s : formatV4(v4Value); // strict dotted quad is already canonical
  if (kind === 6) return formatV6(v6Groups);
  return null;
}

/** IP version of a canonical or raw address: 4, 6, or 0 when it is not an address (mapped IPv6 counts as 4). */
export function ipVersion(s: string): 0 | 4 | 6 {
  return parseAddress(s);
}

export interface IpKeyOptions {
  /** IPv6 prefix length clients are grouped by (0–128, default 64; 128 keys single addresses). */
  ipv6Prefix?: number;
  /** IPv4 prefix length (0–32, default 32: one key per address, since IPv4 hosts rarely own a range). */
  ipv4Prefix?: number;
}

function checkPrefix(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw validationError(name, `must be an integer from 0 to ${max}`);
  }
}

/**
 * The key a client address is limited under: IPv4 unchanged (or its network at `ipv4Prefix`),
 * IPv6 as its network at `ipv6Prefix`, e.g. `2001:db8:1:2::/64`. Null when `ip` is not an address.
 * A full-length prefix gives the bare address, without `/32` or `/128`.
 */
export function ipKey(ip: string, options?: IpKeyOptions): string | null {
  const v6Prefix = options?.ipv6Prefix ?? 64;
  const v4Prefix = options?.ipv4Prefix ?? 32;
  if (v6Prefix !== 64) checkPrefix('ipv6Prefix', v6Prefix, 128);
  if (v4Prefix !== 32) checkPrefix('ipv4Prefix', v4Prefix, 32);
  return ipKeyUnchecked(ip, v6Prefix, v4Prefix);
}

/** `ipKey` with prefixes already validated (a compiled policy): no options object on the hot path. */
export function ipKeyUnchecked(ip: string, v6Prefix: number, v4Prefix: number): string | null {
  const kind = parseAddress(ip);
  if (kind === 4) {
    if (v4Prefix === 32) return ip.indexOf(':') === -1 ? ip : formatV4(v4Value);
    return `${formatV4((v4Value & v4Mask(v4Prefix)) >>> 0)}/${v4Prefix}`;
  }
  if (kind === 6) {
    if (v6Prefix === 128) return formatV6(v6Groups);
    maskV6(v6Groups, v6Prefix);
    return `${formatV6(v6Groups)}/${v6Prefix}`;
  }
  return null;
}
