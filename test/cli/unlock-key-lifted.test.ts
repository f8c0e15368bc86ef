/**
 * `bulwark auth unlock` prints the key it lifted, as DELETE /auth/lockouts/:key answers it: an IPv6
 * address is read to its /64 and `::ffff:` to IPv4, and printing the typed key hid which lock that was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('bulwark auth unlock: the key lifted', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-unlock-'));
    db = `sqlite:${path.join(dir, 'cli.db')}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the ip key an address is read to', async () => {
    for (const [typed, lifted] of [
      ['ip:2001:db8:5:5::99', 'ip:2001:db8:5:5::/64'],
      ['ip:::ffff:192.0.2.1', 'ip:192.0.2.1'],
      ['user_ip:2001:DB8:5:5::1|alice', 'user_ip:2001:db8:5:5::/64|alice'],
    ]) {
      const r = await runCli(db, ['auth', 'unlock', typed!], { separator: '\n' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(`${lifted}: was not locked`);
    }
  });
});
