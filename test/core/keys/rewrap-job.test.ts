import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../src/core/errors.js';
import { runRewrapJob, type RewrapProgress, type RewrapSource } from '../../../src/core/keys/rewrap-job.js';
import { tokenVersion } from '../../../src/core/keys/versioned-token.js';
import { describeWithSharedData } from '../../support/shared-data.js';
import { gitleaksSecrets, makeRig } from './keyring-fixtures.js';

/** A host table of ciphertexts keyed by id, listed in id order with the last id as cursor. */
class HostTable implements RewrapSource {
  readonly rows = new Map<string, string>();
  writes: string[] = [];
  failWriteAt: number | null = null;

  async list(afterCursor: string | null, limit: number) {
    const ids = [...this.rows.keys()].sort().filter((id) => afterCursor === null || id > afterCursor);
    const page = ids.slice(0, limit);
    return {
      items: page.map((id) => ({ id, ciphertext: this.rows.get(id)! })),
      nextCursor: page.length === limit && ids.length > limit ? page.at(-1)! : null,
    };
  }

  async write(id: string, newCiphertext: string) {
    if (this.failWriteAt !== null && this.writes.length === this.failWriteAt) {
      this.failWriteAt = null;
      throw new Error('host database went away');
    }
    this.writes.push(id);
    this.rows.set(id, newCiphertext);
  }
}

const id = (i: number): string => `row-${String(i).padStart(4, '0')}`;

async function seeded(count: number, onLatestEvery = 0) {
  const rig = await makeRig();
  await rig.keyring.createKey('pii', 'aes256-gcm');
  const host = new HostTable();
  const plain = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    plain.set(id(i), `customer ${i} phone +4470000${String(i).padStart(5, '0')}`);
    host.rows.set(id(i), await rig.keyring.encrypt('pii', plain.get(id(i))!, id(i)));
  }
  await rig.keyring.rotate('pii', { rotated_by: 'svc' });
  await rig.keyring.rotate('pii', { rotated_by: 'svc' });
  // Some rows were written after the rotations and are already current.
  if (onLatestEvery > 0) {
    for (let i = 0; i < count; i += onLatestEvery)
      host.rows.set(id(i), await rig.keyring.encrypt('pii', plain.get(id(i))!, id(i)));
  }
  return { ...rig, host, plain };
}

