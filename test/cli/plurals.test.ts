/**
 * Counts a person reads say "1 checkpoint" and "2 checkpoints", never "1 checkpoints": every CLI
 * count goes through `count()`, and the commands the tester ran are checked at one and at two.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { count } from '../../src/cli/output.js';
import { buildProgram } from '../../src/cli/main.js';
import { event } from '../audit/support/ledger.js';
import { runCli } from '../support/cli.js';
import type { Command } from 'commander';

describe('count()', () => {
  it('is singular at exactly one, plural otherwise, with an irregular plural and an unknown count', () => {
    expect(count(1, 'finding')).toBe('1 finding');
    expect(count(0, 'finding')).toBe('0 findings');
    expect(count(2, 'lockout ban')).toBe('2 lockout bans');
    expect(count(1, 'advisory', 'advisories')).toBe('1 advisory');
    expect(count(3, 'advisory', 'advisories')).toBe('3 advisories');
    expect(count(1.5, 'day')).toBe('1.5 days');
    expect(count(null, 'day')).toBe('- days');
  });
});

describe('CLI counts, singular and plural', () => {
  let dir: string;
  let db: string;
  const saved = { ...process.env };
  const run = (...args: string[]) => runCli(db, args, { terminate: true });
  const append = async (...seqs: number[]) => {
    const b = await createBulwark({ database_url: db }, { logLevel: 'silent', env: {} });
    await b.audit.appendBatch(seqs.map((i) => event(i)));
    await b.close();
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-plurals-'));
    db = `sqlite:${path.join(dir, 'p.db')}`;
    await append(1);
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('audit keygen / public-keys / checkpoint / verify / export / checkpoints check', async () => {
    const keyDir = path.join(dir, 'keys');
    expect((await run('audit', 'keygen', '--out', keyDir)).code).toBe(0);
    process.env.BULWARK_AUDIT_SIGNING_KEY_FILE = path.join(keyDir, 'audit-signing-key.pem');
    const pub = path.join(keyDir, 'audit-signing-key.pub.pem');

    const keys = await run('audit', 'checkpoints', 'public-keys', '--out', path.join(dir, 'keys.jsonl'));
    expect(keys.stderr).toContain('wrote 1 public key to');

    expect((await run('audit', 'checkpoint')).code).toBe(0);
    expect((await run('audit', 'verify', '--public-key', pub)).stdout).toContain(
      'ok: seq 1..1 verified (1 row, 1 signed checkpoint)',
    );
    const one = path.join(dir, 'one.jsonl');
    expect((await run('audit', 'export', '--format', 'jsonl', '--out', one)).stderr).toContain(
      'exported 1 event to',
    );
    const cps1 = path.join(dir, 'cps1.jsonl');
    expect((await run('audit', 'checkpoints', 'export', '--out', cps1)).stderr).toContain(
      'exported 1 checkpoint to',
    );
    expect((await run('audit', 'checkpoints', 'check', cps1, '--public-key', pub)).stdout).toContain(
      'ok: 1 checkpoint signed by this key',
    );

    await append(2, 3);
    expect((await run('audit', 'checkpoint')).code).toBe(0);
    expect((await run('audit', 'verify', '--public-key', pub)).stdout).toContain(
      'ok: seq 1..3 verified (3 rows, 2 signed checkpoints)',
    );
    expect(
      (await run('audit', 'export', '--format', 'jsonl', '--out', path.join(dir, 'all.jsonl'))).stderr,
    ).toContain('exported 3 events to');
    const cps2 = path.join(dir, 'cps2.jsonl');
    expect((await run('audit', 'checkpoints', 'export', '--out', cps2)).stderr).toContain(
      'exported 2 checkpoints to',
    );
    expect((await run('audit', 'checkpoints', 'check', cps2, '--public-key', pub)).stdout).toContain(
      'ok: 2 checkpoints signed by this key',
    );
  });

  it('anomalies over an empty window: zero is plural', async () => {
    const r = await run('anomalies', '--since', '2001-01-01T00:00:00Z', '--until', '2001-01-02T00:00:00Z');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 findings, 0 lockout bans, 0 attempts in the window');
    expect(r.stdout).toContain('; 0 read with the look-back)');
  });
});

describe('help', () => {
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];

  it('no option states its default in words when commander already prints it', () => {
    const program = buildProgram({ stdout: () => {}, stderr: () => {} }, () => {});
    const doubled = all(program).flatMap((c) =>
      c.options
        .filter((o) => o.defaultValue !== undefined && /\bdefault\b/i.test(o.description))
        .map((o) => `${c.name()} ${o.flags}`),
    );
    expect(doubled).toEqual([]);
  });

  it('audit tail --help shows each default once', async () => {
    const r = await runCli('sqlite::memory:', ['audit', 'tail', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(default: 10)');
    expect(r.stdout).toContain('(default: 1000)');
    expect(r.stdout).not.toMatch(/\(default \d+\)/);
  });
});
