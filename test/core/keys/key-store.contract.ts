/**
 * The KeyStore port's contract, as a reusable suite: every adapter (memory now, SQL later) runs it
 * with its own factory — `describeKeyStoreContract('sqlite', async () => makeSqliteKeyStore())`.
 */
import { describe, expect, it } from 'vitest';
import type { KeyStore } from '../../../src/core/keys/key-store.js';
import type { KeyRecord, KeyRotationEvent, StoredKeyVersion } from '../../../src/core/keys/types.js';

const T0 = new Date('2025-03-01T12:00:00.123Z');
const policy = { min_decryption_version: 1, auto_rotate_period_ms: 7_776_000_000, deletion_allowed: false };

const record = (name: string, versions = 1): KeyRecord => ({
  name,
  type: 'aes256-gcm',
  policy: { ...policy },
  created_at: T0,
  versions: Array.from({ length: versions }, (_, i) => version(i + 1)),
});

const version = (v: number): StoredKeyVersion => ({
  version: v,
  created_at: new Date(T0.getTime() + v * 1000),
  wrapped_material: `mk1:wrapped-${v}`,
});

const event = (
  name: string,
  from: number,
  id = `0190a000-0000-7000-8000-00000000000${from}`,
): KeyRotationEvent => ({
  id,
  key_id: name,
  version_from: from,
  version_to: from + 1,
  rotated_by: 'svc:test',
  timestamp: new Date(T0.getTime() + (from + 1) * 1000),
  notes: from % 2 === 0 ? null : 'note',
});

export function describeKeyStoreContract(adapter: string, makeStore: () => Promise<KeyStore>): void {
  describe(`KeyStore contract: ${adapter}`, () => {
    it('stores and returns keys as copies, with millisecond timestamps', async () => {
      const store = await makeStore();
      expect(await store.getKey('k')).toBeNull();
      await store.createKey(record('k', 2));
      const got = await store.getKey('k');
      expect(got).toEqual(record('k', 2));
      got!.versions.pop();
      got!.policy.deletion_allowed = true;
      expect(await store.getKey('k')).toEqual(record('k', 2));
    });

    it('refuses a second key of the same name', async () => {
      const store = await makeStore();
      await store.createKey(record('k'));
      await expect(store.createKey(record('k'))).rejects.toMatchObject({ code: 'conflict' });
    });

    it('adds a version only when the latest is the expected one, with its rotation event', async () => {
      const store = await makeStore();
      await store.createKey(record('k'));
      await store.addVersion('k', 1, version(2), event('k', 1));
      await expect(
        store.addVersion('k', 1, version(2), event('k', 1, '0190a000-0000-7000-8000-0000000000ff')),
      ).rejects.toMatchObject({
        code: 'conflict',
      });
      expect((await store.getKey('k'))!.versions.map((v) => v.version)).toEqual([1, 2]);
      expect(await store.listRotations('k')).toEqual([event('k', 1)]);
      await expect(store.addVersion('ghost', 1, version(2), event('ghost', 1))).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('lets exactly one of two racing addVersion calls from the same version win', async () => {
      const store = await makeStore();
      await store.createKey(record('k'));
      const results = await Promise.allSettled([
        store.addVersion('k', 1, version(2), event('k', 1, '0190a000-0000-7000-8000-0000000000a1')),
        store.addVersion(
          'k',
          1,
          { ...version(2), wrapped_material: 'mk1:other' },
          event('k', 1, '0190a000-0000-7000-8000-0000000000a2'),
        ),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
        code: 'conflict',
      });
      expect((await store.getKey('k'))!.versions).toHaveLength(2);
      expect(await store.listRotations('k')).toHaveLength(1);
    });

    it('updates policies', async () => {
      const store = await makeStore();
      await store.createKey(record('k', 3));
      const next = { min_decryption_version: 2, auto_rotate_period_ms: 0, deletion_allowed: true };
      await store.updatePolicy('k', next);
      expect((await store.getKey('k'))!.policy).toEqual(next);
      await expect(store.updatePolicy('ghost', next)).rejects.toMatchObject({ code: 'not_found' });
    });

    it('deletes listed versions, ignoring absent ones, and never the latest', async () => {
      const store = await makeStore();
      await store.createKey(record('k', 4));
      expect(await store.deleteVersions('k', [1, 2, 9])).toBe(2);
      expect(await store.deleteVersions('k', [1])).toBe(0);
      await expect(store.deleteVersions('k', [3, 4])).rejects.toMatchObject({ code: 'conflict' });
      expect((await store.getKey('k'))!.versions.map((v) => v.version)).toEqual([3, 4]);
    });

    it('lists keys by name with their latest version, and rotations in recorded order', async () => {
      const store = await makeStore();
      await store.createKey(record('zeta'));
      await store.createKey(record('alpha', 3));
      await store.addVersion('zeta', 1, version(2), event('zeta', 1));
      await store.addVersion('alpha', 3, version(4), event('alpha', 3));
      expect(await store.listKeys()).toEqual([
        {
          name: 'alpha',
          type: 'aes256-gcm',
          policy,
          created_at: T0,
          latest_version: 4,
          latest_version_created_at: version(4).created_at,
        },
        {
          name: 'zeta',
          type: 'aes256-gcm',
          policy,
          created_at: T0,
          latest_version: 2,
          latest_version_created_at: version(2).created_at,
        },
      ]);
      expect(await store.listRotations()).toEqual([event('zeta', 1), event('alpha', 3)]);
      expect(await store.listRotations('alpha')).toEqual([event('alpha', 3)]);
      expect(await store.listRotations('nobody')).toEqual([]);
    });

    it('keeps the first master-key check value', async () => {
      const store = await makeStore();
      expect(await store.initMasterKeyCheck('kcv1:aaaa')).toBe('kcv1:aaaa');
      expect(await store.initMasterKeyCheck('kcv1:bbbb')).toBe('kcv1:aaaa');
    });
  });
}
