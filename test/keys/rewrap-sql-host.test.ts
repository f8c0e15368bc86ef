/**
 * The re-encryption job against a fake host's SQL table of ciphertexts (both backends), through the
 * library entry point: batches, progress with a resumable cursor, interrupted (abort, and a host
 * write failure) and resumed until every row is on the latest version and still decrypts.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  type Bulwark,
  createBulwark,
  runRewrapJob,
  type RewrapProgress,
  type RewrapSource,
  tokenVersion,
} from '../../src/index.js';
import { describeEachBackend } from '../support/backends.js';
import { newMasterKey } from './keys-app.js';

const ops = { id: 'token:ops', ip: '127.0.0.1' };
const ROWS = 57;

/** The host's own table: customers(id, email_enc). Keyset pagination on id; the cursor is the last id. */
function hostSource(b: Bulwark, failOnWrite?: { at: number }): RewrapSource & { writes: number } {
  const db = b.store.db;
  const source = {
    writes: 0,
    async list(afterCursor: string | null, limit: number) {
      const rows = (
        await sql<{ id: string; email_enc: string }>`
          select id, email_enc from host_customers
          where ${afterCursor === null ? sql`1 = 1` : sql`id > ${afterCursor}`}
          order by id limit ${limit + 1}`.execute(db)
      ).rows;
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({ id: r.id, ciphertext: r.email_enc })),
        nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
      };
    },
    async write(id: string, newCiphertext: string) {
      if (failOnWrite && source.writes === failOnWrite.at) throw new Error('host database went away');
      await sql`update host_customers set email_enc = ${newCiphertext} where id = ${id}`.execute(db);
      source.writes++;
    },
  };
  return source;
}

describeEachBackend('rewrap job over a SQL host table', (backend) => {
  let b: Bulwark;
  beforeEach(async () => {
    b = await createBulwark(
      { database_url: backend.url(), master_key: newMasterKey() },
      { logLevel: 'silent', env: {} },
    );
    await sql`create table host_customers (id text primary key, email_enc text not null)`.execute(b.store.db);
    await b.keys.create({ name: 'host.pii', type: 'aes256-gcm' }, ops);
    for (let i = 0; i < ROWS; i++) {
      const id = `cust-${String(i).padStart(3, '0')}`;
      const ct = await b.keys.encrypt('host.pii', `user${i}@example.com`, id);
      await sql`insert into host_customers (id, email_enc) values (${id}, ${ct})`.execute(b.store.db);
    }
    await b.keys.rotate('host.pii', { notes: 'before rewrap' }, ops);
  });
  afterEach(async () => {
    await b.close();
  });

  const versions = async () =>
    (await sql<{ email_enc: string }>`select email_enc from host_customers`.execute(b.store.db)).rows.map(
      (r) => tokenVersion(r.email_enc),
    );

  it('is interrupted by an abort and by a host failure, and resumes from the saved cursor', async () => {
    const keyring = b.keys.ring();
    const aadFor = (item: { id: string }) => item.id;
    let saved: string | null = null;
    const progress: RewrapProgress[] = [];
    const abort = new AbortController();

    // Run 1: stopped after two batches of 10.
    const first = await runRewrapJob({
      keyring,
      keyName: 'host.pii',
      source: hostSource(b),
      batchSize: 10,
      aadFor,
      signal: abort.signal,
      onProgress: (p) => {
        progress.push(p);
        saved = p.cursor;
        if (p.batches === 2) abort.abort();
      },
    });
    expect(first).toMatchObject({ completed: false, batches: 2, rewrapped: 20, failed: 0 });
    expect(saved).toBe('cust-019');
    expect((await versions()).filter((v) => v === 2)).toHaveLength(20);

    // Run 2: the host's store fails on its 5th write; the job throws, the saved cursor still holds.
    await expect(
      runRewrapJob({
        keyring,
        keyName: 'host.pii',
        source: hostSource(b, { at: 4 }),
        batchSize: 10,
        aadFor,
        startCursor: saved,
        onProgress: (p) => {
          saved = p.cursor;
        },
      }),
    ).rejects.toThrow('host database went away');
    expect(saved).toBe('cust-019');
    expect((await versions()).filter((v) => v === 2)).toHaveLength(24);

    // Run 3: resumes, redoes the half-written batch harmlessly (already-rewrapped rows are skipped).
    const done = await runRewrapJob({
      keyring,
      keyName: 'host.pii',
      source: hostSource(b),
      batchSize: 10,
      aadFor,
      startCursor: saved,
      onProgress: (p) => {
        progress.push(p);
      },
    });
    expect(done).toMatchObject({
      completed: true,
      cursor: null,
      scanned: ROWS - 20,
      rewrapped: ROWS - 24,
      skipped: 4,
      failed: 0,
    });
    expect(new Set(await versions())).toEqual(new Set([2]));
    // Every row still decrypts to its value, with its AAD, and version 1 can now be retired.
    await b.keys.updatePolicy('host.pii', { min_decryption_version: 2 }, ops);
    const rows = (
      await sql<{
        id: string;
        email_enc: string;
      }>`select id, email_enc from host_customers order by id`.execute(b.store.db)
    ).rows;
    for (const [i, r] of rows.entries()) {
      expect((await b.keys.decrypt('host.pii', r.email_enc, r.id)).toString()).toBe(`user${i}@example.com`);
    }
    expect(progress.at(-1)).toMatchObject({ cursor: null });
  });

  it('reports rows it cannot rewrap and goes on', async () => {
    await sql`update host_customers set email_enc = ${'bulwark:v1:tampered-tampered-tampered-tampered'} where id = 'cust-003'`.execute(
      b.store.db,
    );
    await sql`update host_customers set email_enc = 'plaintext@oops.example' where id = 'cust-004'`.execute(
      b.store.db,
    );
    const result = await runRewrapJob({
      keyring: b.keys.ring(),
      keyName: 'host.pii',
      source: hostSource(b),
      batchSize: 25,
      aadFor: (item) => item.id,
    });
    expect(result).toMatchObject({ completed: true, rewrapped: ROWS - 2, failed: 2 });
    expect(result.failures.map((f) => [f.id, f.code])).toEqual([
      ['cust-003', 'crypto_failed'],
      ['cust-004', 'crypto_failed'],
    ]);
    expect(JSON.stringify(result.failures)).not.toContain('@example.com');
  });
});
