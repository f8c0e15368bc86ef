/**
 * `serve` and the keyring, as a newcomer meets them: no master key configured → the default key
 * file is generated (0600) beside the SQLite database and the log says so; keys due by policy are
 * rotated by the scheduler as `system`; the timer does not keep the process from exiting.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { startRotationScheduler } from '../../src/app/keys/rotation-scheduler.js';
import { FakeClock } from '../support/app.js';

const TSX = path.resolve('node_modules/.bin/tsx');
const CHILD = path.resolve('test/keys/fixtures/cli-child.ts');
const DAY = 86_400_000;

function serve(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  started: Promise<string>;
} {
  let out = '';
  const child = spawn(TSX, [CHILD, 'serve', '--port', '0'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
    const poll = setInterval(() => {
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(m[1]!);
      }
    }, 50);
  });
  return { child, output: () => out, started };
}

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

describe('serve with the keyring', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'bulwark-serve-keys-'));
    dirs.push(d);
    return d;
  };

  it(
    'generates the default master key file on first start, logs it, and reuses it',
    { timeout: 60_000 },
    async () => {
      const dir = tmp();
      const db = path.join(dir, 'bulwark.db');
      const first = serve({ BULWARK_DATABASE_URL: `sqlite:${db}` });
      await first.started;
      expect(first.output()).toContain(`generated one in ${db}.master-key (mode 0600)`);
      expect(statSync(`${db}.master-key`).mode & 0o777).toBe(0o600);
      await stop(first.child);

      const second = serve({ BULWARK_DATABASE_URL: `sqlite:${db}` });
      await second.started;
      expect(second.output()).not.toContain('generated');
      await stop(second.child);

      // A lost key file is not silently replaced: serve refuses to start, naming the problem.
      rmSync(`${db}.master-key`);
      const third = serve({ BULWARK_DATABASE_URL: `sqlite:${db}` });
      await expect(third.started).rejects.toThrow(/already holds a keyring/);
      expect(existsSync(`${db}.master-key`)).toBe(false);
    },
  );

  it('rotates keys due by policy at start, as system', { timeout: 60_000 }, async () => {
    const dir = tmp();
    const url = `sqlite:${path.join(dir, 'due.db')}`;
    const masterKey =
      'k'.repeat(0) + Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1)).toString('base64');
    const clock = new FakeClock(Date.now() - 3 * DAY);
    const b = await createBulwark(
      { database_url: url, master_key: masterKey },
      { logLevel: 'silent', env: {}, clock },
    );
    await b.keys.create(
      { name: 'due.daily', type: 'aes256-gcm', policy: { auto_rotate_period_ms: DAY } },
      { id: 'test', ip: '127.0.0.1' },
    );
    await b.keys.create({ name: 'not.due', type: 'aes256-gcm' }, { id: 'test', ip: '127.0.0.1' });
    await b.close();

    const s = serve({ BULWARK_DATABASE_URL: url, BULWARK_MASTER_KEY: masterKey });
    await s.started;
    const deadline = Date.now() + 20_000;
    while (!s.output().includes('rotated a key due by policy') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await stop(s.child);
    expect(s.output()).toContain('"key":"due.daily"');

    const after = await createBulwark(
      { database_url: url, master_key: masterKey },
      { logLevel: 'silent', env: {} },
    );
    try {
      expect((await after.keys.rotations()).map((e) => [e.key_id, e.rotated_by, e.version_to])).toEqual([
        ['due.daily', 'system', 2],
      ]);
      const audit = await after.audit.list({ event_type: ['key_rotation'] }, { limit: 10, order: 'asc' });
      expect(audit.items.map((r) => r.user_id)).toEqual(['system']);
    } finally {
      await after.close();
    }
  });

  it('the scheduler runs passes on its interval and stops', async () => {
    const clock = new FakeClock(Date.now());
    const b = await createBulwark(
      { database_url: 'sqlite::memory:' },
      { logLevel: 'silent', env: {}, clock },
    );
    try {
      await b.keys.create(
        { name: 'hourly', type: 'hmac-sha256', policy: { auto_rotate_period_ms: 3_600_000 } },
        { id: 't', ip: '127.0.0.1' },
      );
      const scheduler = startRotationScheduler(b.keys, 20, b.logger);
      clock.advance(3_600_001);
      const deadline = Date.now() + 5000;
      while ((await b.keys.rotations('hourly')).length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      scheduler.stop();
      expect(await b.keys.rotations('hourly')).toHaveLength(1);
      await scheduler.runOnce(); // not due again: nothing more
      expect(await b.keys.rotations('hourly')).toHaveLength(1);
    } finally {
      await b.close();
    }
  });
});
