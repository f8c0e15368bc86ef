/**
 * Faults found by a fresh-clone trial of the audit ledger and the keyring, each with the answer
 * it must get.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exportCheckpoints } from '../../src/core/audit/checkpoint.js';
import { main } from '../../src/cli/main.js';
import { bearer, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';

describeEachBackend('audit and keyring trial faults', (backend) => {
  let t: TestApp;
  let dir: string;
  const actor = { id: 'admin-test', ip: '127.0.0.1' };
  beforeAll(async () => {
    t = await startTestApp(backend.url());
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-trial-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: bearer(t.tokens.admin), ...(payload ? { payload } : {}) });

  it('verifies a fresh ledger before any checkpoint was signed', async () => {
    const r = await send('GET', '/security/logs/verify');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true, checkpoints: 'verified', checkpoints_checked: 0 });
  });

  it('refuses a batch whose events is not an array, naming events, storing nothing', async () => {
    const before = (await send('GET', '/security/logs/verify')).json().to;
    for (const events of [{}, 5, true, 'x', { 0: {} }]) {
      const r = await send('POST', '/security/logs', { events });
      expect(r.statusCode, JSON.stringify(events)).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed', field: 'events' });
    }
    expect((await send('GET', '/security/logs/verify')).json().to).toBe(before);
  });

  it('refuses an absurd rotation period, storing nothing', async () => {
    await t.bulwark.keys.create({ name: 'data1', type: 'aes256-gcm' }, actor);
    const r = await send('PATCH', '/keys/data1/policy', { auto_rotate_period: '99999999d' });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/3650 days/);
    expect((await send('GET', '/keys/data1')).statusCode).toBe(200);
    const created = await send('POST', '/keys', {
      name: 'bigp',
      type: 'hmac-sha256',
      policy: { auto_rotate_period: '99999999d' },
    });
    expect(created.statusCode).toBe(400);
    expect((await send('GET', '/keys/bigp')).statusCode).toBe(404);
  });

  it('redacts and neutralises rotation notes before they are stored', async () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const r = await send('POST', '/auth/rotate-keys', { key_name: 'data1', notes: `evil\r\nline ${jwt}` });
    expect(r.statusCode).toBe(202);
    const rotations = (await send('GET', '/keys/data1/rotations')).json().items;
    const notes = rotations[rotations.length - 1].notes as string;
    expect(notes).not.toContain(jwt);
    expect(notes).not.toMatch(/[\r\n]/);
    expect(notes).toMatch(/\[REDACTED:jwt/);
  });

  it('gives the checkpoint public keys away, so exported checkpoints check offline across a rotation', async () => {
    await t.bulwark.audit.checkpoint();
    await t.bulwark.keys.rotate('bulwark.audit.checkpoint', { notes: 'quarterly' }, actor);
    await t.bulwark.audit.append({
      event_type: 'config_change',
      source_ip: '127.0.0.1',
      action: 'after rotation',
      outcome: 'allowed',
    });
    await t.bulwark.audit.checkpoint();
    const keys = (
      await t.app.inject({
        method: 'GET',
        url: '/security/logs/checkpoints/public-keys',
        headers: bearer(t.tokens.read),
      })
    ).json().items;
    expect(keys.map((k: { key_version: number }) => k.key_version)).toEqual([1, 2]);
    const cpFile = path.join(dir, `cps-${backend.name}.jsonl`);
    const keyFile = path.join(dir, `keys-${backend.name}.jsonl`);
    writeFileSync(cpFile, exportCheckpoints(await t.bulwark.audit.checkpoints()));
    writeFileSync(keyFile, keys.map((k: object) => JSON.stringify(k)).join('\n'));
    const stdout: string[] = [];
    const io = { stdout: (s: string) => stdout.push(s), stderr: () => {} };
    expect(
      await main(['node', 'bulwark', 'audit', 'checkpoints', 'check', cpFile, '--public-keys', keyFile], io),
    ).toBe(0);
    expect(stdout.join('')).toMatch(/^ok: 2 checkpoints/);
    // Only the new key: the checkpoint signed by version 1 fails.
    writeFileSync(keyFile, JSON.stringify(keys[1]));
    expect(
      await main(['node', 'bulwark', 'audit', 'checkpoints', 'check', cpFile, '--public-keys', keyFile], io),
    ).toBe(1);
  });

  it('refuses to delete versions of the checkpoint key (their checkpoints would no longer verify)', async () => {
    await t.bulwark.keys.updatePolicy(
      'bulwark.audit.checkpoint',
      { deletion_allowed: true, min_decryption_version: 2 },
      actor,
    );
    const r = await send('DELETE', '/keys/bulwark.audit.checkpoint/versions?below=2');
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/would no longer verify/);
    expect((await t.bulwark.audit.verify()).ok).toBe(true);
  });
});
