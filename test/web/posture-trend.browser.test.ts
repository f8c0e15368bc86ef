/// <reference lib="dom" />
/**
 * The posture page's risk trend over one, two and ninety daily snapshots: the chart's x axis runs
 * over days that end today, whatever the number of points (the new-user trial saw one point at the
 * far left of an axis from Mar 2027 to Jun 2029).
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, VIEWPORTS, browserSkipReason, launchBrowser } from './support/browser.js';
import { type LiveServer, startLiveServer } from './support/server.js';

const skip = browserSkipReason();
const ARTIFACTS = 'test-artifacts/web';
const DAY_S = 86_400;

describe.skipIf(skip !== null)(`posture trend chart${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer();
    await server.bulwark.vulnerabilities.create({
      title: 'Log4Shell',
      component: 'log4j-core@2.14.1',
      cvss_score: 10,
      owasp_category: 'A08',
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('API token').fill(server.tokens.read);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('main[data-ready="posture"]');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Snapshots `days` days back, each with one more finding than the day before. */
  async function captureDaysAgo(days: number[]) {
    for (const d of days) {
      server.clock.offset = -d * DAY_S * 1000;
      await server.bulwark.postureTrend.capture();
    }
    server.clock.offset = 0;
  }

  async function showTrend(name: string) {
    await page.setViewportSize(VIEWPORTS.laptop);
    await page.evaluate(() => delete document.querySelector('main')!.dataset.ready);
    await page.reload();
    await page.waitForSelector('main[data-ready="posture"]');
    const chart = page.getByTestId('trend-chart');
    await chart.locator('canvas').waitFor();
    const read = () =>
      chart.evaluate((el) => ({
        min: Number(el.dataset.xMin),
        max: Number(el.dataset.xMax),
        ticks: (el.dataset.xTicks ?? '').split('|'),
      }));
    const axis = await read();
    await chart.screenshot({ path: `${ARTIFACTS}/posture-trend-${name}-laptop.png` });
    // On a phone the chart is redrawn narrower: fewer ticks, the same days.
    await page.setViewportSize(VIEWPORTS.phone);
    await expect.poll(async () => (await read()).ticks.length).toBeLessThanOrEqual(axis.ticks.length);
    const phone = await read();
    await chart.screenshot({ path: `${ARTIFACTS}/posture-trend-${name}-phone.png` });
    const trend = await server.bulwark.postureTrend.trend(90);
    const today = Date.parse(`${trend.to}T00:00:00Z`) / 1000;
    return { axis, phone, trend, today };
  }

  /**
   * Tick labels read "4 Dec": with the year only where it is not the axis end's year or changes,
   * and only years the range covers.
   */
  function expectDayTicks(ticks: string[], from: number, to: number) {
    const year = (s: number) => String(new Date(s * 1000).getUTCFullYear());
    expect(ticks.length).toBeGreaterThan(1);
    for (const t of ticks) expect(t).toMatch(/^\d{1,2} [A-Z][a-z]{2,3}( \d{4})?$/);
    for (const t of ticks) {
      const y = / (\d{4})$/.exec(t)?.[1];
      if (y) expect([year(from), year(to)], t).toContain(y);
    }
    if (year(from) === year(to)) expect(ticks.every((t) => !/\d{4}$/.test(t))).toBe(true);
  }

  it('one snapshot: a week ending today, the point at today', async () => {
    const { axis, phone, trend, today } = await showTrend('1-point');
    expect(trend.points.map((p) => p.day)).toEqual([trend.to]);
    for (const a of [axis, phone]) {
      expect([a.min, a.max]).toEqual([today - 6 * DAY_S, today]);
      expectDayTicks(a.ticks, a.min, a.max);
    }
    // A tick a day on a laptop: the seven days, today last.
    expect(axis.ticks).toHaveLength(7);
    expect(axis.ticks[6]).toMatch(new RegExp(`^${new Date(today * 1000).getUTCDate()} `));
    expect(await page.locator('[data-testid="trend-table"] tbody tr').count()).toBe(1);
  });

  it('two snapshots: still a week ending today', async () => {
    await captureDaysAgo([1]);
    const { axis, phone, trend, today } = await showTrend('2-points');
    expect(trend.points).toHaveLength(2);
    for (const a of [axis, phone]) {
      expect([a.min, a.max]).toEqual([today - 6 * DAY_S, today]);
      expectDayTicks(a.ticks, a.min, a.max);
    }
    expect(axis.ticks).toHaveLength(7);
  });

  it('ninety snapshots: the ninety days ending today', async () => {
    await captureDaysAgo(Array.from({ length: 88 }, (_, i) => 89 - i)); // days 89..2 ago
    const { axis, phone, trend, today } = await showTrend('90-points');
    expect(trend.points).toHaveLength(90);
    for (const a of [axis, phone]) {
      expect([a.min, a.max]).toEqual([today - 89 * DAY_S, today]);
      expectDayTicks(a.ticks, a.min, a.max);
    }
    // Weeks or fortnights, not days, across 90 days.
    expect(axis.ticks.length).toBeGreaterThanOrEqual(4);
    expect(axis.ticks.length).toBeLessThanOrEqual(14);
    expect(await page.locator('[data-testid="trend-table"] tbody tr').count()).toBe(90);
  });
});
