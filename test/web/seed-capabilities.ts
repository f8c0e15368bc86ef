/**
 * Seeds the audit, auth, dependency and key capabilities with real data through the product's own
 * importers and services (what `bulwark auth import`, `bulwark advisories import` and a scan do):
 * loghub's OpenSSH_2k.log, the real npm GHSA advisories and a real lockfile from ../shared/data.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Bulwark } from '../../src/app/bulwark.js';
import type { ImportSummary } from '../../src/app/services/auth-import.js';
import type { ScanReport } from '../../src/app/services/dependencies.js';
import { sharedPath } from '../support/shared-data.js';
import type { ShiftClock } from './support/server.js';

const DAY = 86_400_000;
const ACTOR = { id: 'seed', ip: '127.0.0.1' };

/** loghub's lines are Dec 10 06:55–11:04 without a year; they are read as 2025 (UTC). */
export const SSH_LOG = sharedPath('authlogs', 'loghub-openssh', 'OpenSSH_2k.log');
export const SSH_YEAR = 2025;
export const SSH_WINDOW = { since: '2025-12-10T00:00:00.000Z', until: '2025-12-11T00:00:00.000Z' };
export const ADVISORIES = sharedPath('osv', 'advisories', 'npm-ghsa');
export const LOCKFILE = sharedPath('osv', 'lockfiles', 'yarn-v1__yarnpkg-yarn__yarn.lock');

/** An audit entry an attacker would like to see rendered as markup. */
export const HOSTILE_AUDIT = {
  event_type: 'config_change' as const,
  user_id: '<script>window.__xss="audit-user"</script>',
  source_ip: '203.0.113.9',
  action: 'dashboard.test <img src=x onerror="window.__xss=\'audit-action\'">',
  outcome: 'allowed' as const,
  metadata: {
    script: '<script>window.__xss="audit-meta"</script>',
    html: '<img src=x onerror="window.__xss=\'audit-img\'">',
    link: 'javascript:window.__xss="audit-link"',
  },
};

export interface SeededCapabilities {
  sshImport: ImportSummary;
  scan: ScanReport;
  hostileSeq: number;
  lockedIp: string;
  rotateKey: string;
  overdueKey: string;
}

export async function seedCapabilities(b: Bulwark, clock: ShiftClock): Promise<SeededCapabilities> {
  // Authentication: the real sshd log through the importer (the CLI's code path).
  const sshImport = await b.auth.importer.importLines(
    createInterface({ input: createReadStream(SSH_LOG), crlfDelay: Infinity }),
    { format: 'sshd', year: SSH_YEAR },
    { source: SSH_LOG },
  );
  // Live attempts through the limiter: one IP fails until it is locked, another signs in.
  const lockedIp = '198.51.100.7';
  for (let i = 0; i < 6; i++)
    await b.auth.recordAttempt({
      source_ip: lockedIp,
      result: 'failure',
      failure_reason: 'bad_password',
      user_id: 'mallory',
      sender: 'smtp:mallory@example.net',
    });
  for (let i = 0; i < 3; i++)
    await b.auth.recordAttempt({
      source_ip: '192.0.2.10',
      result: 'success',
      user_id: 'alice',
      sender: 'web:alice',
    });
  await b.auth.captureSnapshot();

  // Dependencies: the real npm GHSA set, then a real lockfile scanned to completion.
  await b.advisories.importPath(ADVISORIES);
  const scan = await b.dependencies.scan([{ path: 'yarn.lock', content: readFileSync(LOCKFILE, 'utf8') }], {
    requestedBy: 'seed',
  });

  // Keys: one to rotate from the UI, one whose latest version is past its 30-day period.
  const rotateKey = 'app.data';
  await b.keys.create({ name: rotateKey, type: 'aes256-gcm' }, ACTOR);
  const overdueKey = 'app.signing';
  clock.offset = -45 * DAY;
  await b.keys.create(
    { name: overdueKey, type: 'ed25519', policy: { auto_rotate_period_ms: 30 * DAY } },
    ACTOR,
  );
  clock.offset = 0;

  // The audit ledger: the hostile entry, and a signed checkpoint of the head.
  const hostile = await b.audit.append(HOSTILE_AUDIT);
  await b.audit.checkpoint();
  return { sshImport, scan, hostileSeq: hostile.seq, lockedIp, rotateKey, overdueKey };
}
