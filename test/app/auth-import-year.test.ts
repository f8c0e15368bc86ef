/**
 * Syslog stamps carry no year. Without `--year` the importer infers it from the server's clock
 * (the latest year that does not put the line more than a day ahead, as the CLI's help says), so a
 * December log read in January is last December's. Before, the year was the machine's calendar
 * year: with the event-time rule (no attempt more than 5 minutes ahead) every line of a log
 * rotated at the turn of the year was skipped as "in the future", and the server clock was ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { FakeClock } from '../support/app.js';

const sshd = (stamp: string, ip: string) =>
  `${stamp} LabSZ sshd[4242]: Failed password for root from ${ip} port 22 ssh2`;

describe('auth import without --year', () => {
  // 2 January 2020: long before the machine's calendar year, so the year cannot come from it.
  const clock = new FakeClock(Date.UTC(2020, 0, 2, 12));
  let b: Bulwark;
  beforeAll(async () => {
    b = await createBulwark(
      { database_url: 'sqlite::memory:', rate_limit_store: 'memory' },
      { logLevel: 'silent', env: {}, clock },
    );
  });
  afterAll(() => b.close());

  const timesFrom = async (ip: string) =>
    (
      await b.store.db
        .selectFrom('authentication_attempts')
        .select('timestamp')
        .where('source_ip', '=', ip)
        .execute()
    ).map((r) => new Date(Number(r.timestamp)).toISOString());

  it('sshd: a December line read on 2 January is last December, and stored', async () => {
    const s = await b.auth.importer.importLines(
      [sshd('Dec 31 23:00:00', '192.0.2.10'), sshd('Jan  2 11:00:00', '192.0.2.10')],
      { format: 'sshd' },
      { source: 'auth.log' },
    );
    expect(s.skipped).toEqual({});
    expect(s.attempts_recorded).toBe(2);
    expect(await timesFrom('192.0.2.10')).toEqual(['2019-12-31T23:00:00.000Z', '2020-01-02T11:00:00.000Z']);
  });

  it('dovecot: the same inference', async () => {
    const line = (stamp: string) =>
      `${stamp} mx dovecot[241]: imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<test>, method=PLAIN, rip=192.0.2.11, lip=203.0.113.104, TLS, session=<x>`;
    const s = await b.auth.importer.importLines(
      [line('Dec 31 23:00:00')],
      { format: 'dovecot' },
      { source: 'mail.log' },
    );
    expect(s.skipped).toEqual({});
    expect(s.attempts_recorded).toBe(1);
    expect(await timesFrom('192.0.2.11')).toEqual(['2019-12-31T23:00:00.000Z']);
  });

  it('an explicit --year is still taken as given', async () => {
    const s = await b.auth.importer.importLines(
      [sshd('Dec 10 06:55:46', '192.0.2.12')],
      { format: 'sshd', year: 2015 },
      { source: 'auth.log' },
    );
    expect(s.attempts_recorded).toBe(1);
    expect(await timesFrom('192.0.2.12')).toEqual(['2015-12-10T06:55:46.000Z']);
  });
});