describe('runRewrapJob', () => {
  it('moves every row to the latest version in batches, skipping current ones, reporting progress', async () => {
    const { keyring, host, plain } = await seeded(250, 10);
    const progress: RewrapProgress[] = [];
    const result = await runRewrapJob({
      keyring,
      keyName: 'pii',
      source: host,
      batchSize: 40,
      aadFor: (item) => item.id,
      onProgress: (p) => {
        progress.push(p);
      },
    });
    expect(result).toMatchObject({
      completed: true,
      cursor: null,
      batches: 7,
      scanned: 250,
      skipped: 25,
      rewrapped: 225,
      failed: 0,
    });
    expect(host.writes).toHaveLength(225);
    expect(host.writes.every((w) => Number(w.slice(4)) % 10 !== 0)).toBe(true);
    expect(progress.map((p) => p.scanned)).toEqual([40, 80, 120, 160, 200, 240, 250]);
    expect(progress.at(-2)!.cursor).toBe(id(239));
    for (const [rowId, token] of host.rows) {
      expect(tokenVersion(token)).toBe(3);
      expect((await keyring.decrypt('pii', token, rowId)).toString()).toBe(plain.get(rowId));
    }
    // Now nothing needs versions 1–2 any more.
    await keyring.updatePolicy('pii', { min_decryption_version: 3 });
    expect((await keyring.decrypt('pii', host.rows.get(id(1))!, id(1))).toString()).toBe(plain.get(id(1)));
  });

  it('records items it cannot rewrap and carries on', async () => {
    const { keyring, host } = await seeded(30);
    host.rows.set(id(3), 'plaintext that was never encrypted');
    const tampered = Buffer.from(host.rows.get(id(7))!.slice('bulwark:v1:'.length), 'base64url');
    tampered[14]! ^= 1;
    host.rows.set(id(7), `bulwark:v1:${tampered.toString('base64url')}`);
    const result = await runRewrapJob({
      keyring,
      keyName: 'pii',
      source: host,
      batchSize: 8,
      aadFor: (item) => item.id,
    });
    expect(result).toMatchObject({ completed: true, scanned: 30, rewrapped: 28, failed: 2 });
    expect(result.failures.map((f) => [f.id, f.code])).toEqual([
      [id(3), 'crypto_failed'],
      [id(7), 'crypto_failed'],
    ]);
    expect(host.rows.get(id(3))).toBe('plaintext that was never encrypted'); // left as it was
  });

  it('stops between batches when aborted and resumes from the saved cursor', async () => {
    const { keyring, host } = await seeded(100);
    const controller = new AbortController();
    let saved: string | null = null;
    const first = await runRewrapJob({
      keyring,
      keyName: 'pii',
      source: host,
      batchSize: 25,
      aadFor: (item) => item.id,
      signal: controller.signal,
      onProgress: (p) => {
        saved = p.cursor;
        if (p.batches === 2) controller.abort();
      },
    });
    expect(first).toMatchObject({ completed: false, batches: 2, rewrapped: 50, cursor: id(49) });
    expect(saved).toBe(id(49));
    const second = await runRewrapJob({
      keyring,
      keyName: 'pii',
      source: host,
      batchSize: 25,
      startCursor: saved,
      aadFor: (item) => item.id,
    });
    expect(second).toMatchObject({ completed: true, scanned: 50, rewrapped: 50, skipped: 0 });
    expect(new Set(host.writes).size).toBe(100);
    expect(host.writes).toHaveLength(100); // nothing written twice
  });

  it('survives a crash mid-batch: the host error is thrown, and the resumed job skips what was already done', async () => {
    const { keyring, host } = await seeded(60);
    host.failWriteAt = 33; // the 34th write fails, in the middle of the 2nd batch of 20
    let saved: string | null = null;
    const job = runRewrapJob({
      keyring,
      keyName: 'pii',
      source: host,
      batchSize: 20,
      aadFor: (item) => item.id,
      onProgress: (p) => {
        saved = p.cursor;
      },
    });
    await expect(job).rejects.toThrow('host database went away');
    expect(saved).toBe(id(19));
    const resumed = await runRewrapJob({
      keyring,
      keyName: 'pii',
      source: host,
      batchSize: 20,
      startCursor: saved,
      aadFor: (item) => item.id,
    });
    expect(resumed).toMatchObject({ completed: true, scanned: 40, skipped: 13, rewrapped: 27 });
    expect(host.writes).toHaveLength(60);
    expect([...host.rows.values()].every((t) => tokenVersion(t) === 3)).toBe(true);
  });

  it('refuses a bad batch size and a source whose cursor never advances', async () => {
    const { keyring, host } = await seeded(3);
    await expect(runRewrapJob({ keyring, keyName: 'pii', source: host, batchSize: 0 })).rejects.toMatchObject(
      {
        code: 'validation_failed',
        field: 'batchSize',
      },
    );
    const stuck: RewrapSource = { list: async () => ({ items: [], nextCursor: 'c' }), write: async () => {} };
    const e = await runRewrapJob({ keyring, keyName: 'pii', source: stuck, startCursor: 'c' }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(BulwarkError);
    expect(e).toMatchObject({ code: 'unprocessable' });
  });
});

describeWithSharedData('rewrap job over real secret values (gitleaks corpus)', () => {
  it('rewraps the whole corpus and every secret still decrypts to itself', async () => {
    const rows = gitleaksSecrets();
    const { keyring } = await makeRig();
    await keyring.createKey('secrets', 'aes256-gcm');
    const host = new HostTable();
    for (const [i, row] of rows.entries()) host.rows.set(id(i), await keyring.encrypt('secrets', row.text));
    await keyring.rotate('secrets', { rotated_by: 'svc' });
    const result = await runRewrapJob({ keyring, keyName: 'secrets', source: host, batchSize: 50 });
    expect(result).toMatchObject({
      completed: true,
      scanned: rows.length,
      rewrapped: rows.length,
      batches: 4,
    });
    for (const [i, row] of rows.entries()) {
      const token = host.rows.get(id(i))!;
      expect(tokenVersion(token)).toBe(2);
      expect((await keyring.decrypt('secrets', token)).toString()).toBe(row.text);
    }
  });
});
