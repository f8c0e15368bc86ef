/**
 * Imported attempts' audit entries keep the log's words readable: the event name and the log's
 * detail are separate fields, so the redactor never reads `sshd.failed_password: Failed …` as a
 * password assignment (it masked the log's text as `[REDACTED:password:…]`). The redactor is not
 * weakened: a real secret in a detail is still masked. The real loghub OpenSSH_2k.log, as in the
 * README quickstart, on both backends.
 */
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { describeEachBackend } from '../support/backends.js';
import { hasSharedData, sharedPath } from '../support/shared-data.js';

const LOG = sharedPath('authlogs/loghub-openssh/OpenSSH_2k.log');

describeEachBackend('imported sshd attempts in the audit log', (backend) => {
  let b: Bulwark;
  beforeAll(async () => {
    // A keyring on both backends, so the redactor's HMAC markers are the production ones.
    b = await createBulwark(
      { database_url: backend.url(), master_key: randomBytes(32).toString('base64') },
      { logLevel: 'silent', env: {} },
    );
  });
  afterAll(() => b.close());

  const importedRows = async () => {
    const out: { metadata: Record<string, unknown> }[] = [];
    const head = (await b.audit.head()).seq;
    for await (const chunk of b.audit.range(1, head, 1000))
      for (const r of chunk) {
        const metadata = JSON.parse(r.metadata as unknown as string) as Record<string, unknown>;
        if (metadata.imported_from !== undefined) out.push({ metadata });
      }
    return out;
  };

  it.runIf(hasSharedData || process.env.CI === 'true')(
    'no entry of the loghub import is redacted; event and detail are separate fields',
    async () => {
      const s = await b.auth.importer.importLines(
        createInterface({ input: createReadStream(LOG), crlfDelay: Infinity }),
        { format: 'sshd', year: 2015 },
        { source: LOG },
      );
      expect(s.attempts_recorded).toBe(693); // the README quickstart's number
      const rows = await importedRows();
      expect(rows).toHaveLength(693);
      const redacted = rows.filter((r) => JSON.stringify(r.metadata).includes('[REDACTED'));
      expect(redacted.map((r) => r.metadata).slice(0, 3)).toEqual([]);
      for (const { metadata } of rows) expect(metadata.event).toMatch(/^sshd\.[a-z_]+$/);
      const failed = rows.filter((r) => r.metadata.event === 'sshd.failed_password');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed[0]!.metadata.imported_from).toBe('OpenSSH_2k.log');
      // The tester's row: the log's own words about a password, kept as written.
      const words = rows.map((r) => r.metadata.log_detail).filter((d) => typeof d === 'string');
      expect(words.some((d) => /password/i.test(d as string))).toBe(true);
    },
  );

  it("the stored attempt's detail keeps the log's words too (event and words redacted apart)", async () => {
    await b.auth.importer.importLines(
      [
        'Dec 10 09:11:20 LabSZ sshd[24000]: Failed password for invalid user admin from 198.51.100.4 port 22 ssh2',
      ],
      { format: 'sshd', year: 2015 },
      { source: 'auth.log' },
    );
    await b.auth.importer.importLines(
      [
        JSON.stringify({
          ip: '198.51.100.5',
          at: '2025-01-01T00:00:00Z',
          result: 'failure',
          reason: 'other',
          failure_detail: 'client sent password=hunter2-Secret',
        }),
      ],
      { format: 'jsonl' },
      { source: 'app.jsonl' },
    );
    const detail = async (ip: string) =>
      (
        await b.store.db
          .selectFrom('authentication_attempts')
          .select('failure_detail')
          .where('source_ip', '=', ip)
          .executeTakeFirstOrThrow()
      ).failure_detail;
    expect(await detail('198.51.100.4')).toBe('sshd.failed_password: failed password for an unknown user');
    const secret = await detail('198.51.100.5');
    expect(secret).toMatch(/^jsonl: client sent password=\[REDACTED:password/);
    expect(secret).not.toContain('hunter2');
  });

  it('still redacts a secret that is really in a detail', async () => {
    await b.auth.importer.importLines(
      [
        JSON.stringify({
          ip: '198.51.100.3',
          at: '2025-01-01T00:00:00Z',
          result: 'failure',
          reason: 'other',
          failure_detail: 'client sent password=hunter2-Secret',
        }),
      ],
      { format: 'jsonl' },
      { source: 'app.jsonl' },
    );
    const row = (await importedRows()).find((r) => r.metadata.imported_from === 'app.jsonl')!;
    expect(row.metadata.event).toBe('jsonl');
    expect(row.metadata.log_detail).toMatch(/^client sent password=\[REDACTED:password/);
    expect(JSON.stringify(row.metadata)).not.toContain('hunter2');
  });
});
