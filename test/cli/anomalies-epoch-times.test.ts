/**
 * `bulwark anomalies --since/--until` take epoch milliseconds as GET /security/anomalies and `bulwark
 * audit export` do (the same digits mean the same instant on every path); they were refused, exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('bulwark anomalies: epoch ms and ISO 8601 alike', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-anomalies-epoch-'));
    db = `sqlite:${path.join(dir, 'cli.db')}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => runCli(db, args, { separator: '\n' });

  it('reads both forms to the same window', async () => {
    const [since, until] = [Date.UTC(2015, 11, 10), Date.UTC(2015, 11, 11)];
    const epoch = await run('anomalies', '--since', String(since), '--until', String(until), '--json');
    const iso = await run(
      'anomalies',
      '--since',
      '2015-12-10T00:00:00Z',
      '--until',
      '2015-12-11T00:00:00+00:00',
      '--json',
    );
    expect([epoch.code, iso.code], epoch.stderr).toEqual([0, 0]);
    expect(JSON.parse(epoch.stdout)).toMatchObject({
      since: '2015-12-10T00:00:00.000Z',
      until: '2015-12-11T00:00:00.000Z',
    });
    expect(JSON.parse(epoch.stdout)).toEqual(JSON.parse(iso.stdout));
  });

  it('still refuses what is neither, naming the flag', async () => {
    for (const bad of ['-1', '1e12', '0x10', '1449705600000.5', '9999999999999999']) {
      const r = await run('anomalies', '--since', bad, '--until', '2015-12-11T00:00:00Z');
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('since: must be epoch ms, an ISO 8601 date-time with a zone');
      expect(r.stderr).toContain('or a date (2025-01-31)');
    }
  });
});
