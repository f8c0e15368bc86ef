/**
 * A big scan must not freeze the server: POST /security/scans parses a large lockfile off the main
 * thread, and the background scan (matching, manifest rows, register rows) runs in time slices. A
 * timer chain counts event-loop turns while each part runs; before the fix it counted none (the
 * whole request parse and the whole background scan each held the loop), and a /healthz sent
 * during the scan was answered only once the scan had finished. Counts and order, not wall-clock bounds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';
import type { DependencyStore } from '../../src/core/ports/dependency-store.js';
import { advisorySet, syntheticPackageLock, writeAdvisoryDir } from './support.js';

/** Counts timer callbacks (1 ms apart at best) until stopped: each is one turn of the event loop. */
function turnCounter(): { stop(): number } {
  let turns = 0;
  let running = true;
  const tick = () => {
    turns++;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  return {
    stop: () => {
      running = false;
      return turns;
    },
  };
}

const PACKAGES = 30_000; // ~2 MB: over the off-thread threshold, seconds of work before the fix

describeEachBackend('a big scan keeps the server responsive', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend.url());
    await t.bulwark.advisories.importPath(writeAdvisoryDir(advisorySet()));
  });
  afterAll(() => t.close());

  it(`${PACKAGES} packages: the event loop turns during the request's parse and the background scan`, async () => {
    const content = syntheticPackageLock(PACKAGES);
    const duringRequest = turnCounter();
    const r = await t.app.inject({
      method: 'POST',
      url: '/security/scans',
      headers: bearer(t.tokens.admin),
      payload: { files: [{ name: 'package-lock.json', content }] },
    });
    const requestTurns = duringRequest.stop();
    expect(r.statusCode, r.body.slice(0, 200)).toBe(202);
    const id = (r.json() as { id: string }).id;

    const duringScan = turnCounter();
    // Answered while the scan is still running: it no longer waits for the scan to finish.
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect((await t.bulwark.dependencies.getScan(id)).status).not.toBe('done');
    await t.bulwark.dependencies.drain();
    const scanTurns = duringScan.stop();

    const scan = await t.bulwark.dependencies.getScan(id);
    expect(scan).toMatchObject({ status: 'done', summary: { packages: PACKAGES, findings: 1 } });
    const listed = await t.bulwark.dependencies.dependencies({ package: 'pkg-29999' }, { limit: 5 });
    expect(listed.items.map((m) => `${m.package}@${m.version}`)).toEqual(['pkg-29999@1.0.0']);
    // Before: 0 and 0 (each phase held the loop from start to end).
    expect(requestTurns).toBeGreaterThanOrEqual(10);
    expect(scanTurns).toBeGreaterThanOrEqual(10);
  });

  it('a bad big lockfile is still a 422 naming the file and line (the worker reports the parse error)', async () => {
    const content = syntheticPackageLock(PACKAGES).replace('"node_modules/pkg-7"', '"node_modules/pkg-7",');
    const r = await t.app.inject({
      method: 'POST',
      url: '/security/scans',
      headers: bearer(t.tokens.admin),
      payload: { files: [{ name: 'web/package-lock.json', content }] },
    });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ code: 'unprocessable' });
    expect(r.json().message).toMatch(/^cannot parse lockfile web\/package-lock\.json(:1)?: invalid JSON/);
  });

  it('manifest rows go in several transactions; a scan that fails part-way leaves none behind', async () => {
    const store = (t.bulwark.dependencies as unknown as { store: DependencyStore }).store;
    const insert = store.insertManifests.bind(store);
    let calls = 0;
    store.insertManifests = async (rows) => {
      if (++calls === 2) throw new Error('disk full');
      await insert(rows);
    };
    try {
      const scan = await t.bulwark.dependencies.submit(
        [{ path: 'package-lock.json', content: syntheticPackageLock(1000) }],
        { requestedBy: 'test' },
      );
      await t.bulwark.dependencies.drain();
      expect(calls).toBe(2); // the first batch was committed, then the second failed
      expect(await t.bulwark.dependencies.getScan(scan.id)).toMatchObject({
        status: 'failed',
        error: 'internal error (see the service log)',
      });
      const rows = await t.bulwark.dependencies.dependencies({ scan_id: scan.id }, { limit: 10 });
      expect(rows.items).toEqual([]);
    } finally {
      store.insertManifests = insert;
    }
  });
});
