/**
 * Advisory import from zips (single all.zip, osv-scanner offline tree) with zip-bomb limits, and
 * `advisories sync` against a local HTTP server serving zips built here (no network is used).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { main } from '../../src/cli/main.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/adapters/osv/advisory-files.js';
import { FakeClock } from '../support/app.js';
import { advisorySet } from './support.js';

const zipOf = (records: Record<string, unknown>[], extra: Record<string, Uint8Array> = {}): Uint8Array =>
  zipSync({
    ...Object.fromEntries(records.map((r) => [`${String(r.id)}.json`, strToU8(JSON.stringify(r))])),
    ...extra,
  });

const npm = () => advisorySet().filter((r) => !String(r.id).startsWith('RUSTSEC'));
const crates = () => advisorySet().filter((r) => String(r.id).startsWith('RUSTSEC'));

describe('advisory import from zips', () => {
  let dir: string;
  let b: Bulwark;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bw-zip-'));
    b = await createBulwark(
      { database_url: 'sqlite::memory:' },
      { logLevel: 'silent', env: {}, clock: new FakeClock(Date.UTC(2026, 0, 3)) },
    );
  });
  afterAll(async () => {
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a single all.zip (directories and non-JSON entries skipped)', async () => {
    const file = path.join(dir, 'all.zip');
    writeFileSync(file, zipOf(npm(), { 'README.txt': strToU8('not a record') }));
    const s = await b.advisories.importPath(file);
    expect(s).toMatchObject({ read: 5, inserted: 5, invalid: 0 });
  });

  it('imports an osv-scanner offline tree ({ECOSYSTEM}/all.zip), idempotently', async () => {
    const tree = path.join(dir, 'tree');
    mkdirSync(path.join(tree, 'npm'), { recursive: true });
    mkdirSync(path.join(tree, 'crates.io'), { recursive: true });
    writeFileSync(path.join(tree, 'npm', 'all.zip'), zipOf(npm()));
    writeFileSync(path.join(tree, 'crates.io', 'all.zip'), zipOf(crates()));
    const progress: number[][] = [];
    const s = await b.advisories.importPath(tree, (done, total) => progress.push([done, total]));
    expect(s).toMatchObject({ read: 7, inserted: 2, unchanged: 5 });
    expect(progress.at(-1)?.[0]).toBe(progress.at(-1)?.[1]);
    expect((await b.advisories.status()).advisories).toBe(7);
  });

  it('skips what is not an OSV record, counting it with the file and the reason', async () => {
    const d = path.join(dir, 'mixed');
    mkdirSync(d);
    writeFileSync(
      path.join(d, 'legacy.json'),
      JSON.stringify({ id: 1, title: 'legacy npm advisory', vulnerable_versions: '<1.0.0' }),
    );
    writeFileSync(path.join(d, 'broken.json'), '{"id": "GHSA-xxxx-yyyy-zzzz", "modified": ');
    writeFileSync(
      path.join(d, 'bad-range.json'),
      JSON.stringify({
        id: 'GHSA-bad1-bad2-bad3',
        modified: '2026-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'npm', name: 'x' },
            ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.0' }] }],
          },
        ],
      }),
    );
    const s = await b.advisories.importPath(d);
    expect(s).toMatchObject({ read: 3, invalid: 3, inserted: 0 });
    expect(s.invalid_samples.join('\n')).toMatch(
      /bad-range\.json: affected\.0\.ranges\.0\.events: must contain an introduced event/,
    );
    expect(s.invalid_samples.join('\n')).toMatch(/legacy\.json: id: /);
    expect(s.invalid_samples.join('\n')).toMatch(/broken\.json: .*not valid JSON/);
  });

  it('refuses zip bombs: an entry that inflates past the limit, too much in all, too many entries', async () => {
    const bomb = path.join(dir, 'bomb.zip');
    // 24 MiB of zeros deflates to ~24 KiB: refused once 16 MiB have inflated.
    writeFileSync(bomb, zipSync({ 'big.json': new Uint8Array(24 * 1024 * 1024) }, { level: 1 }));
    await expect(b.advisories.importPath(bomb)).rejects.toMatchObject({
      code: 'unprocessable',
      message: expect.stringMatching(/big\.json.*zip bomb/),
    });

    const many = path.join(dir, 'many.zip');
    writeFileSync(many, zipOf(npm()));
    await expect(
      b.advisories.importPath(many, undefined, { ...DEFAULT_ZIP_LIMITS, maxEntries: 3 }),
    ).rejects.toThrow(/more than 3 entries/);
    await expect(
      b.advisories.importPath(many, undefined, { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 1000 }),
    ).rejects.toThrow(/in all/);
  });

  it('refuses what is not a zip, or a truncated one, naming the file', async () => {
    const junk = path.join(dir, 'junk.zip');
    writeFileSync(junk, 'this is not a zip archive at all');
    await expect(b.advisories.importPath(junk)).rejects.toMatchObject({
      code: 'unprocessable',
      message: expect.stringContaining('junk.zip: not a zip'),
    });
    const cut = path.join(dir, 'cut.zip');
    const whole = zipOf(npm());
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(b.advisories.importPath(cut)).rejects.toMatchObject({
      code: 'unprocessable',
      message: expect.stringContaining('cut.zip'),
    });
    await expect(b.advisories.importPath(path.join(dir, 'missing'))).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});

describe('bulwark advisories sync (local HTTP server)', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const hits: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bw-sync-'));
    const files: Record<string, Uint8Array> = {
      '/osv/npm/all.zip': zipOf(npm()),
      '/osv/crates.io/all.zip': zipOf(crates()),
      '/broken/npm/all.zip': strToU8('<html>not a zip</html>'),
    };
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const body = files[req.url ?? ''];
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length })
        .end(Buffer.from(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(...args: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main(['node', 'bulwark', '--db', `sqlite:${path.join(dir, 'sync.db')}`, ...args], {
      stdout: (t) => stdout.push(t),
      stderr: (t) => stderr.push(t),
    });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  }

  it('downloads {base}/{ECOSYSTEM}/all.zip for npm and crates.io and imports them', async () => {
    const r = await run('advisories', 'sync', '--base-url', `${base}/osv`, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ecosystem: string; url: string; summary: { inserted: number } }[];
    expect(out.map((o) => [o.ecosystem, o.summary.inserted])).toEqual([
      ['npm', 5],
      ['crates.io', 2],
    ]);
    expect(hits).toEqual(['/osv/npm/all.zip', '/osv/crates.io/all.zip']);
    const again = await run('advisories', 'sync', '--base-url', `${base}/osv/`, '--json');
    expect(
      (JSON.parse(again.stdout) as { summary: { unchanged: number } }[]).map((o) => o.summary.unchanged),
    ).toEqual([5, 2]);
    const st = await run('advisories', 'status', '--json');
    expect(JSON.parse(st.stdout)).toMatchObject({
      advisories: 7,
      withdrawn: 1,
      advisories_by_ecosystem: { npm: 5, 'crates.io': 2 },
    });
  });

  it('a 404 or a non-zip answer fails with advisory_source_unavailable (exit 3)', async () => {
    const missing = await run('advisories', 'sync', '--base-url', `${base}/nothing-here`);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(
      /advisory_source_unavailable: download of .*\/nothing-here\/npm\/all\.zip failed: HTTP 404/,
    );
    const broken = await run('advisories', 'sync', '--base-url', `${base}/broken`);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/advisory_source_unavailable: .*not a zip/);
    const bad = await run('advisories', 'sync', '--base-url', 'ftp://example.test');
    expect(bad.code).toBe(2);
  });
});
