/**
 * `bulwark scan` through the CLI entry point: discovery, formats (SARIF 2.1.0 and CycloneDX 1.5
 * checked structurally), the --fail-on gate and exit codes, policy files, and malformed lockfiles
 * (each a clear error naming the file, exit 2, never a crash or a hang).
 */
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { assertCycloneDx15, assertSarif210 } from './report-shape.js';
import { advisorySet, CARGO_LOCK, packageLock, writeAdvisoryDir } from './support.js';
import { runCli } from '../support/cli.js';

describe('bulwark scan', () => {
  let dir: string;
  let db: string;
  let project: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bw-scan-cli-'));
    db = `sqlite:${path.join(dir, 'scan.db')}`;
    project = path.join(dir, 'project');
    mkdirSync(path.join(project, 'web', 'node_modules', 'dep'), { recursive: true });
    mkdirSync(path.join(project, 'core', 'target', 'debug'), { recursive: true });
    mkdirSync(path.join(project, '.git'), { recursive: true });
    writeFileSync(path.join(project, 'web', 'package-lock.json'), packageLock());
    writeFileSync(path.join(project, 'core', 'Cargo.lock'), CARGO_LOCK);
    // Installed copies, build output and VCS data are not the project's lockfiles.
    writeFileSync(path.join(project, 'web', 'node_modules', 'dep', 'package-lock.json'), 'garbage');
    writeFileSync(path.join(project, 'core', 'target', 'debug', 'Cargo.lock'), 'garbage');
    writeFileSync(path.join(project, '.git', 'yarn.lock'), 'garbage');
    const adv = writeAdvisoryDir(advisorySet(), path.join(dir, 'advisories'));
    expect((await run('advisories', 'import', adv)).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => runCli(db, args);

  it('walks a directory (skipping node_modules, target, .git), prints JSON off a terminal, exits 1 on findings', async () => {
    const r = await run('scan', project);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as {
      scan_id: string;
      lockfiles: { path: string; findings: { id: string }[] }[];
      summary: { findings: number };
    };
    expect(out.lockfiles.map((l) => path.relative(project, path.resolve(l.path)))).toEqual([
      'core/Cargo.lock',
      'web/package-lock.json',
    ]);
    expect(out.summary.findings).toBe(5);
    const shown = await run('posture', 'health', '--json');
    if (shown.code === 0) expect(JSON.parse(shown.stdout).last_scan).not.toBeNull();
  });

  it('--fail-on gates on unapproved findings at or above the threshold', async () => {
    const cargo = path.join(project, 'core', 'Cargo.lock');
    // Cargo.lock: time (high) and smallvec (informational, never gates).
    expect((await run('scan', cargo, '--fail-on', 'critical')).code).toBe(0);
    expect((await run('scan', cargo, '--fail-on', 'high')).code).toBe(1);
    expect((await run('scan', cargo, '--fail-on', 'bogus')).code).toBe(2);
  });

  it('honours bulwark.toml in the scanned directory (and reports expired / unused approvals)', async () => {
    const core = path.join(dir, 'approved');
    mkdirSync(core, { recursive: true });
    writeFileSync(path.join(core, 'Cargo.lock'), CARGO_LOCK);
    writeFileSync(
      path.join(core, 'bulwark.toml'),
      `[[approvals]]
id = "CVE-2099-0003"          # an alias of RUSTSEC-2099-0002
reason = "DoS only, behind auth"
approver = "alice"
expires = 2999-01-01

[[approvals]]
id = "GHSA-none-none-none"
reason = "old"
approver = "bob"
expires = 2020-01-01
`,
    );
    const r = await run('scan', core, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      approvals: { expired: { advisory_id: string }[]; unused: unknown[] };
      summary: { approved: number };
    };
    expect(out.summary.approved).toBe(1);
    expect(out.approvals.expired.map((e) => e.advisory_id)).toEqual(['GHSA-none-none-none']);
    const table = await run('scan', core, '--format', 'table');
    expect(table.stdout).toContain('approved by alice until 2999-01-01');
    expect(table.stdout).toContain('approval expired: GHSA-none-none-none');

    writeFileSync(
      path.join(core, 'bulwark.toml'),
      '[[approvals]]\nid = "OSV-2020-1"\nreason = "r"\napprover = "a"\n',
    );
    const bad = await run('scan', core);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bulwark\.toml: approvals\.0\.expires/);
  });

  it('writes SARIF 2.1.0 and CycloneDX 1.5 that hold together structurally', async () => {
    const sarifFile = path.join(dir, 'out.sarif');
    const r = await run('scan', project, '--format', 'sarif', '--out', sarifFile);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as {
      runs: { results: { ruleId: string }[] }[];
    };
    assertSarif210(sarif);
    expect(sarif.runs[0]?.results.map((x) => x.ruleId).sort()).toEqual(
      [
        'GHSA-aaaa-bbbb-cccc',
        'GHSA-mmmm-nnnn-pppp',
        'GHSA-qqqq-rrrr-ssss',
        'RUSTSEC-2099-0001',
        'RUSTSEC-2099-0002',
      ].sort(),
    );

    const cdx = await run('scan', project, '--format', 'cyclonedx');
    const bom = assertCycloneDx15(JSON.parse(cdx.stdout));
    expect(bom.components).toContain('pkg:npm/left-pad@1.2.0');
    const lp = bom.vulnerabilities.find((v) => v.id === 'GHSA-aaaa-bbbb-cccc') as {
      affects: { ref: string }[];
    };
    expect(lp.affects.map((a) => a.ref)).toEqual(['pkg:npm/left-pad@1.2.0']);
  });

  it('usage errors exit 2; a store that cannot be reached exits 3', async () => {
    expect((await run('scan')).code).toBe(2);
    expect((await run('scan', project, '--format', 'xml')).code).toBe(2);
    const missing = await run('scan', path.join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/path: .*nope: does not exist/);
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    expect((await run('scan', empty)).stderr).toMatch(/no lockfile found/);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main(
      ['node', 'bulwark', '--db', 'postgres://nobody@127.0.0.1:1/none', 'scan', project],
      {
        stdout: (t) => stdout.push(t),
        stderr: (t) => stderr.push(t),
      },
    );
    expect(code, stderr.join('')).toBe(3);
  });

  it('a stale advisory database warns by default and exits 3 under the fail policy', async () => {
    const cargo = path.join(project, 'core', 'Cargo.lock');
    const saved = { ...process.env };
    try {
      process.env.BULWARK_ADVISORY_MAX_AGE_DAYS = '0.000001';
      const warn = await run('scan', cargo, '--fail-on', 'critical');
      expect(warn.code).toBe(0);
      expect(warn.stderr).toMatch(/warning: the advisory database is \d+ days old/);
      process.env.BULWARK_ADVISORY_STALE_POLICY = 'fail';
      const fail = await run('scan', cargo, '--fail-on', 'critical');
      expect(fail.code).toBe(3);
      expect(fail.stderr).toMatch(/advisories_stale: /);
      const st = await run('advisories', 'status');
      expect(st.code).toBe(3);
      expect(st.stdout).toContain('STALE');
      process.env.BULWARK_ADVISORY_STALE_POLICY = 'sometimes';
      expect((await run('scan', cargo)).code).toBe(2);
    } finally {
      for (const k of ['BULWARK_ADVISORY_MAX_AGE_DAYS', 'BULWARK_ADVISORY_STALE_POLICY']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('advisories status and approvals list print tables and JSON', async () => {
    const st = await run('advisories', 'status', '--json');
    expect(JSON.parse(st.stdout)).toMatchObject({
      advisories: 7,
      advisories_by_ecosystem: { npm: 5, 'crates.io': 2 },
    });
    // Approvals are bounded to 730 days ahead (issue 5): a date relative to the real clock.
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const add = await run(
      'approvals',
      'add',
      'CVE-2099-0003',
      '--reason',
      'behind auth',
      '--expires',
      inAYear,
      '--json',
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toBe(''); // a CVE id is an alias: not looked up, no warning
    const a = JSON.parse(add.stdout) as { id: string; approver: string };
    expect(a.approver).toMatch(/^cli:/);
    const cargo = path.join(project, 'core', 'Cargo.lock');
    expect((await run('scan', cargo, '--fail-on', 'high')).code).toBe(0); // time's finding is approved now
    const list = await run('approvals', 'list', '--json');
    expect((JSON.parse(list.stdout) as { items: { id: string; state: string }[] }).items).toEqual([
      expect.objectContaining({ id: a.id, state: 'active' }),
    ]);
    expect((await run('approvals', 'revoke', a.id)).code).toBe(0);
    expect((await run('approvals', 'revoke', a.id)).code).toBe(2);
    expect((await run('scan', cargo, '--fail-on', 'high')).code).toBe(1);
    expect(
      (await run('approvals', 'add', 'CVE-2099-0003', '--reason', 'x', '--expires', 'soon')).stderr,
    ).toMatch(/expires/);
    const malformed = await run('approvals', 'add', 'NOT-AN-ID', '--reason', 'x', '--expires', inAYear);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/advisory_id: must be an advisory id/);
    const tooFar = await run('approvals', 'add', 'CVE-2099-0003', '--reason', 'x', '--expires', '2999-01-01');
    expect(tooFar.code).toBe(2);
    expect(tooFar.stderr).toMatch(/expires: must be at most 730 days ahead/);
    const unknown = await run(
      'approvals',
      'add',
      'PYSEC-2021-1',
      '--reason',
      'x',
      '--expires',
      inAYear,
      '--json',
    );
    expect(unknown.code, unknown.stderr).toBe(0);
    expect(unknown.stderr).toContain('warning: advisory_id: PYSEC-2021-1 is not in the advisory database');
    expect((await run('approvals', 'revoke', (JSON.parse(unknown.stdout) as { id: string }).id)).code).toBe(
      0,
    );
  });

  it('refuses approvals whose approver or package holds a secret, and lockfile versions that are no version (exit 2)', async () => {
    const S = 'password=hunter2Secret! token ghp_0123456789abcdefghijABCDEFGHIJ012345';
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const add = (...extra: string[]) =>
      run('approvals', 'add', 'GHSA-jf85-cpcp-j695', '--reason', 'r', '--expires', inAYear, ...extra);
    const approver = await add('--approver', S);
    expect(approver.code).toBe(2);
    expect(approver.stderr).toMatch(/approver: looks like a secret/);
    const pkg = await add('--approver', 'a', '--package', S);
    expect(pkg.code).toBe(2);
    expect(pkg.stderr).toMatch(/package: must be an npm package name/);
    for (const r of [approver, pkg]) expect(r.stderr + r.stdout).not.toContain('hunter2');
    expect((await run('approvals', 'list', '--all', '--json')).stdout).not.toContain('hunter2');

    const d = mkdtempSync(path.join(dir, 'secret-'));
    writeFileSync(path.join(d, 'Cargo.lock'), CARGO_LOCK);
    writeFileSync(
      path.join(d, 'bulwark.toml'),
      `[[approvals]]\nid = "GHSA-jf85-cpcp-j695"\nreason = "r"\nexpires = 2999-01-01\napprover = "${S}"\n`,
    );
    const policy = await run('scan', d);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toMatch(/bulwark\.toml: approvals\.0\.approver: looks like a secret/);

    const v = mkdtempSync(path.join(dir, 'version-'));
    writeFileSync(
      path.join(v, 'package-lock.json'),
      JSON.stringify({
        name: 'app',
        lockfileVersion: 3,
        packages: { '': { name: 'app' }, 'node_modules/lodash': { version: 'password=hunter2Secret!' } },
      }),
    );
    const version = await run('scan', path.join(v, 'package-lock.json'));
    expect(version.code).toBe(2);
    expect(version.stderr).toMatch(/package-lock\.json: package lodash: version is not a valid npm version/);
    expect(version.stderr).not.toContain('hunter2');
  });

  describe('malformed lockfiles: a clear error naming the file, exit 2', () => {
    const cases: [string, string, () => string | Buffer, RegExp][] = [
      [
        'truncated JSON',
        'package-lock.json',
        () => packageLock().slice(0, 300),
        /package-lock\.json(:\d+)?: /,
      ],
      [
        'wrong type',
        'package-lock.json',
        () => '{"lockfileVersion": 3, "packages": []}',
        /package-lock\.json/,
      ],
      [
        'binary',
        'yarn.lock',
        () => Buffer.from([0x00, 0xff, 0xfe, 0x00, 0x13, 0x37, 0x00, 0x80]),
        /yarn\.lock/,
      ],
      [
        'deeply nested JSON',
        'package-lock.json',
        () => `{"lockfileVersion":3,"packages":${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
        /package-lock\.json/,
      ],
      [
        'YAML that is not a pnpm lockfile',
        'pnpm-lock.yaml',
        () => 'lockfileVersion: [1, 2\n  : : :',
        /pnpm-lock\.yaml/,
      ],
      ['TOML garbage', 'Cargo.lock', () => '[[package]\nname = ', /Cargo\.lock:\d+/],
      // Wrong-format or unsupported files: refused, never an empty scan that passes the gate.
      [
        'pnpm-lock.yaml without lockfileVersion',
        'pnpm-lock.yaml',
        () => 'name: x\n',
        /pnpm-lock\.yaml: no "lockfileVersion": expected a pnpm lockfile with lockfileVersion 5\.x, 6\.x or 9\.x/,
      ],
      [
        'pnpm-lock.yaml of an unsupported version',
        'pnpm-lock.yaml',
        () => 'lockfileVersion: "99.0"\n',
        /pnpm-lock\.yaml: unsupported lockfileVersion "99\.0": expected 5\.x, 6\.x or 9\.x/,
      ],
      [
        'package-lock.json that is {}',
        'package-lock.json',
        () => '{}',
        /package-lock\.json: no "lockfileVersion": expected an npm lockfile with lockfileVersion 1, 2 or 3/,
      ],
      [
        'Cargo.lock of an unsupported version',
        'Cargo.lock',
        () => 'version = 99\n',
        /Cargo\.lock: unsupported version 99: expected 3 or 4/,
      ],
      ['an empty yarn.lock', 'yarn.lock', () => '', /yarn\.lock: empty file/],
    ];
    it.each(cases)('%s', async (_label, name, content, message) => {
      const d = mkdtempSync(path.join(dir, 'bad-'));
      writeFileSync(path.join(d, name), content());
      const r = await run('scan', path.join(d, name));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^bulwark: unprocessable: cannot parse lockfile /);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe(''); // no report: nothing was scanned
    });

    it('100 MB of garbage is refused by its size before it is read', async () => {
      const d = mkdtempSync(path.join(dir, 'big-'));
      const file = path.join(d, 'package-lock.json');
      const fd = openSync(file, 'w');
      ftruncateSync(fd, 100 * 1024 * 1024); // sparse: costs no disk and no time
      closeSync(fd);
      const r = await run('scan', file);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/package-lock\.json: larger than/);
    });
  });
});
