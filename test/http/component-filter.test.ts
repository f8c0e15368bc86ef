/**
 * The vulnerability list's component filter over HTTP and the CLI, on each backend: a package name
 * finds every recorded version of it (the new-user trial's `?component=log4j-core` found none of
 * `log4j-core@2.14.1`), scoped npm names included; a whole component still matches exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';
import { runCli } from '../support/cli.js';

const COMPONENTS = [
  'log4j-core@2.14.1',
  'log4j-core@2.17.1',
  'log4j-core-extra@1.0.0',
  '@babel/core@7.0.0',
  '@babel/core-extra@1.0.0',
  'lodash%_@1.0.0',
  'lodash@4.17.21',
];

describeEachBackend('component filter', (backend) => {
  let t: TestApp;
  let cliDb: string;
  let dir: string | undefined;
  beforeAll(async () => {
    t = await startTestApp(backend.url());
    // The CLI gets its own database (no keyring): on SQLite a file, since it opens it itself.
    if (backend.name === 'sqlite') dir = mkdtempSync(path.join(tmpdir(), 'bulwark-component-'));
    cliDb = dir ? `sqlite:${path.join(dir, 'bulwark.db')}` : backend.url();
    for (const component of COMPONENTS) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/security/vulnerabilities',
        headers: { ...bearer(t.tokens.write), 'content-type': 'application/json' },
        payload: { title: `in ${component}`, component, cvss_score: 7.5, owasp_category: 'A03' },
      });
      expect(res.statusCode).toBe(201);
    }
  });
  afterAll(async () => {
    await t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, string[]][] = [
    ['log4j-core', ['log4j-core@2.14.1', 'log4j-core@2.17.1']],
    ['log4j-core@2.14.1', ['log4j-core@2.14.1']],
    ['log4j', []],
    ['@babel/core', ['@babel/core@7.0.0']],
    ['@babel', []],
    ['lodash', ['lodash@4.17.21']],
    ['lodash%_', ['lodash%_@1.0.0']],
    ['lodash%', []],
  ];

  it('GET /security/vulnerabilities?component= matches the component or the name before @version', async () => {
    for (const [component, expected] of cases) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/security/vulnerabilities?component=${encodeURIComponent(component)}`,
        headers: bearer(t.tokens.read),
      });
      expect(res.statusCode, component).toBe(200);
      const found = res.json().items.map((v: { component: string }) => v.component);
      expect(found.sort(), component).toEqual(expected);
    }
  });

  it('bulwark vulns list --component matches the same', async () => {
    for (const component of COMPONENTS) {
      const args = ['vulns', 'add', '--title', `in ${component}`, '--component', component];
      const r = await runCli(cliDb, [...args, '--score', '7.5', '--category', 'A03']);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const [component, expected] of cases) {
      const r = await runCli(cliDb, ['vulns', 'list', '--component', component, '--json']);
      expect(r.code, `${component}: ${r.stderr}`).toBe(0);
      const found = JSON.parse(r.stdout).items.map((v: { component: string }) => v.component);
      expect(found.sort(), component).toEqual(expected);
    }
  });
});
