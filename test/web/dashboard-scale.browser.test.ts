/// <reference lib="dom" />
/**
 * The dashboard over a large database: 50,000 vulnerabilities and the issue's 1,000,000 chained
 * audit rows (BULWARK_WEB_SCALE_VULNS / BULWARK_WEB_SCALE_AUDIT to change, e.g. for a quick local
 * run; seeding a million rows costs ~30 s of CPU, most of it SQLite maintaining the audit table's
 * eleven b-trees). Asserts that every API call the pages make is bounded — aggregates for the
 * posture, one page for lists — whatever the row count, that the pages render the data, and that an
 * administrator sees the whole seeded chain verified. Prints how long each page took to be ready
 * (figures, not assertions: timing belongs to bench/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Response } from 'playwright-core';
import { type Browser, browserSkipReason, launchBrowser } from './support/browser.js';
import { type LiveServer, startLiveServer } from './support/server.js';
import { seedAuditRows, seedVulnerabilities } from './support/seed-scale.js';

const skip = browserSkipReason();
const VULNS = Number(process.env.BULWARK_WEB_SCALE_VULNS ?? 50_000);
const AUDIT = Number(process.env.BULWARK_WEB_SCALE_AUDIT ?? 1_000_000);

interface Call {
  path: string;
  query: URLSearchParams;
  bytes: number;
  status: number;
}

describe.skipIf(skip !== null)(`dashboard at scale${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  const calls: Call[] = [];
  let totalBytes = 0;

  beforeAll(async () => {
    server = await startLiveServer();
    const template = await server.bulwark.vulnerabilities.create({
      title: 'template',
      component: 'template@1',
      cvss_score: 5.0,
      owasp_category: 'A01',
      remediation: 'Upgrade.',
    });
    seedVulnerabilities(server.bulwark.store.sqlite!, VULNS, template);
    seedAuditRows(server.bulwark.store.sqlite!, AUDIT, Date.now());
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('response', async (r: Response) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/assets') || u.pathname === '/') return;
      const body = await r.body().catch(() => Buffer.alloc(0));
      calls.push({ path: u.pathname, query: u.searchParams, bytes: body.length, status: r.status() });
      totalBytes += body.length;
    });
    await page.goto(`${server.url}/`);
    const started = performance.now();
    await page.getByLabel('API token').fill(server.tokens.read);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('main[data-ready="posture"]');
    console.log(
      `dashboard at scale: sign-in to posture ready in ${Math.round(performance.now() - started)} ms`,
    );
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const go = async (hash: string, name: string) => {
    const started = performance.now();
    await page.evaluate(() => delete document.querySelector('main')!.dataset.ready);
    await page.evaluate((h) => (location.hash = h), hash);
    await page.waitForSelector(`main[data-ready="${name}"]`);
    console.log(`dashboard at scale: ${hash} ready in ${Math.round(performance.now() - started)} ms`);
  };

  it('shows the posture of every row from server-side aggregates of a few KB', async () => {
    expect(await page.getByTestId('card-total').locator('.card-value').textContent()).toBe(String(VULNS + 1));
    const posture = calls.filter(
      (c) => c.path.startsWith('/security/posture') || c.path === '/security/health',
    );
    expect(posture.map((c) => c.path).sort()).toEqual([
      '/security/health',
      '/security/posture',
      '/security/posture/trend',
    ]);
    for (const c of posture) expect(c.bytes, c.path).toBeLessThan(8_000);
  });

  it('lists the register one page at a time', async () => {
    calls.length = 0;
    await go('#/vulnerabilities', 'vulnerabilities');
    expect(await page.locator('[data-testid="vuln-table"] tbody tr').count()).toBe(25);
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.waitForFunction(() => location.hash.includes('page=2'));
    await page.waitForSelector('main[data-ready="vulnerabilities"]');
    await go('#/vulnerabilities?severity=critical&status=open&limit=100', 'vulnerabilities');
    const badges = await page
      .locator('[data-testid="vuln-table"] tbody tr td:first-child .badge')
      .allTextContents();
    expect(badges.length).toBe(100);
    expect(new Set(badges)).toEqual(new Set(['critical']));
    const lists = calls.filter((c) => c.path === '/security/vulnerabilities');
    expect(lists.length).toBe(3);
    for (const c of lists) {
      expect(Number(c.query.get('limit'))).toBeLessThanOrEqual(100);
      expect(c.bytes).toBeLessThan(150_000);
      expect(c.status).toBe(200);
    }
  });

  it('reads the audit log one page at a time, or shows that this server has no audit API yet', async () => {
    calls.length = 0;
    await go('#/audit', 'audit');
    const logs = calls.filter((c) => c.path === '/security/logs');
    expect(logs.length).toBe(1);
    if (logs[0]!.status === 404) {
      expect(await page.getByTestId('unavailable').count()).toBe(1);
    } else {
      expect(Number(logs[0]!.query.get('limit'))).toBeLessThanOrEqual(50);
      expect(await page.locator('[data-testid="audit-table"] tbody tr').count()).toBe(50);
    }
  });

  it('never fetched more than a bounded amount in all (every API answer of the session)', () => {
    expect(totalBytes).toBeGreaterThan(0);
    expect(totalBytes).toBeLessThan(1_000_000);
  });

  it('shows an administrator the whole seeded chain verified', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(server.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('main[data-ready="posture"]');
    const started = performance.now();
    await go('#/audit', 'audit');
    const verdict = page.getByTestId('chain-verdict');
    await verdict.waitFor({ timeout: 120_000 });
    console.log(`dashboard at scale: chain verdict shown in ${Math.round(performance.now() - started)} ms`);
    const text = (await verdict.textContent()) ?? '';
    expect(text).toContain('Chain verified');
    const m = /Entries #1–#(\d+): ([\d,]+) checked sound/.exec(text);
    expect(m, text).not.toBeNull();
    const head = Number(m![1]);
    expect(head).toBeGreaterThan(AUDIT);
    expect(Number(m![2]!.replaceAll(',', ''))).toBe(head);
  }, 180_000);
});
