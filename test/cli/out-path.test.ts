/**
 * `--out` on every command that has it (issue 5, defect 4): a path that cannot be written is exit 2
 * naming --out, found before any work, never exit 3 with an internal ENOENT.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CARGO_LOCK } from '../deps/support.js';

describe('--out paths that cannot be written', () => {
  let dir: string;
  let db: string;
  let lock: string;
  let file: string;
  let readOnly: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bw-out-'));
    db = `sqlite:${path.join(dir, 'out.db')}`;
    lock = path.join(dir, 'Cargo.lock');
    writeFileSync(lock, CARGO_LOCK);
    file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    readOnly = path.join(dir, 'ro');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
  });
  afterAll(() => {
    chmodSync(readOnly, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(...args: string[]) {
    const stderr: string[] = [];
    const code = await main(['node', 'bulwark', '--db', db, ...args], {
      stdout: () => {},
      stderr: (t) => stderr.push(t),
    });
    return { code, stderr: stderr.join('') };
  }

  const isRoot = process.getuid?.() === 0;
  const targets = (): [string, string, RegExp][] => [
    ['a missing directory', '/nonexistent/dir/x.json', /--out: .*does not exist/],
    ['a directory', dir, /--out: .* is a directory/],
    ['under a file', path.join(file, 'x.json'), /--out: .* is not a directory/],
    ...(isRoot
      ? []
      : ([['a read-only directory', path.join(readOnly, 'x.json'), /not writable/]] as [
          string,
          string,
          RegExp,
        ][])),
  ];

  for (const [command, args] of [
    ['scan', () => ['scan', lock]],
    ['audit export', () => ['audit', 'export', '--format', 'jsonl']],
    ['audit checkpoints export', () => ['audit', 'checkpoints', 'export']],
  ] as const) {
    it(`${command}: exit 2 naming --out, before any work`, async () => {
      for (const [label, out, message] of targets()) {
        const r = await run(...args(), '--out', out);
        expect(r.code, `${command} ${label}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/ENOENT|internal/);
      }
    });
  }

  it('audit keygen --out: a directory under a file is exit 2; a new nested directory is created', async () => {
    const bad = await run('audit', 'keygen', '--out', path.join(file, 'keys'));
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/--out: .* is not a directory/);
    const nested = path.join(dir, 'new', 'keys');
    const ok = await run('audit', 'keygen', '--out', nested);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(path.join(nested, 'audit-signing-key.pem'))).toBe(true);
  });

  it('scan --out to a writable new file still works', async () => {
    const r = await run('scan', lock, '--out', path.join(dir, 'report.json'));
    expect([0, 1]).toContain(r.code);
    expect(existsSync(path.join(dir, 'report.json'))).toBe(true);
  });
});
