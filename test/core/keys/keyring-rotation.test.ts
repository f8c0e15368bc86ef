import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../src/core/errors.js';
import { Keyring } from '../../../src/core/keys/keyring.js';
import { DEFAULT_AUTO_ROTATE_PERIOD_MS } from '../../../src/core/keys/policy.js';
import { makeRig } from './keyring-fixtures.js';

const UUID_V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2025-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

async function rejection(p: Promise<unknown>): Promise<BulwarkError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BulwarkError);
    return e as BulwarkError;
  }
  throw new Error('expected a BulwarkError');
}

describe('rotate', () => {
  it('adds version latest+1 and records a KeyRotationEvent', async () => {
    const { keyring, store } = await makeRig();
    await keyring.createKey('payments', 'aes256-gcm', undefined, { now: T0 });
    const event = await keyring.rotate('payments', {
      rotated_by: 'svc:rotator',
      notes: 'quarterly',
      now: at(DAY),
    });
    expect(event).toEqual({
      id: expect.stringMatching(UUID_V7_RE),
      key_id: 'payments',
      version_from: 1,
      version_to: 2,
      rotated_by: 'svc:rotator',
      timestamp: at(DAY),
      notes: 'quarterly',
    });
    // uuid v7 carries the event time in its first 48 bits
    expect(parseInt(event.id.replace(/-/g, '').slice(0, 12), 16)).toBe(at(DAY).getTime());
    const second = await keyring.rotate('payments', { rotated_by: 'svc:rotator', now: at(2 * DAY) });
    expect(second).toMatchObject({ version_from: 2, version_to: 3, notes: null });
    expect(await keyring.listRotations('payments')).toEqual([event, second]);
    expect(await store.listRotations()).toHaveLength(2);
    const info = await keyring.getKey('payments');
    expect(info.latest_version).toBe(3);
    expect(info.versions.map((v) => [v.version, v.created_at])).toEqual([
      [1, T0],
      [2, at(DAY)],
      [3, at(2 * DAY)],
    ]);
  });

  it('lets exactly one of two rotations racing from the same version win', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const results = await Promise.allSettled([
      keyring.rotate('k', { rotated_by: 'svc:a' }),
      keyring.rotate('k', { rotated_by: 'svc:b' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'conflict',
      details: { latest_version: 2 },
    });
    expect((await keyring.getKey('k')).latest_version).toBe(2);
    expect(await keyring.listRotations('k')).toHaveLength(1);
    // The loser may simply retry, from the new latest.
    expect(await keyring.rotate('k', { rotated_by: 'svc:b' })).toMatchObject({
      version_from: 2,
      version_to: 3,
    });
  });

  it('lets exactly one of many racing processes win', async () => {
    const rig = await makeRig();
    await rig.keyring.createKey('k', 'hmac-sha256');
    const processes = await Promise.all(Array.from({ length: 6 }, () => Keyring.open(rig.store, rig.master)));
    const results = await Promise.allSettled(
      processes.map((p, i) => p.rotate('k', { rotated_by: `svc:${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason.code === 'conflict')).toBe(
      true,
    );
    expect((await rig.store.getKey('k'))!.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('supports check-and-set with expected_version', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    await keyring.rotate('k', { rotated_by: 'svc:a', expected_version: 1 });
    expect(await rejection(keyring.rotate('k', { rotated_by: 'svc:a', expected_version: 1 }))).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/is at version 2, not 1/),
    });
    expect(await rejection(keyring.rotate('k', { rotated_by: 'svc:a', expected_version: 0 }))).toMatchObject({
      code: 'validation_failed',
    });
  });

  it('validates the request and the key', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    for (const bad of ['', '   ', 'svc\nadmin', 'x'.repeat(201), 7]) {
      expect(await rejection(keyring.rotate('k', { rotated_by: bad as string }))).toMatchObject({
        code: 'validation_failed',
        field: 'rotated_by',
      });
    }
    expect(await rejection(keyring.rotate('k', { rotated_by: 's', notes: 'n'.repeat(2001) }))).toMatchObject({
      field: 'notes',
    });
    expect(await rejection(keyring.rotate('k', { rotated_by: 's', now: new Date('nope') }))).toMatchObject({
      field: 'now',
    });
    expect(await rejection(keyring.rotate('ghost', { rotated_by: 's' }))).toMatchObject({
      code: 'not_found',
    });
    expect(await keyring.listRotations('k')).toEqual([]);
  });
});

describe('auto-rotation', () => {
  async function threeKeys() {
    const rig = await makeRig();
    await rig.keyring.createKey('default-90d', 'aes256-gcm', undefined, { now: T0 });
    await rig.keyring.createKey('daily', 'hmac-sha256', { auto_rotate_period_ms: DAY }, { now: T0 });
    await rig.keyring.createKey('manual', 'ed25519', { auto_rotate_period_ms: 0 }, { now: T0 });
    return rig;
  }

  it('lists keys whose latest version outlived the period, longest overdue first', async () => {
    const { keyring } = await threeKeys();
    expect((await keyring.getKey('default-90d')).policy.auto_rotate_period_ms).toBe(
      DEFAULT_AUTO_ROTATE_PERIOD_MS,
    );
    expect(await keyring.dueForRotation(at(DAY - 1))).toEqual([]);
    expect(await keyring.dueForRotation(at(DAY))).toEqual([
      { name: 'daily', latest_version: 1, due_since: at(DAY) },
    ]);
    expect(await keyring.dueForRotation(at(90 * DAY))).toEqual([
      { name: 'daily', latest_version: 1, due_since: at(DAY) },
      { name: 'default-90d', latest_version: 1, due_since: at(90 * DAY) },
    ]);
    await keyring.rotate('daily', { rotated_by: 'svc:cron', now: at(89.5 * DAY) });
    expect((await keyring.dueForRotation(at(90 * DAY))).map((d) => d.name)).toEqual(['default-90d']);
    expect(await keyring.dueForRotation(at(91 * DAY))).toEqual([
      { name: 'default-90d', latest_version: 1, due_since: at(90 * DAY) },
      { name: 'daily', latest_version: 2, due_since: at(90.5 * DAY) },
    ]);
  });

  it('rotates each due key once even when several processes run rotateDue together', async () => {
    const rig = await threeKeys();
    const others = await Promise.all([
      Keyring.open(rig.store, rig.master),
      Keyring.open(rig.store, rig.master),
    ]);
    const now = at(100 * DAY);
    const runs = await Promise.all(
      [rig.keyring, ...others].map((k) => k.rotateDue({ rotated_by: 'svc:cron', now })),
    );
    const rotated = runs.flatMap((r) => r.rotated);
    expect(rotated.map((e) => e.key_id).sort()).toEqual(['daily', 'default-90d']);
    expect(rotated.every((e) => e.version_to === 2 && e.timestamp.getTime() === now.getTime())).toBe(true);
    expect(runs.flatMap((r) => r.skipped).sort()).toEqual(['daily', 'daily', 'default-90d', 'default-90d']);
    expect(await rig.keyring.dueForRotation(now)).toEqual([]);
    // Sequentially, a second run right after finds nothing to do.
    expect(await rig.keyring.rotateDue({ rotated_by: 'svc:cron', now })).toEqual({
      rotated: [],
      skipped: [],
    });
  });
});

describe('policy', () => {
  it('validates settings and refuses unknown ones', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    for (const [patch, field] of [
      [{ auto_rotate_period_ms: 1000 }, 'policy.auto_rotate_period_ms'],
      [{ auto_rotate_period_ms: -1 }, 'policy.auto_rotate_period_ms'],
      [{ deletion_allowed: 'yes' }, 'policy.deletion_allowed'],
      [{ min_decryption_version: 1.5 }, 'policy.min_decryption_version'],
      [{ min_encryption_version: 2 }, 'policy.min_encryption_version'],
    ] as const) {
      expect(await rejection(keyring.updatePolicy('k', patch as never))).toMatchObject({
        code: 'validation_failed',
        field,
      });
    }
    expect(
      await rejection(keyring.createKey('k2', 'aes256-gcm', { min_decryption_version: 2 })),
    ).toMatchObject({
      field: 'policy.min_decryption_version',
    });
    const info = await keyring.updatePolicy('k', { auto_rotate_period_ms: 0, deletion_allowed: true });
    expect(info.policy).toEqual({
      min_decryption_version: 1,
      auto_rotate_period_ms: 0,
      deletion_allowed: true,
    });
    expect((await keyring.getKey('k')).policy).toEqual(info.policy);
  });
});

describe('trimVersions', () => {
  async function keyWithVersions(deletionAllowed: boolean, versions: number) {
    const rig = await makeRig();
    await rig.keyring.createKey('k', 'aes256-gcm', { deletion_allowed: deletionAllowed });
    const tokens = [await rig.keyring.encrypt('k', 'v1')];
    for (let v = 2; v <= versions; v++) {
      await rig.keyring.rotate('k', { rotated_by: 'svc' });
      tokens.push(await rig.keyring.encrypt('k', `v${v}`));
    }
    return { ...rig, tokens };
  }

  it('is refused unless the policy allows deletion', async () => {
    const { keyring } = await keyWithVersions(false, 3);
    await keyring.updatePolicy('k', { min_decryption_version: 3 });
    expect(await rejection(keyring.trimVersions('k', 2))).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/does not allow deleting versions/),
    });
  });

  it('never deletes a version still allowed to decrypt (nor, therefore, the latest)', async () => {
    const { keyring } = await keyWithVersions(true, 3);
    expect(await rejection(keyring.trimVersions('k', 2))).toMatchObject({
      message: expect.stringMatching(/must not exceed min_decryption_version \(1\)/),
    });
    await keyring.updatePolicy('k', { min_decryption_version: 3 });
    expect(await rejection(keyring.trimVersions('k', 4))).toMatchObject({ code: 'validation_failed' });
  });

  it('deletes versions below the given one for good', async () => {
    const { keyring, store, tokens } = await keyWithVersions(true, 4);
    await keyring.updatePolicy('k', { min_decryption_version: 3 });
    const info = await keyring.trimVersions('k', 3);
    expect(info.min_available_version).toBe(3);
    expect(info.versions.map((v) => v.version)).toEqual([3, 4]);
    expect((await store.getKey('k'))!.versions.map((v) => v.version)).toEqual([3, 4]);
    expect(await rejection(keyring.decrypt('k', tokens[0]!))).toMatchObject({ code: 'crypto_failed' });
    expect((await keyring.decrypt('k', tokens[2]!)).toString()).toBe('v3');
    expect((await keyring.decrypt('k', tokens[3]!)).toString()).toBe('v4');
    // Trimming again to the same point is a no-op.
    expect((await keyring.trimVersions('k', 3)).versions).toHaveLength(2);
  });
});
