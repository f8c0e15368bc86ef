/**
 * The importers apply the rules POST /auth/attempts applies (one validation for every format,
 * src/core/auth/parsers/validate.ts): a line whose address or text the API would refuse is skipped
 * with the reason and nothing of it is stored; bad options are refused before anything is read.
 * Also the service's unlock key and anomaly event filter. Each backend: SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import type { LogParserOptions } from '../../src/core/auth/parsers/stream.js';
import { describeEachBackend } from '../support/backends.js';

const sshd = (msg: string) => `Dec 10 06:55:46 LabSZ sshd[${Math.floor(Math.random() * 9e4) + 1000}]: ${msg}`;
const nginx = (client: string) =>
  `2025/02/01 10:00:00 [error] 2865#0: *66647 user "alice" was not found in "/etc/nginx/.htpasswd", client: ${client}, server: example.org, request: "GET /login HTTP/1.1", host: "example.org"`;

describeEachBackend('importers refuse what the API refuses', (backend) => {
  let b: Bulwark;
  beforeAll(async () => {
    b = await createBulwark({ database_url: backend.url() }, { logLevel: 'silent', env: {} });
  });
  afterAll(() => b.close());

  const stored = async () =>
    (
      await b.store.db
        .selectFrom('authentication_attempts')
        .select(['source_ip', 'ip_key', 'user_id'])
        .execute()
    ).map((r) => [r.source_ip, r.ip_key, r.user_id]);
  const load = (lines: string[], parser: LogParserOptions) =>
    b.auth.importer.importLines(lines, parser, { source: 'test.log' });

  describe('in order (each case adds to the same store)', () => {
    it('sshd: a broken address is skipped; a host name (UseDNS) is kept as logged', async () => {
      const bad = ['999.999.999.999', '1.2.3', 'gggg::1', '10.3.3.300'];
      const s = await load(
        [
          ...bad.map((ip) => sshd(`Failed password for root from ${ip} port 22 ssh2`)),
          sshd('Failed password for root from scanner.example.net port 22 ssh2'),
        ],
        { format: 'sshd', year: 2015 },
      );
      expect(s.skipped).toEqual({ 'source IP is not an IP address': 4 });
      expect(s.attempts_recorded).toBe(1);
      expect(await stored()).toEqual([['scanner.example.net', 'scanner.example.net', 'root']]);
    });

    it('nginx: a broken client address is skipped (nginx logs addresses only, never names)', async () => {
      const s = await load(
        ['999.999.999.999', '1.2.3', 'gggg::1', '10.3.3.300', 'not-an-address'].map(nginx),
        { format: 'nginx', loginPaths: ['/login'] },
      );
      expect(s).toMatchObject({
        lines: 5,
        attempts_recorded: 0,
        skipped: { 'source IP is not an IP address': 5 },
      });
      expect(await stored()).toHaveLength(1);
    });

    it('sshd and jsonl: control characters and terminal escapes in the user are skipped with the reason', async () => {
      const s = await load([sshd('Invalid user \x1b[2J\x1b]0;pwn\x07evil from 10.3.3.3')], {
        format: 'sshd',
        year: 2015,
      });
      expect(s.skipped).toEqual({ 'user contains control characters': 1 });
      const j = await load(
        [
          '{"user_id":"a\\u001b[31mb","ip":"10.3.3.3","time":1,"result":"failure","failure_reason":"bad_password"}',
          '{"user_id":"ok","ip":"10.3.3.3","time":1,"result":"failure","failure_reason":"bad_password","failure_detail":"x\\ny"}',
        ],
        { format: 'jsonl' },
      );
      expect(j.skipped).toEqual({
        'user contains control characters': 1,
        'failure detail contains control characters': 1,
      });
      expect(await stored()).toHaveLength(1);
    });

    it('jsonl: an unknown reason or a failure without one is skipped, not stored as other', async () => {
      const s = await load(
        [
          '{"ip":"10.3.3.4","time":1,"result":"failure","failure_reason":"captcha"}',
          '{"ip":"10.3.3.4","time":1,"result":"failure"}',
          '{"ip":"10.3.3.4","at":"2025-02-01T10:00:00Z","result":"failure","failure_reason":"other","failure_text":"captcha"}',
        ],
        { format: 'jsonl' },
      );
      expect(s).toMatchObject({
        attempts_recorded: 1,
        skipped: { 'unknown failure_reason': 1, 'failure without a reason (failure_reason, reason)': 1 },
      });
      const row = await b.store.db
        .selectFrom('authentication_attempts')
        .select(['failure_reason', 'failure_detail', 'timestamp'])
        .where('source_ip', '=', '10.3.3.4')
        .executeTakeFirstOrThrow();
      expect([row.failure_reason, row.failure_detail, Number(row.timestamp)]).toEqual([
        'other',
        'jsonl: captcha',
        Date.UTC(2025, 1, 1, 10),
      ]);
    });

    it('an unknown time zone is refused before a line is read, even for an empty input', async () => {
      for (const format of ['sshd', 'jsonl', 'nginx', 'dovecot'] as const) {
        const p = load([], { format, tz: 'Mars/Phobos' } as LogParserOptions);
        await expect(p).rejects.toMatchObject({ code: 'validation_failed', field: 'tz' });
      }
      expect(await stored()).toHaveLength(2);
    });
  });

  describe('blank text (the API refuses it: user_id, sender, failure_text "must not be blank")', () => {
    const rowsFrom = async (ip: string) =>
      (
        await b.store.db
          .selectFrom('authentication_attempts')
          .select(['user_id', 'sender', 'failure_detail'])
          .where('source_ip', '=', ip)
          .execute()
      ).map((r) => [r.user_id, r.sender, r.failure_detail]);

    it('sshd: an empty or blank user name is stored as none; the attempt still counts', async () => {
      const s = await load([sshd('Invalid user  from 10.4.4.1'), sshd('Invalid user    from 10.4.4.1')], {
        format: 'sshd',
        year: 2015,
      });
      expect(s.attempts_recorded).toBe(2);
      expect(await rowsFrom('10.4.4.1')).toEqual([
        [null, null, 'sshd.invalid_user'],
        [null, null, 'sshd.invalid_user'],
      ]);
    });

    it('jsonl: a blank user or sender is stored as none; a blank detail is skipped', async () => {
      const line = (extra: string) =>
        `{"ip":"10.4.4.2","at":"2025-02-01T10:00:00Z","result":"failure","failure_reason":"other","failure_text":"captcha"${extra}}`;
      const s = await load(
        [
          line(',"user":"   "'),
          line(',"sender":" "'),
          '{"ip":"10.4.4.2","at":"2025-02-01T10:00:00Z","result":"failure","failure_reason":"other","failure_text":"  "}',
        ],
        { format: 'jsonl' },
      );
      expect(s).toMatchObject({ attempts_recorded: 2, skipped: { 'failure detail is blank': 1 } });
      expect(await rowsFrom('10.4.4.2')).toEqual([
        [null, null, 'jsonl: captcha'],
        [null, null, 'jsonl: captcha'],
      ]);
    });
  });

  describe('times (the API refuses an `at` more than 5 minutes ahead or before 2000)', () => {
    const countFrom = async (ip: string) =>
      (
        await b.store.db
          .selectFrom('authentication_attempts')
          .select('id')
          .where('source_ip', '=', ip)
          .execute()
      ).length;

    it('sshd: a --year that dates the log in the future stores nothing, and says why', async () => {
      const before = (await b.audit.list({}, { limit: 500, order: 'asc' })).items.length;
      const s = await load([sshd('Failed password for root from 10.5.5.1 port 22 ssh2')], {
        format: 'sshd',
        year: 2099,
      });
      expect(s).toMatchObject({
        attempts_recorded: 0,
        skipped: { 'time is more than 5 minutes in the future': 1 },
      });
      expect(await countFrom('10.5.5.1')).toBe(0);
      expect((await b.audit.list({}, { limit: 500, order: 'asc' })).items).toHaveLength(before);
    });

    it('jsonl: a time before 2000 (here seconds of 1970) or in the future is skipped', async () => {
      const s = await load(
        [
          '{"ip":"10.5.5.2","time":1,"result":"failure","failure_reason":"bad_password"}',
          '{"ip":"10.5.5.2","at":"1999-12-31T23:59:59Z","result":"failure","failure_reason":"bad_password"}',
          '{"ip":"10.5.5.2","at":"2099-01-01T00:00:00Z","result":"failure","failure_reason":"bad_password"}',
          '{"ip":"10.5.5.2","at":"2000-01-01T00:00:00Z","result":"failure","failure_reason":"bad_password"}',
        ],
        { format: 'jsonl' },
      );
      expect(s).toMatchObject({
        attempts_recorded: 1,
        skipped: {
          'time is before 2000-01-01T00:00:00Z': 2,
          'time is more than 5 minutes in the future': 1,
        },
      });
      expect(await countFrom('10.5.5.2')).toBe(1);
    });
  });

  describe('unlock keys and the anomaly event filter', () => {
    it('refuses an ip key that is not an IP, or a user part no user_id could be, and audits nothing', async () => {
      const before = (await b.audit.list({ event_type: ['config_change'] }, { limit: 500, order: 'asc' }))
        .items.length;
      for (const key of [
        'ip:not-an-ip',
        'ip:999.1.1.1',
        'user_ip:nope|bob',
        'ip:2001:db8::/48',
        'user_ip:10.0.0.1|',
        // The user part is held to user_id's rules: no lock is ever held under these.
        'user: ',
        'user:a\nb',
        'user:a\u001b[2Jb',
        `user:${'u'.repeat(257)}`,
        'user_ip:10.0.0.1|  ',
        'user_ip:10.0.0.1|a\rb',
      ])
        await expect(b.auth.unlock(key, { id: 't', ip: '127.0.0.1' })).rejects.toMatchObject({
          code: 'validation_failed',
          field: 'key',
        });
      expect(
        (await b.audit.list({ event_type: ['config_change'] }, { limit: 500, order: 'asc' })).items,
      ).toHaveLength(before);
    });

    it('maps a raw IPv6 address to the /64 it is locked under', async () => {
      for (let i = 0; i < 6; i++)
        await b.auth.recordAttempt({
          user_id: `u${i}`,
          source_ip: `2001:db8:9:9::${i + 1}`,
          result: 'failure',
          failure_reason: 'bad_password',
        });
      const keys = (await b.auth.listLockouts(50)).map((l) => l.key);
      expect(keys).toContain('ip:2001:db8:9:9::/64');
      const r = await b.auth.unlock('ip:2001:db8:9:9::5', { id: 't', ip: '127.0.0.1' });
      expect(r).toEqual({ key: 'ip:2001:db8:9:9::/64', was_locked: true });
      expect((await b.auth.listLockouts(50)).map((l) => l.key)).not.toContain('ip:2001:db8:9:9::/64');
    });

    it('refuses an event filter that names no log source', async () => {
      const q = { since: 0, until: 1000 };
      await expect(b.auth.anomalies({ ...q, event: 'bogus' })).rejects.toMatchObject({ field: 'event' });
      await expect(b.auth.anomalies({ ...q, event: 'sshd.failed_password' })).resolves.toMatchObject({
        findings: [],
      });
    });
  });
});
