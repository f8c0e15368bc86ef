/**
 * Two processes on one SQLite file rotate the same key from the same version at the same moment,
 * several rounds: each round exactly one wins and the other gets `conflict`, and the audit chain the
 * two processes appended to stays one unforked, gap-free, verifiable chain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { verifyChain } from '../../src/core/audit/hash-chain.js';
import { newMasterKey } from './keys-app.js';

const TSX = path.resolve('node_modules/.bin/tsx');
const CHILD = path.resolve('test/keys/fixtures/rotate-child.ts');
const ROUNDS = 4;

interface Outcome {
  round: number;
  ok: boolean;
  code?: string;
  version_to?: number;
}

function contender(url: string, key: string) {
  const child: ChildProcess = spawn(TSX, [CHILD, url, key, '1', String(ROUNDS)], {
    env: { PATH: process.env.PATH },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const waitFor = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`contender stalled:\n${out}\n${err}`)), 30_000);
      const poll = setInterval(() => {
        if (out.split('\n').filter(Boolean).length >= n) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 10);
    });
  return {
    child,
    waitFor,
    go: () => child.stdin!.write('go\n'),
    outcomes: (): Outcome[] =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Outcome),
  };
}

describe('rotation race between two processes on one SQLite file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-procs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets exactly one win each round and keeps one audit chain', { timeout: 90_000 }, async () => {
    const url = `sqlite:${path.join(dir, 'race.db')}`;
    const key = newMasterKey();
    const setup = await createBulwark(
      { database_url: url, master_key: key },
      { logLevel: 'silent', env: {} },
    );
    await setup.keys.create({ name: 'shared', type: 'aes256-gcm' }, { id: 'test', ip: '127.0.0.1' });
    await setup.close();

    const a = contender(url, key);
    const b = contender(url, key);
    try {
      await Promise.all([a.waitFor(1), b.waitFor(1)]);
      for (let round = 0; round < ROUNDS; round++) {
        a.go();
        b.go();
        await Promise.all([a.waitFor(round + 2), b.waitFor(round + 2)]);
        const both = [a.outcomes()[round]!, b.outcomes()[round]!];
        expect(
          both.filter((o) => o.ok),
          JSON.stringify(both),
        ).toHaveLength(1);
        expect(both.find((o) => !o.ok)!.code, JSON.stringify(both)).toBe('conflict');
        expect(both.find((o) => o.ok)!.version_to).toBe(round + 2);
      }
    } finally {
      a.child.kill();
      b.child.kill();
    }

    const after = await createBulwark(
      { database_url: url, master_key: key },
      { logLevel: 'silent', env: {} },
    );
    try {
      expect((await after.keys.show('shared')).latest_version).toBe(ROUNDS + 1);
      const events = await after.keys.rotations('shared');
      expect(events.map((e) => e.version_to)).toEqual([2, 3, 4, 5]);
      const audited = await after.audit.list({ event_type: ['key_rotation'] }, { limit: 50, order: 'asc' });
      expect(audited.items.map((r) => JSON.parse(r.metadata).version_to)).toEqual([2, 3, 4, 5]);
      const head = await after.store.db
        .selectFrom('audit_chain_head')
        .select('seq')
        .executeTakeFirstOrThrow();
      const rows = await after.store.db.selectFrom('security_audit_log').selectAll().orderBy('seq').execute();
      const verdict = await verifyChain(
        rows.map((r) => ({ ...r, seq: Number(r.seq), timestamp: Number(r.timestamp) })),
      );
      expect(verdict).toMatchObject({ ok: true, count: Number(head.seq) });
    } finally {
      await after.close();
    }
  });
});
