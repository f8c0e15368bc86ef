/**
 * The client address of a request that may have come through reverse proxies.
 *
 * Rule: a proxy header is evidence only when a trusted proxy wrote it. Starting from the socket
 * peer, walk the header's hops right to left (each hop was appended by the machine we just
 * stepped back from); while the current machine is a trusted proxy, step to the address it
 * reports. The first address that is not a trusted proxy is the client. So:
 * - a peer outside `trustedProxies` is the client, whatever headers it sent (spoofing ignored);
 * - entries a client wrote itself sit left of the first untrusted hop and are never read;
 * - if a trusted proxy reports no usable address (`unknown`, an obfuscated `_id`, garbage, a
 *   Forwarded element without `for=`), the walk stops there and that proxy's own address is the
 *   answer: nothing left of it can be trusted, and limiting the proxy errs on the strict side;
 * - if every hop is trusted, the leftmost one is the client (an internal caller).
 *
 * Only one header is read, the one your proxies write (`header` option, default
 * X-Forwarded-For — what nginx, HAProxy, AWS ALB and Cloudflare send). Reading "whichever is
 * present" would let a client behind an XFF-only proxy choose its own address by sending a
 * Forwarded header the proxy passes through untouched.
 */
import type { CidrSet } from './cidr.js';
import { parseForwardedFor, parseXForwardedFor } from './forwarded.js';
import { formatV4, formatV6, parseAddress, v4Value, v6Groups } from './ip-parse.js';

export interface ForwardedHeaders {
  /** Address of the TCP peer (socket.remoteAddress). */
  peerIp: string;
  /** X-Forwarded-For value(s); several header lines are read in order. */
  xForwardedFor?: string | readonly string[] | undefined;
  /** RFC 7239 Forwarded value(s). */
  forwarded?: string | readonly string[] | undefined;
}

export interface ClientIpOptions {
  /** Which header the trusted proxies write (default 'x-forwarded-for'). */
  header?: 'x-forwarded-for' | 'forwarded';
}

/** Canonical client IP per the rule above, or null when the peer address itself is not an IP. */
export function clientIpFrom(
  input: ForwardedHeaders,
  trustedProxies: CidrSet,
  options?: ClientIpOptions,
): string | null {
  const kind = parseAddress(input.peerIp);
  if (kind === 0) return null;
  const peer = kind === 4 ? formatV4(v4Value) : formatV6(v6Groups);
  if (trustedProxies.size === 0 || !trustedProxies.has(peer)) return peer;

  const useForwarded = options?.header === 'forwarded';
  const raw = useForwarded ? input.forwarded : input.xForwardedFor;
  if (raw === undefined) return peer;
  const hops = useForwarded ? parseForwardedFor(raw) : parseXForwardedFor(raw);

  let current = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (hop === null) return current; // a trusted proxy could not name its client
    current = hop;
    if (!trustedProxies.has(hop)) return hop;
  }
  return current;
}
