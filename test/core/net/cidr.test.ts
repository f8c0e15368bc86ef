import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CidrSet, parseCidr } from '../../../src/core/net/cidr.js';
import { isBulwarkError } from '../../../src/core/errors.js';

describe('parseCidr', () => {
  it('parses IPv4, IPv6 and bare addresses into canonical networks', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({
      version: 4,
      prefix: 8,
      network: '10.0.0.0',
      text: '10.0.0.0/8',
    });
    expect(parseCidr('192.0.2.7')).toEqual({
      version: 4,
      prefix: 32,
      network: '192.0.2.7',
      text: '192.0.2.7/32',
    });
    expect(parseCidr('2001:DB8::/32')?.text).toBe('2001:db8::/32');
    expect(parseCidr('::1')?.text).toBe('::1/128');
    expect(parseCidr('::/0')?.text).toBe('::/0');
  });

  it('clears host bits and maps ::ffff:0:0/96 ranges to IPv4', () => {
    expect(parseCidr('10.1.2.3/8')?.text).toBe('10.0.0.0/8');
    expect(parseCidr('2001:db8:1:2:3::/64')?.text).toBe('2001:db8:1:2::/64');
    expect(parseCidr('::ffff:10.0.0.0/104')?.text).toBe('10.0.0.0/8');
    expect(parseCidr('::ffff:10.0.0.0/64')).toBeNull();
  });

  it('refuses garbage', () => {
    for (const bad of [
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0.0/',
      '10.0.0.0/08',
      '10.0.0.0/-1',
      '10.0.0.0/8/8',
      'x/8',
      '',
      '/8',
      '10.0.0.0/ 8',
    ]) {
      expect(parseCidr(bad), bad).toBeNull();
    }
    expect(parseCidr(undefined)).toBeNull();
  });
});

describe('CidrSet', () => {
  it('answers membership at the edges of IPv4 and IPv6 ranges', () => {
    const set = new CidrSet(['10.0.0.0/8', '192.168.1.0/24', '2001:db8::/32', '::1', '0.0.0.0/32']);
    expect(set.has('10.0.0.0')).toBe(true);
    expect(set.has('10.255.255.255')).toBe(true);
    expect(set.has('9.255.255.255')).toBe(false);
    expect(set.has('11.0.0.0')).toBe(false);
    expect(set.has('192.168.1.255')).toBe(true);
    expect(set.has('192.168.2.0')).toBe(false);
    expect(set.has('0.0.0.0')).toBe(true);
    expect(set.has('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(set.has('2001:db9::')).toBe(false);
    expect(set.has('2001:db7:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(false);
    expect(set.has('::1')).toBe(true);
    expect(set.has('::2')).toBe(false);
    expect(set.has('::ffff:10.20.30.40')).toBe(true); // mapped form of a member
    expect(set.has('garbage')).toBe(false);
    expect(new CidrSet([]).has('10.0.0.1')).toBe(false);
  });

  it('matches everything with /0 and merges overlapping ranges', () => {
    const all = new CidrSet(['0.0.0.0/0', '::/0']);
    expect(all.has('255.255.255.255')).toBe(true);
    expect(all.has('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    const overlapping = new CidrSet(['10.0.0.0/8', '10.1.0.0/16', '10.0.0.0/8', '11.0.0.0/8']);
    expect(overlapping.ranges).toEqual(['10.0.0.0/8', '10.1.0.0/16', '11.0.0.0/8']);
    expect(overlapping.has('11.255.0.1')).toBe(true);
    expect(overlapping.has('12.0.0.0')).toBe(false);
  });

  it('names the bad entry in its validation error', () => {
    try {
      new CidrSet(['10.0.0.0/8', 'not-a-range'], 'trustedProxies');
      expect.unreachable();
    } catch (e) {
      expect(isBulwarkError(e) && e.code).toBe('validation_failed');
      expect(isBulwarkError(e) && e.field).toBe('trustedProxies[1]');
    }
  });

  it('agrees with node:net BlockList on 20,000 random lookups against 300 random ranges', () => {
    let seed = 0x9e3779b9;
    const rnd = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const v4 = (): string => `${rnd() & 255}.${rnd() & 255}.${rnd() & 255}.${rnd() & 255}`;
    // Few distinct high groups so that random IPv6 addresses actually land in ranges.
    const v6 = (): string =>
      `2001:db8:${(rnd() & 3).toString(16)}:${(rnd() & 0xffff).toString(16)}::${(rnd() & 0xffff).toString(16)}`;
    const block = new BlockList();
    const cidrs: string[] = [];
    for (let i = 0; i < 150; i++) {
      const p4 = 4 + (rnd() % 25);
      const c4 = parseCidr(`${v4()}/${p4}`)!;
      cidrs.push(c4.text);
      block.addSubnet(c4.network, c4.prefix, 'ipv4');
      const p6 = 32 + (rnd() % 40);
      const c6 = parseCidr(`${v6()}/${p6}`)!;
      cidrs.push(c6.text);
      block.addSubnet(c6.network, c6.prefix, 'ipv6');
    }
    const set = new CidrSet(cidrs);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) {
      const a = v4();
      const b = v6();
      expect(set.has(a), a).toBe(block.check(a, 'ipv4'));
      expect(set.has(b), b).toBe(block.check(b, 'ipv6'));
      if (set.has(a)) hits++;
      if (set.has(b)) hits++;
    }
    expect(hits).toBeGreaterThan(500); // the comparison exercised both answers
  });
});
