/** KeyService end to end on SQLite and PostgreSQL: management, audited rotation, races, policy, deletion. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { SqlKeyStore } from '../../src/adapters/sql/key-store.js';
import { verifyChain } from '../../src/core/audit/hash-chain.js';
import { describeEachBackend } from '../support/backends.js';
import { FakeClock } from '../support/app.js';

const admin = { id: 'token:ops', ip: '203.0.113.7' };
const DAY = 86_400_000;
const masterKey = () => randomBytes(32).toString('base64');

async function auditRows(b: Bulwark, type: string) {
  const page = await b.audit.list({ event_type: [type] }, { limit: 100, order: 'asc' });
  return page.items.map((r) => ({ ...r, metadata: JSON.parse(r.metadata) as Record<string, unknown> }));
}

describeEachBackend('KeyService', (backend) => {
  let b: Bulwark;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock();
    b = await createBulwark(
      { database_url: backend.url(), master_key: masterKey() },
      { clock, logLevel: 'silent', env: {} },
    );
  });
  afterEach(async () => {
    await b.close();
  });

  it('creates, lists and shows keys without material, and audits the creation', async () => {
    const info = await b.keys.create({ name: 'orders.pii', type: 'aes256-gcm' }, admin);
    expect(info).toMatchObject({ name: 'orders.pii', type: 'aes256-gcm', latest_version: 1 });
    expect(info.policy).toEqual({
      min_decryption_version: 1,
      auto_rotate_period_ms: 90 * DAY,
      deletion_allowed: false,
    });
    // Bulwark's own redaction key exists from the start; nothing else but the new key.
    expect((await b.keys.list()).map((k) => k.name)).toEqual(['bulwark.audit.redaction', 'orders.pii']);
    expect(JSON.stringify(await b.keys.show('orders.pii'))).not.toContain('mk1:');
    const [created] = await auditRows(b, 'config_change').then((r) =>
      r.filter((x) => x.action === 'key.create' && x.metadata.key_name === 'orders.pii'),
    );
    expect(created).toMatchObject({ user_id: 'token:ops', source_ip: '203.0.113.7', outcome: 'allowed' });
    expect(created!.metadata).toMatchObject({ key_name: 'orders.pii', type: 'aes256-gcm' });
    await expect(b.keys.create({ name: 'orders.pii', type: 'ed25519' }, admin)).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(b.keys.show('nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rotates: the new version, a KeyRotationEvent and a key_rotation audit entry', async () => {
    await b.keys.create({ name: 'k', type: 'aes256-gcm' }, admin);
    const before = await b.keys.encrypt('k', 'card 4111', 'row-1');
    clock.advance(1000);
    const event = await b.keys.rotate('k', { notes: 'quarterly' }, admin);
    expect(event).toMatchObject({
      key_id: 'k',
      version_from: 1,
      version_to: 2,
      rotated_by: 'token:ops',
      notes: 'quarterly',
    });
    expect(event.timestamp.getTime()).toBe(clock.now());
    expect(await b.keys.rotations('k')).toEqual([event]);
    const [audited] = await auditRows(b, 'key_rotation');
    expect(audited).toMatchObject({
      user_id: 'token:ops',
      source_ip: '203.0.113.7',
      action: 'key.rotate',
      outcome: 'allowed',
      timestamp: clock.now(),
    });
    expect(audited!.metadata).toEqual({
      key_name: 'k',
      rotation_id: event.id,
      version_from: 1,
      version_to: 2,
      notes: 'quarterly',
    });
    // Old ciphertexts still decrypt; new ones name version 2; rewrap moves old ones up.
    expect((await b.keys.decrypt('k', before, 'row-1')).toString()).toBe('card 4111');
    expect(await b.keys.encrypt('k', 'x')).toMatch(/^bulwark:v2:/);
    const rewrapped = await b.keys.rewrap('k', before, 'row-1');
    expect(rewrapped).toMatch(/^bulwark:v2:/);
    expect((await b.keys.decrypt('k', rewrapped, 'row-1')).toString()).toBe('card 4111');
  });

  it('rolls the version and the event back when the audit entry cannot be written', async () => {
    await b.keys.create({ name: 'k', type: 'hmac-sha256' }, admin);
    const failing = new SqlKeyStore(b.store, {
      onRotation: {
        inTransaction: async () => {
          throw new Error('audit store down');
        },
        inSqliteTransaction: () => {
          throw new Error('audit store down');
        },
      },
    });
    const record = (await failing.getKey('k'))!;
    await expect(
      failing.addVersion(
        'k',
        1,
        { version: 2, created_at: new Date(), wrapped_material: 'mk1:x' },
        {
          id: '0190a000-0000-7000-8000-000000000001',
          key_id: 'k',
          version_from: 1,
          version_to: 2,
          rotated_by: 'svc',
          timestamp: new Date(),
          notes: null,
        },
      ),
    ).rejects.toThrow('audit store down');
    expect(await failing.getKey('k')).toEqual(record);
    expect(await failing.listRotations('k')).toEqual([]);
    expect((await failing.listKeys())[0]!.latest_version).toBe(1);
  });

  it('audits policy changes as config_change with before and after', async () => {
    await b.keys.create({ name: 'k', type: 'aes256-gcm' }, admin);
    await b.keys.rotate('k', {}, admin);
    const info = await b.keys.updatePolicy(
      'k',
      { min_decryption_version: 2, auto_rotate_period_ms: 30 * DAY },
      admin,
    );
    expect(info.policy).toMatchObject({ min_decryption_version: 2, auto_rotate_period_ms: 30 * DAY });
    const change = (await auditRows(b, 'config_change')).find((r) => r.action === 'key.policy')!;
    expect(change.metadata).toEqual({
      key_name: 'k',
      before: { min_decryption_version: 1, auto_rotate_period_ms: 90 * DAY, deletion_allowed: false },
      after: { min_decryption_version: 2, auto_rotate_period_ms: 30 * DAY, deletion_allowed: false },
    });
    await expect(b.keys.updatePolicy('k', { min_decryption_version: 3 }, admin)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'policy.min_decryption_version',
    });
  });

  it('deletes old versions only when the policy allows it, and audits both outcomes', async () => {
    await b.keys.create({ name: 'k', type: 'aes256-gcm' }, admin);
    const v1 = await b.keys.encrypt('k', 'old');
    await b.keys.rotate('k', {}, admin);
    await b.keys.rotate('k', {}, admin);
    await expect(b.keys.deleteVersionsBelow('k', 2, admin)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'policy.deletion_allowed',
    });
    expect((await b.keys.show('k')).versions).toHaveLength(3);
    await b.keys.updatePolicy('k', { deletion_allowed: true }, admin);
    // Still refused: version 1 may decrypt until min_decryption_version is raised past it.
    await expect(b.keys.deleteVersionsBelow('k', 2, admin)).rejects.toMatchObject({
      field: 'min_available_version',
    });
    await b.keys.updatePolicy('k', { min_decryption_version: 2 }, admin);
    const info = await b.keys.deleteVersionsBelow('k', 2, admin);
    expect(info.versions.map((v) => v.version)).toEqual([2, 3]);
    await expect(b.keys.decrypt('k', v1)).rejects.toMatchObject({ code: 'crypto_failed' });
    const deletions = (await auditRows(b, 'config_change')).filter((r) => r.action === 'key.delete_versions');
    expect(deletions.map((d) => d.outcome)).toEqual(['denied', 'denied', 'allowed']);
    expect(deletions[2]!.metadata).toEqual({ key_name: 'k', deleted_versions: [1] });
  });

  it('rotates keys due by policy as system, once', async () => {
    await b.keys.create({ name: 'fast', type: 'aes256-gcm', policy: { auto_rotate_period_ms: DAY } }, admin);
    await b.keys.create({ name: 'off', type: 'aes256-gcm', policy: { auto_rotate_period_ms: 0 } }, admin);
    await b.keys.create({ name: 'slow', type: 'ed25519' }, admin);
    expect((await b.keys.rotateDue()).rotated).toEqual([]);
    clock.advance(DAY + 1);
    expect((await b.keys.due()).map((d) => d.name)).toEqual(['fast']);
    const { rotated } = await b.keys.rotateDue();
    expect(rotated).toMatchObject([{ key_id: 'fast', version_from: 1, version_to: 2, rotated_by: 'system' }]);
    expect((await b.keys.rotateDue()).rotated).toEqual([]);
    const [audited] = await auditRows(b, 'key_rotation');
    expect(audited).toMatchObject({ user_id: 'system', source_ip: '127.0.0.1' });
  });

  it('shows overdue keys and latest-version ages in posture and health', async () => {
    const empty = await b.posture.summary();
    expect(empty.keys).toMatchObject({ enabled: true, overdue: [] });
    expect((await b.posture.health()).keys_overdue).toEqual([]);
    await b.keys.create(
      { name: 'weekly', type: 'aes256-gcm', policy: { auto_rotate_period_ms: 7 * DAY } },
      admin,
    );
    await b.keys.create({ name: 'never', type: 'hmac-sha256', policy: { auto_rotate_period_ms: 0 } }, admin);
    clock.advance(10 * DAY);
    const p = await b.posture.summary();
    expect(p.keys!.overdue).toEqual([
      {
        name: 'weekly',
        latest_version: 1,
        due_since: new Date(clock.now() - 3 * DAY).toISOString(),
        overdue_days: 3,
      },
    ]);
    expect(p.keys!.latest_version_age_days).toMatchObject({ weekly: 10, never: 10 });
    expect((await b.posture.health()).keys_overdue).toEqual(['weekly']);
    await b.keys.rotate('weekly', {}, admin);
    const after = await b.posture.summary();
    expect(after.keys!.overdue).toEqual([]);
    expect(after.keys!.latest_version_age_days.weekly).toBe(0);
    expect((await b.posture.health()).keys_overdue).toEqual([]);
  });

  it('rotateMany checks every name before rotating any', async () => {
    await b.keys.create({ name: 'a', type: 'aes256-gcm' }, admin);
    await b.keys.create({ name: 'b', type: 'hmac-sha256' }, admin);
    await expect(b.keys.rotateMany(['a', 'ghost'], null, admin)).rejects.toMatchObject({ code: 'not_found' });
    expect(await b.keys.rotations()).toEqual([]);
    const events = await b.keys.rotateMany(['a', 'b', 'a'], 'incident 42', admin);
    expect(events.map((e) => [e.key_id, e.version_to])).toEqual([
      ['a', 2],
      ['b', 2],
    ]);
  });
});

describeEachBackend('rotation race across two instances', (backend) => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('of two rotations from the same version exactly one wins; the other gets conflict', async () => {
    let url = backend.url();
    if (backend.name === 'sqlite') {
      // Two processes' worth of connections need a real file, not :memory:.
      const dir = mkdtempSync(join(tmpdir(), 'bulwark-race-'));
      dirs.push(dir);
      url = `sqlite:${join(dir, 'race.db')}`;
    }
    const key = masterKey();
    const one = await createBulwark({ database_url: url, master_key: key }, { logLevel: 'silent', env: {} });
    const two = await createBulwark({ database_url: url, master_key: key }, { logLevel: 'silent', env: {} });
    try {
      await one.keys.create({ name: 'shared', type: 'aes256-gcm' }, admin);
      for (let round = 1; round <= 5; round++) {
        const results = await Promise.allSettled([
          one.keys.rotate('shared', { expected_version: round, notes: 'one' }, admin),
          two.keys.rotate('shared', { expected_version: round, notes: 'two' }, admin),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(loser.reason).toMatchObject({ code: 'conflict' });
        expect(String(loser.reason.message)).toMatch(/version/);
      }
      const info = await two.keys.show('shared');
      expect(info.latest_version).toBe(6);
      const rotations = await one.keys.rotations('shared');
      expect(rotations.map((r) => r.version_to)).toEqual([2, 3, 4, 5, 6]);
      const audited = await one.audit.list({ event_type: ['key_rotation'] }, { limit: 50, order: 'asc' });
      expect(audited.items).toHaveLength(5);
      // Both instances appended to one chain: unforked, gap-free, every hash sound.
      const rows = await one.store.db.selectFrom('security_audit_log').selectAll().orderBy('seq').execute();
      const verdict = await verifyChain(
        rows.map((r) => ({ ...r, seq: Number(r.seq), timestamp: Number(r.timestamp) })),
      );
      expect(verdict).toMatchObject({ ok: true, count: rows.length });
      // Both instances keep decrypting what the other encrypts, across the versions.
      const ct = await one.keys.encrypt('shared', 'hello');
      expect((await two.keys.decrypt('shared', ct)).toString()).toBe('hello');
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('two store connections racing addVersion directly: one wins', async () => {
    if (backend.name === 'sqlite') return; // the SQLite file case is covered above
    const url = backend.url();
    const key = masterKey();
    const one = await createBulwark({ database_url: url, master_key: key }, { logLevel: 'silent', env: {} });
    const two = await createBulwark({ database_url: url, master_key: key }, { logLevel: 'silent', env: {} });
    try {
      await one.keys.create({ name: 'k', type: 'aes256-gcm' }, admin);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? one : two).keys.rotate('k', { expected_version: 1 }, admin),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(
        results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code),
      ).toEqual(Array(5).fill('conflict'));
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('KeyService disabled', () => {
  it('answers not_configured naming the settings when no master key is available', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-nokey-'));
    try {
      const b = await createBulwark(
        { database_url: `sqlite:${join(dir, 'x.db')}` },
        { logLevel: 'silent', env: {} },
      );
      try {
        expect(b.keys.enabled).toBe(false);
        await expect(b.keys.list()).rejects.toMatchObject({ code: 'not_configured' });
        await expect(async () => b.keys.list()).rejects.toThrow(/BULWARK_MASTER_KEY/);
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
