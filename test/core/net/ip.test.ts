import { readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipKey, ipVersion, parseIp } from '../../../src/core/net/ip.js';
import { isBulwarkError } from '../../../src/core/errors.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';

describe('parseIp', () => {
  it('keeps a strict dotted quad and refuses ambiguous or broken IPv4', () => {
    expect(parseIp('192.0.2.1')).toBe('192.0.2.1');
    expect(parseIp('0.0.0.0')).toBe('0.0.0.0');
    expect(parseIp('255.255.255.255')).toBe('255.255.255.255');
    for (const bad of [
      '010.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '256.0.0.1',
      '1.2.3.-4',
      '1..2.3',
      '1.2.3.4 ',
      ' 1.2.3.4',
      '0x7f.0.0.1',
      '',
      '1.2.3.4/32',
    ]) {
      expect(parseIp(bad), bad).toBeNull();
    }
  });

  it('writes IPv6 in RFC 5952 form (section 4 examples)', () => {
    // RFC 5952 §4.1 leading zeros, §4.2.1 longest run, §4.2.2 a single 0 is not compressed,
    // §4.2.3 first of equal runs, §4.3 lowercase.
    expect(parseIp('2001:0db8:0000:0000:0000:0000:0002:0001')).toBe('2001:db8::2:1');
    expect(parseIp('2001:db8:0:0:0:0:2:1')).toBe('2001:db8::2:1');
    expect(parseIp('2001:db8::0:1')).toBe('2001:db8::1');
    expect(parseIp('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(parseIp('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(parseIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(parseIp('2001:DB8::ABCD')).toBe('2001:db8::abcd');
    expect(parseIp('::')).toBe('::');
    expect(parseIp('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(parseIp('1:0:0:0:0:0:0:0')).toBe('1::');
  });

  it('turns every spelling of an IPv4-mapped address into the IPv4 address', () => {
    expect(parseIp('::ffff:192.0.2.128')).toBe('192.0.2.128');
    expect(parseIp('::FFFF:C000:0280')).toBe('192.0.2.128');
    expect(parseIp('0:0:0:0:0:ffff:192.0.2.128')).toBe('192.0.2.128');
    // Not mapped: IPv4-compatible (deprecated) and NAT64 stay IPv6.
    expect(parseIp('::192.0.2.128')).toBe('::c000:280');
    expect(parseIp('64:ff9b::192.0.2.128')).toBe('64:ff9b::c000:280');
  });

  it('drops a zone id and refuses an empty one', () => {
    expect(parseIp('fe80::1%eth0')).toBe('fe80::1');
    expect(parseIp('fe80::1%25')).toBe('fe80::1');
    expect(parseIp('fe80::1%')).toBeNull();
  });

  it('refuses malformed IPv6', () => {
    for (const bad of [
      ':::',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '12345::',
      '::g',
      ':1::',
      '1:',
      '1::2:3:4:5:6:7:8',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
      '[::1]',
    ]) {
      expect(parseIp(bad), bad).toBeNull();
    }
    expect(parseIp(42)).toBeNull();
    expect(parseIp(null)).toBeNull();
    expect(parseIp('1'.repeat(1000))).toBeNull();
  });

  it('agrees with node:net isIP on which strings are addresses, and is idempotent', () => {
    const samples = [
      '::1',
      '1::',
      '::ffff:1.2.3.4',
      'a:b:c:d:e:f:1.2.3.4',
      '1:2:3:4:5:6:7:8',
      '01.1.1.1',
      '1.1.1',
      ':1',
      '1:2:3::4:5:6:7',
      'fe80::',
      'ffff::ffff',
      '2001:db8:0:0:0:0:0:0',
    ];
    for (const s of samples) {
      expect(parseIp(s) !== null, s).toBe(isIP(s) !== 0);
      const once = parseIp(s);
      if (once !== null) expect(parseIp(once)).toBe(once);
    }
    expect(ipVersion('::ffff:10.0.0.1')).toBe(4);
    expect(ipVersion('2001:db8::1')).toBe(6);
    expect(ipVersion('nope')).toBe(0);
  });
});

describe('ipKey', () => {
  it('groups IPv6 by /64 by default and leaves IPv4 alone', () => {
    expect(ipKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(ipKey('2001:db8:1:2::1')).toBe(ipKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(ipKey('2001:db8:1:3::1')).not.toBe(ipKey('2001:db8:1:2::1'));
    expect(ipKey('192.0.2.9')).toBe('192.0.2.9');
    expect(ipKey('::ffff:192.0.2.9')).toBe('192.0.2.9');
    expect(ipKey('not an ip')).toBeNull();
  });

  it('honours configured prefixes', () => {
    expect(ipKey('2001:db8:1:2::1', { ipv6Prefix: 48 })).toBe('2001:db8:1::/48');
    expect(ipKey('2001:db8:1:2::1', { ipv6Prefix: 56 })).toBe('2001:db8:1::/56');
    expect(ipKey('2001:db8:1:2ff::1', { ipv6Prefix: 56 })).toBe('2001:db8:1:200::/56');
    expect(ipKey('2001:db8:1:2::1', { ipv6Prefix: 128 })).toBe('2001:db8:1:2::1');
    expect(ipKey('2001:db8:1:2::1', { ipv6Prefix: 0 })).toBe('::/0');
    expect(ipKey('192.0.2.77', { ipv4Prefix: 24 })).toBe('192.0.2.0/24');
  });

  it('refuses an impossible prefix with an error naming it', () => {
    for (const bad of [129, -1, 64.5, Number.NaN]) {
      try {
        ipKey('2001:db8::1', { ipv6Prefix: bad });
        expect.unreachable();
      } catch (e) {
        expect(isBulwarkError(e) && e.field).toBe('ipv6Prefix');
      }
    }
  });
});

describeWithSharedData('real addresses from the shared auth logs', () => {
  it('CrowdSec ipv6_to_range: the Nikto source falls in range 2001:db8:85a3::/64', () => {
    const dir = sharedPath('authlogs/crowdsec-hub/tests/ipv6-postoverflow');
    const log = readFileSync(`${dir}/ipv6-postoverflow.log`, 'utf8');
    const assertText = readFileSync(`${dir}/scenario.assert`, 'utf8');
    const expectedRange = /GetValue\(\) == "([^"]+)"/.exec(assertText)![1];
    const sources = new Set(
      log
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]!),
    );
    expect(sources.size).toBe(1);
    const [src] = [...sources];
    expect(parseIp(src)).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(ipKey(src!)).toBe(expectedRange);
  });

  it('fail2ban: every failure line yields its expected host once normalised (incl. ::ffff: forms)', () => {
    const dir = sharedPath('authlogs/fail2ban/logs');
    let checked = 0;
    let mapped = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
      const lines = readFileSync(`${dir}/${file}`, 'utf8').split('\n');
      for (let i = 0; i < lines.length - 1; i++) {
        const m = /^# failJSON: (.*)$/.exec(lines[i]!);
        if (!m) continue;
        let spec: { match?: boolean; host?: string };
        try {
          spec = JSON.parse(m[1]!);
        } catch {
          continue; // a few annotations are not strict JSON; they carry no host anyway
        }
        if (!spec.match || typeof spec.host !== 'string' || parseIp(spec.host) === null) continue; // DNS names
        const want = parseIp(spec.host);
        expect(want).toBe(spec.host); // the expected hosts are already canonical
        const line = lines[i + 1]!;
        const tokens = (line.match(/[0-9A-Fa-f:.]{2,}/g) ?? []).flatMap((t) => [
          parseIp(t.replace(/^[.:]+|[.:]+$/g, '')),
          parseIp(t.replace(/[.]+$/g, '')),
        ]);
        const addresses = tokens.filter(
          (t): t is string => (t !== null && t.includes('.')) || (t !== null && t.split(':').length > 3),
        );
        // Multi-line failures (fail2ban's <mlfid>) name the host on an earlier line: skip lines with no address.
        if (addresses.length === 0) continue;
        expect(addresses, `${file}: ${line}`).toContain(want);
        if (/::ffff:/i.test(line)) mapped++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
    expect(mapped).toBeGreaterThan(0);
  });
});
