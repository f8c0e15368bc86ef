import { describe, expect, it } from 'vitest';
import { CidrSet } from '../../../src/core/net/cidr.js';
import { clientIpFrom } from '../../../src/core/net/client-ip.js';
import { nodeIp, parseForwardedFor, parseXForwardedFor } from '../../../src/core/net/forwarded.js';

const proxies = new CidrSet(['10.0.0.0/8', '2001:db8:ffff::/48']);

describe('clientIpFrom with X-Forwarded-For', () => {
  it('ignores a spoofed header from an untrusted peer', () => {
    expect(clientIpFrom({ peerIp: '203.0.113.9', xForwardedFor: '1.1.1.1' }, proxies)).toBe('203.0.113.9');
    expect(clientIpFrom({ peerIp: '203.0.113.9', xForwardedFor: '10.0.0.1' }, proxies)).toBe('203.0.113.9');
    expect(
      clientIpFrom({ peerIp: '::ffff:203.0.113.9', forwarded: 'for=1.1.1.1' }, proxies, {
        header: 'forwarded',
      }),
    ).toBe('203.0.113.9');
  });

  it('ignores headers entirely when no proxy is trusted', () => {
    expect(clientIpFrom({ peerIp: '10.0.0.2', xForwardedFor: '198.51.100.7' }, new CidrSet())).toBe(
      '10.0.0.2',
    );
  });

  it('walks right to left past trusted proxies and stops at the first untrusted hop', () => {
    // The client prepended "6.6.6.6" itself; 198.51.100.7 is what our edge proxy saw.
    const h = { peerIp: '10.0.0.2', xForwardedFor: '6.6.6.6, 198.51.100.7, 10.0.0.5' };
    expect(clientIpFrom(h, proxies)).toBe('198.51.100.7');
    // Several header lines are one list, in order.
    expect(
      clientIpFrom({ peerIp: '10.0.0.2', xForwardedFor: ['6.6.6.6', '198.51.100.7, 10.0.0.5'] }, proxies),
    ).toBe('198.51.100.7');
  });

  it('takes the leftmost hop when every hop is a trusted proxy', () => {
    expect(clientIpFrom({ peerIp: '10.0.0.2', xForwardedFor: '10.9.9.9, 10.0.0.5' }, proxies)).toBe(
      '10.9.9.9',
    );
  });

  it('stops at a hop a trusted proxy could not name, and answers with that proxy', () => {
    expect(clientIpFrom({ peerIp: '10.0.0.2', xForwardedFor: '6.6.6.6, garbage, 10.0.0.5' }, proxies)).toBe(
      '10.0.0.5',
    );
    expect(clientIpFrom({ peerIp: '10.0.0.2', xForwardedFor: 'unknown' }, proxies)).toBe('10.0.0.2');
  });

  it('normalises hops: ports, brackets, mapped addresses, whitespace, empty elements', () => {
    expect(clientIpFrom({ peerIp: '10.0.0.2', xForwardedFor: ' 198.51.100.7:51234 ,, ' }, proxies)).toBe(
      '198.51.100.7',
    );
    expect(clientIpFrom({ peerIp: '10.0.0.2', xForwardedFor: '[2001:DB8::1]:443' }, proxies)).toBe(
      '2001:db8::1',
    );
    expect(clientIpFrom({ peerIp: '::ffff:10.0.0.2', xForwardedFor: '::ffff:198.51.100.7' }, proxies)).toBe(
      '198.51.100.7',
    );
    expect(clientIpFrom({ peerIp: '2001:db8:ffff::1', xForwardedFor: '2001:db8:1::9' }, proxies)).toBe(
      '2001:db8:1::9',
    );
  });

  it('returns the peer when no header is present, and null when the peer is not an address', () => {
    expect(clientIpFrom({ peerIp: '10.0.0.2' }, proxies)).toBe('10.0.0.2');
    expect(clientIpFrom({ peerIp: 'localhost' }, proxies)).toBeNull();
  });

  it('reads only the configured header (a Forwarded header through an XFF proxy is ignored)', () => {
    const h = { peerIp: '10.0.0.2', xForwardedFor: '198.51.100.7', forwarded: 'for=6.6.6.6' };
    expect(clientIpFrom(h, proxies)).toBe('198.51.100.7');
    expect(clientIpFrom(h, proxies, { header: 'forwarded' })).toBe('6.6.6.6');
  });
});

describe('RFC 7239 Forwarded', () => {
  it('parses the examples of RFC 7239 section 4 and 7.4', () => {
    expect(parseForwardedFor('for="_gazonk"')).toEqual([null]);
    expect(parseForwardedFor('For="[2001:db8:cafe::17]:4711"')).toEqual(['2001:db8:cafe::17']);
    expect(parseForwardedFor('for=192.0.2.60;proto=http;by=203.0.113.43')).toEqual(['192.0.2.60']);
    expect(parseForwardedFor('for=192.0.2.43, for=198.51.100.17')).toEqual(['192.0.2.43', '198.51.100.17']);
    expect(parseForwardedFor('for=192.0.2.43,for="[2001:db8:cafe::17]",for=unknown')).toEqual([
      '192.0.2.43',
      '2001:db8:cafe::17',
      null,
    ]);
  });

  it('handles quoting, escapes, case, separators inside quotes and broken elements', () => {
    expect(parseForwardedFor('proto=https;FOR="192.0.2.1:8080";host="a,b;c"')).toEqual(['192.0.2.1']);
    expect(parseForwardedFor('for="\\[2001:db8::1\\]"')).toEqual(['2001:db8::1']);
    expect(parseForwardedFor('by=10.0.0.1')).toEqual([null]); // no for=
    expect(parseForwardedFor('for=1.2.3.4;for=5.6.7.8')).toEqual([null]); // repeated parameter
    expect(parseForwardedFor('for=1.2.3.4, for="5.6.7.8')).toEqual(['1.2.3.4', null]); // unterminated quote
    expect(parseForwardedFor('for="[2001:db8::1]:_port"')).toEqual(['2001:db8::1']); // obfuscated port
    expect(parseForwardedFor(['for=1.2.3.4', 'for=5.6.7.8'])).toEqual(['1.2.3.4', '5.6.7.8']);
    expect(parseForwardedFor('')).toEqual([]);
  });

  it('walks a Forwarded chain like an XFF chain', () => {
    const forwarded = 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https, for=10.1.1.1;by=10.0.0.2';
    expect(clientIpFrom({ peerIp: '10.0.0.2', forwarded }, proxies, { header: 'forwarded' })).toBe(
      '2001:db8:cafe::17',
    );
    // A trusted proxy that hides its client stops the walk at that proxy.
    expect(
      clientIpFrom({ peerIp: '10.0.0.2', forwarded: 'for=6.6.6.6, for=_hidden' }, proxies, {
        header: 'forwarded',
      }),
    ).toBe('10.0.0.2');
  });

  it('reads node identifiers the way proxies write them', () => {
    expect(nodeIp('192.0.2.1:80')).toBe('192.0.2.1');
    expect(nodeIp('[::1]')).toBe('::1');
    expect(nodeIp('[::1]x')).toBeNull();
    expect(nodeIp('[192.0.2.1]')).toBeNull(); // brackets are for IPv6
    expect(nodeIp('2001:db8::1')).toBe('2001:db8::1');
    expect(nodeIp('unknown')).toBeNull();
    expect(nodeIp('_secret')).toBeNull();
    expect(parseXForwardedFor('1.2.3.4, , 5.6.7.8')).toEqual(['1.2.3.4', '5.6.7.8']);
  });
});
