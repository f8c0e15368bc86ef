import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { event } from './support/ledger.js';
import { runCli } from '../support/cli.js';

describe('bulwark audit CLI', () => {
  let dir: string;
  let db: string;
  let keyDir: string;
  const saved = { ...process.env };

  const run = (...args: string[]) => runCli(db, args, { terminate: true });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-audit-cli-'));
    db = `sqlite:${path.join(dir, 'a.db')}`;
    keyDir = path.join(dir, 'keys');
    const b = await createBulwark({ database_url: db }, { logLevel: 'silent', env: {} });
    await b.audit.appendBatch([
      ...Array.from({ length: 24 }, (_, i) => event(i + 1)),
      event(25, { action: '=HYPERLINK("http://evil")', metadata: { note: 'a "quoted", comma\nline' } }),
    ]);
    await b.close();
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('verify on an empty ledger (e.g. a mistyped --db) says it is empty, not "seq 1..0 verified"', async () => {
    const typo = `sqlite:${path.join(dir, 'typo.db')}`;
    const r = await runCli(typo, ['audit', 'verify'], { terminate: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'ok: the ledger is empty: no events to verify (check --db if you expected some)',
    );
    expect(r.stdout).not.toContain('1..0');
  });

  it('verify without a key: ok, and says checkpoints are unavailable', async () => {
    const r = await run('audit', 'verify');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: seq 1..25 verified (25 rows, 0 signed checkpoints)');
    expect(r.stderr).toMatch(/checkpoints unavailable/);
    const j = JSON.parse((await run('audit', 'verify', '--json', '--from', '5', '--to', '9')).stdout);
    expect(j).toMatchObject({ ok: true, from: 5, to: 9, checked: 5, checkpoints: 'unavailable' });
    expect((await run('audit', 'checkpoint')).code).toBe(2);
  });

  it('keygen, checkpoint, export checkpoints and check them offline with the public key alone', async () => {
    expect((await run('audit', 'keygen', '--out', keyDir)).code).toBe(0);
    expect((await run('audit', 'keygen', '--out', keyDir)).code).toBe(2); // never overwrites
    process.env.BULWARK_AUDIT_SIGNING_KEY_FILE = path.join(keyDir, 'audit-signing-key.pem');
    const cp = JSON.parse((await run('audit', 'checkpoint', '--json')).stdout);
    expect(cp).toMatchObject({
      created: true,
      checkpoint: { seq: 25, key_id: 'audit-checkpoint', key_version: 1 },
    });
    expect((await run('audit', 'checkpoint')).stdout).toContain('already signed');
    const out = path.join(dir, 'cps.jsonl');
    expect((await run('audit', 'checkpoints', 'export', '--out', out)).code).toBe(0);
    const pub = path.join(keyDir, 'audit-signing-key.pub.pem');
    const ok = await run('audit', 'checkpoints', 'check', out, '--public-key', pub);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('ok: 1 checkpoint signed by this key');
    const forged = readFileSync(out, 'utf8').replace(/"seq":25/, '"seq":24');
    writeFileSync(path.join(dir, 'forged.jsonl'), forged);
    expect(
      (await run('audit', 'checkpoints', 'check', path.join(dir, 'forged.jsonl'), '--public-key', pub)).code,
    ).toBe(1);
    const v = JSON.parse((await run('audit', 'verify', '--json', '--public-key', pub)).stdout);
    expect(v).toMatchObject({ ok: true, checkpoints: 'verified', checkpoints_checked: 1 });
  });

  it('tail prints the last N oldest first; -f follows until the seq asked for', async () => {
    const r = await run('audit', 'tail', '-n', '3');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('#23');
    expect(lines[2]).toContain('#25');
    expect(lines[2]).not.toMatch(/\n/);
    const b = await createBulwark({ database_url: db }, { logLevel: 'silent', env: {} });
    const later = setTimeout(() => void b.audit.appendBatch([event(26), event(27)]), 150);
    const f = await run('audit', 'tail', '-n', '1', '-f', '--interval', '50', '--until-seq', '27', '--json');
    clearTimeout(later);
    await b.close();
    const seqs = f.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).seq);
    expect(seqs).toEqual([25, 26, 27]);
  });

  it('exports JSON lines and CSV (quoted, formula-safe), with filters', async () => {
    const jsonl = await run('audit', 'export', '--format', 'jsonl', '--to', '25');
    const rows = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(25);
    expect(rows[0].metadata).toEqual({ i: 1, nested: { list: [1, 'v1'] } });
    const filtered = await run(
      'audit',
      'export',
      '--format',
      'jsonl',
      '--outcome',
      'denied',
      '--user-id',
      'user-1',
    );
    const f = filtered.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.outcome === 'denied' && x.user_id === 'user-1')).toBe(true);
    const file = path.join(dir, 'out.csv');
    expect(
      (await run('audit', 'export', '--format', 'csv', '--out', file, '--from', '25', '--to', '25')).code,
    ).toBe(0);
    const csv = readFileSync(file, 'utf8');
    const [header, line] = csv.split('\r\n');
    expect(header).toBe(
      'seq,id,timestamp,event_type,outcome,user_id,source_ip,action,metadata,prev_hash,hash',
    );
    expect(line).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(line).not.toMatch(/,=/);
    expect(csv.split('\r\n')).toHaveLength(3); // header, row, trailing
    for (const bad of [
      ['--format', 'xml'],
      ['--format', 'csv', '--event-type', 'nope'],
      ['--format', 'csv', '--source-ip', 'x'],
      ['--format', 'csv', '--since', 'yesterday'],
    ])
      expect((await run('audit', 'export', ...bad)).code, bad.join(' ')).toBe(2);
  });

  it('proof and proof-check offline; an altered proof fails', async () => {
    const p = await run('audit', 'proof', '7');
    expect(p.code).toBe(0);
    const file = path.join(dir, 'proof.json');
    writeFileSync(file, p.stdout);
    const proof = JSON.parse(p.stdout);
    expect(proof).toMatchObject({ seq: 7, leaf_index: 6, tree_size: 25 });
    expect(proof.checkpoint.seq).toBe(25);
    expect((await run('audit', 'proof-check', file)).code).toBe(0);
    proof.row.outcome = proof.row.outcome === 'allowed' ? 'denied' : 'allowed';
    writeFileSync(file, JSON.stringify(proof));
    const bad = await run('audit', 'proof-check', file);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('altered');
    expect((await run('audit', 'proof', '999')).code).toBe(2);
  });

  it('refuses ranges past the head (exit 2, naming the head) and inverted ranges, in flag names', async () => {
    const head = JSON.parse((await run('audit', 'verify', '--json')).stdout).to as number;
    const from = await run('audit', 'verify', '--from', '999999');
    expect(from.code).toBe(2);
    expect(from.stdout).toBe('');
    expect(from.stderr.trim()).toBe(
      `bulwark: validation_failed: --from: is past the head of the audit log (seq ${head})`,
    );
    const to = await run('audit', 'verify', '--to', String(head + 1));
    expect(to.code).toBe(2);
    expect(to.stderr.trim()).toBe(
      `bulwark: validation_failed: --to: is past the head of the audit log (seq ${head})`,
    );
    const inverted = await run('audit', 'verify', '--from', '5', '--to', '2');
    expect(inverted.code).toBe(2);
    expect(inverted.stderr.trim()).toBe('bulwark: validation_failed: --from: must not be after --to');
    const zero = await run('audit', 'proof', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr.trim()).toBe('bulwark: validation_failed: seq: must be a whole number ≥ 1');
    const past = await run('audit', 'proof', '999999');
    expect(past.code).toBe(2);
    expect(past.stderr.trim()).toBe(
      `bulwark: validation_failed: seq: is past the head of the audit log (seq ${head})`,
    );
    const window = await run(
      'audit',
      'export',
      '--format',
      'jsonl',
      '--since',
      '2026-01-02T00:00:00Z',
      '--until',
      '2026-01-01T00:00:00Z',
    );
    expect(window.code).toBe(2);
    expect(window.stderr.trim()).toBe('bulwark: validation_failed: --until: must be later than --since');
    const seqs = await run('audit', 'export', '--format', 'jsonl', '--from', '9', '--to', '3');
    expect(seqs.code).toBe(2);
    expect(seqs.stderr.trim()).toBe('bulwark: validation_failed: --from: must not be after --to');
  });

  it('verify exits 1 and names the bad seq when the file was edited around the triggers', async () => {
    const h = new BetterSqlite3(path.join(dir, 'a.db'));
    h.exec('drop trigger security_audit_log_no_update');
    // Every column but seq and hash is generated from body: an edit goes through it.
    h.prepare(
      "update security_audit_log set body = json_set(body, '$.action', 'logout') where seq = 4",
    ).run();
    h.close();
    const r = await run('audit', 'verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('BROKEN at seq 4: hash_mismatch');
    expect(JSON.parse((await run('audit', 'verify', '--json')).stdout)).toMatchObject({
      ok: false,
      first_bad_seq: 4,
    });
  });
});
