/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
 * Bulwark server over SQLite, seeded through the services: sign in, every page at laptop and phone
 * width (screenshots in test-artifacts/web/), the register filtered and paged, a vulnerability moved
 * through its lifecycle from the UI (403 with a read token first), hostile text rendered as text,
 * the CSP never violated, keyboard navigation.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, VIEWPORTS, browserSkipReason, launchBrowser } from './support/browser.js';
import { type LiveServer, startLiveServer } from './support/server.js';
import { type Seeded, seedRegister } from './seed.js';
import { HOSTILE_AUDIT, SSH_WINDOW, type SeededCapabilities, seedCapabilities } from './seed-capabilities.js';
import { SHARED_DATA_DIR, hasSharedData } from '../support/shared-data.js';

// The seed reads the real corpora in ../shared/data: without them the suite is skipped and says
// why, like every suite that needs them (under CI=true it runs, and fails on the missing data).
const skip =
  browserSkipReason() ??
  (hasSharedData || process.env.CI === 'true'
    ? null
    : `shared data not found at ${SHARED_DATA_DIR} (set BULWARK_SHARED_DATA)`);
const ARTIFACTS = 'test-artifacts/web';

describe.skipIf(skip !== null)(`dashboard in Chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: LiveServer;
  let browser: Browser;
  let seeded: Seeded;
  let caps: SeededCapabilities;
  const problems: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer({ keyring: true });
    seeded = await seedRegister(server.bulwark, server.clock);
    caps = await seedCapabilities(server.bulwark, server.clock);
    // The scan linked its findings into the register: count them with the seeded ones.
    seeded.total = (await server.bulwark.vulnerabilities.list({}, { limit: 500 })).items.length;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A new tab (its own sessionStorage), watching for errors, CSP violations, dialogs and XSS markers. */
  async function newPage(): Promise<Page> {
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __csp: string[] }).__csp ??= [];
        (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/status of 40[134]/.test(msg.text()))
        problems.push(`console: ${msg.text()}`);
    });
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    return page;
  }

  async function signIn(page: Page, token: string) {
    await page.goto(`${server.url}/`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
  }

  const ready = (page: Page, name: string) => page.waitForSelector(`main[data-ready="${name}"]`);

  async function go(page: Page, hash: string, name: string) {
    await page.evaluate(() => delete document.querySelector('main')!.dataset.ready);
    await page.evaluate((h) => (location.hash = h), hash);
    await ready(page, name);
  }

  async function shoot(page: Page, name: string) {
    for (const [label, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.waitForTimeout(150); // the chart redraws on resize
      await page.screenshot({ path: `${ARTIFACTS}/${name}-${label}.png`, fullPage: true });
    }
    await page.setViewportSize(VIEWPORTS.laptop);
  }

  const cellTexts = (page: Page, testid: string, col: number) =>
    page.locator(`[data-testid="${testid}"] tbody tr td:nth-child(${col})`).allTextContents();

  /** The dashboard's wording of a count: "1 finding", "2 findings". */
  const counted = (n: number, one: string, many = `${one}s`) =>
    `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

  /** The x range a chart drew (epoch seconds) and its day tick labels, read from its element. */
  const chartAxis = (page: Page, testid: string) =>
    page.getByTestId(testid).evaluate((el) => ({
      min: Number(el.dataset.xMin),
      max: Number(el.dataset.xMax),
      ticks: (el.dataset.xTicks ?? '').split('|'),
    }));

  /** Every OWASP category code on the page sits on one line (a wrapped inline box has 2+ rects). */
  const categoryCodesOnOneLine = (page: Page) =>
    page.evaluate(() =>
      [...document.querySelectorAll('main .category-code')]
        .filter((el) => el.getClientRects().length !== 1)
        .map((el) => el.textContent),
    );

  const noInjection = async (page: Page) => {
    const state = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
      csp: (window as unknown as { __csp?: string[] }).__csp ?? [],
      scripts: document.querySelectorAll('main script, main img[onerror], main svg, main [onload]').length,
      jsLinks: [...document.querySelectorAll('a')].filter((a) =>
        /^\s*javascript:/i.test(a.getAttribute('href') ?? ''),
      ).length,
    }));
    expect(state).toEqual({ xss: null, csp: [], scripts: 0, jsLinks: 0 });
  };

  it('refuses a bad token and signs in with a good one', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/`);
    await shoot(page, 'signin');
    await page.getByLabel('API token').fill('bwk_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    await page.getByLabel('API token').fill(server.tokens.read);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await ready(page, 'posture');
    expect(await page.getByTestId('who').textContent()).toContain('web-read');
    // The token is kept in this tab's sessionStorage only: no cookie was set.
    expect(await browser.context.cookies()).toEqual([]);
    await page.close();
  });

  it('shows the posture the API reports, with the health banner, both editions and the trend', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    await ready(page, 'posture');
    const posture = await server.bulwark.posture.summary();
    expect(await page.getByTestId('card-total').locator('.card-value').textContent()).toBe(
      String(posture.total),
    );
    expect(await page.getByTestId('card-open-criticals').locator('.card-value').textContent()).toBe(
      String(posture.open_criticals),
    );
    expect(await page.getByTestId('card-overdue').locator('.card-value').textContent()).toBe(
      String(posture.overdue),
    );
    expect(await page.getByTestId('card-mttr').locator('.card-value').textContent()).toBe(
      `${posture.mttr_days} d`,
    );
    expect(posture.open_criticals).toBeGreaterThan(0);
    expect(await page.getByTestId('health-banner').textContent()).toContain('Critical findings open');
    for (const s of ['critical', 'high', 'medium', 'low']) {
      expect(await page.locator(`.bars [data-key="${s}"] .bar-value`).first().textContent()).toBe(
        String(posture.by_severity[s]),
      );
    }
    const a01 = posture.by_category.find((c) => c.category === 'A01')!;
    expect(await page.locator('[data-testid="by-category"] [data-key="A01"] .bar-label').textContent()).toBe(
      `A01 ${a01.name}`,
    );
    // The trend: one point a day for the 7 seeded days, drawn by uPlot (a canvas) and as a table.
    await page.waitForSelector('[data-testid="trend-chart"] canvas');
    const trend = await server.bulwark.postureTrend.trend(90);
    expect(trend.points.length).toBe(7);
    expect(await page.locator('[data-testid="trend-table"] tbody tr').count()).toBe(7);
    // The x axis: the seven days ending today (the server's UTC day), a tick a day, today last.
    const today = Date.parse(`${trend.to}T00:00:00Z`) / 1000;
    const axis = await chartAxis(page, 'trend-chart');
    expect([axis.min, axis.max]).toEqual([today - 6 * 86_400, today]);
    expect(axis.ticks).toHaveLength(7);
    expect(axis.ticks[6]).toBe(
      new Date(today * 1000).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }),
    );
    expect(await page.getByTestId('health-banner').textContent()).toContain(
      `${counted(posture.open_criticals, 'critical finding')} open or in progress`,
    );
    expect(await page.locator('.trend-table summary').textContent()).toBe(
      'Show the trend as a table (7 days)',
    );
    expect(await categoryCodesOnOneLine(page)).toEqual([]);
    await shoot(page, 'posture');

    await page.getByRole('button', { name: 'OWASP 2021' }).click();
    await page.waitForFunction(() => location.hash.includes('edition=2021'));
    await ready(page, 'posture');
    const p2021 = await server.bulwark.posture.summary('2021');
    const a03 = p2021.by_category.find((c) => c.category === 'A03')!;
    expect(await page.locator('[data-testid="by-category"] [data-key="A03"] .bar-label').textContent()).toBe(
      `A03 ${a03.name}`,
    );
    expect(await page.locator('[data-testid="by-category"] [data-key="A03"] .bar-value').textContent()).toBe(
      String(a03.count),
    );
    expect(await page.getByRole('button', { name: 'OWASP 2021' }).getAttribute('aria-pressed')).toBe('true');
    await noInjection(page);
    await page.close();
  });

  it('filters and pages the register on the server', async () => {
    const page = await newPage();
    const listCalls: URL[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/security/vulnerabilities') listCalls.push(u);
    });
    await signIn(page, server.tokens.read);
    await go(page, '#/vulnerabilities', 'vulnerabilities');
    const titles = async () => page.locator('[data-testid="vuln-table"] tbody .row-link').allTextContents();

    // Rows by their link (several scan findings share a title: one per affected version).
    const links = async () =>
      page
        .locator('[data-testid="vuln-table"] tbody .row-link')
        .evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
    const all = new Set<string>();
    const pages: string[][] = [];
    for (let n = 1; ; n++) {
      const rows = await links();
      pages.push(rows);
      rows.forEach((t) => all.add(t));
      const lastPage = await page.getByRole('button', { name: 'Next →' }).isDisabled();
      // No total from the API: the count is the page's, except on a lone page.
      expect(await page.getByTestId('pager-info').textContent()).toBe(
        n === 1 && lastPage
          ? `Page 1 · ${counted(rows.length, 'finding')} in all`
          : `Page ${n} · showing ${counted(rows.length, 'finding')}`,
      );
      if (lastPage) break;
      expect(rows.length).toBe(25); // only the last page is short
      await page.getByRole('button', { name: 'Next →' }).click();
      await page.waitForFunction((k) => location.hash.includes(`page=${k}`), n + 1);
      await ready(page, 'vulnerabilities');
    }
    expect(pages.length).toBe(Math.ceil(seeded.total / 25));
    expect(all.size).toBe(seeded.total); // no row twice, none missing
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.waitForFunction((k) => location.hash.includes(`page=${k}`), pages.length - 1);
    await ready(page, 'vulnerabilities');
    expect(await links()).toEqual(pages[pages.length - 2]);
    // Every list call asked the server for one page, never everything.
    expect(listCalls.every((u) => Number(u.searchParams.get('limit')) === 25)).toBe(true);

    // Filters: critical and open only.
    await go(page, '#/vulnerabilities', 'vulnerabilities');
    await page.getByRole('group', { name: 'Severity' }).getByLabel('critical').check();
    await page.getByRole('group', { name: 'Status' }).getByLabel('open').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => location.hash.includes('severity=critical'));
    await ready(page, 'vulnerabilities');
    const expected = await server.bulwark.vulnerabilities.list(
      { severity: ['critical'], status: ['open'] },
      { limit: 500 },
    );
    const badges = await page
      .locator('[data-testid="vuln-table"] tbody tr td:first-child .badge')
      .allTextContents();
    expect(badges.length).toBe(expected.items.length);
    expect(new Set(badges)).toEqual(new Set(['critical']));
    const last = listCalls[listCalls.length - 1]!;
    expect(last.searchParams.get('severity')).toBe('critical');
    expect(last.searchParams.get('status')).toBe('open');
    // "A05:2025" stays whole in the Category column (it wrapped as "A05:202 / 5"), laptop and phone.
    expect(await cellTexts(page, 'vuln-table', 5)).toEqual(
      expected.items.map((v) => `${v.owasp_category}:${v.owasp_edition}`),
    );
    for (const size of Object.values(VIEWPORTS)) {
      await page.setViewportSize(size);
      expect(await page.locator('main .category-code').count()).toBe(expected.items.length);
      expect(await categoryCodesOnOneLine(page), `${size.width} px`).toEqual([]);
    }
    await page.setViewportSize(VIEWPORTS.laptop);
    await shoot(page, 'vulnerabilities');

    // The component filter takes a package name: every recorded version of it.
    await go(page, '#/vulnerabilities', 'vulnerabilities');
    await page.getByLabel('Component').fill('lodash');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => location.hash.includes('component=lodash'));
    await ready(page, 'vulnerabilities');
    const lodash = await server.bulwark.vulnerabilities.list({ component: 'lodash' }, { limit: 500 });
    expect(lodash.items.length).toBeGreaterThan(1);
    // The seeded scan found two versions of lodash (4.17.5 and 4.17.10).
    expect(new Set(lodash.items.map((v) => v.component.replace(/@.*/, '')))).toEqual(new Set(['lodash']));
    expect(new Set(lodash.items.map((v) => v.component)).size).toBeGreaterThan(1);
    expect((await cellTexts(page, 'vuln-table', 4)).sort()).toEqual(
      lodash.items.map((v) => v.component).sort(),
    );
    // name@version may wrap after the @, never inside the version ("lodash@4.17" / ".10").
    const versions = page.locator('[data-testid="vuln-table"] tbody .package-version');
    expect((await versions.allTextContents()).sort()).toEqual(
      lodash.items.map((v) => v.component.replace(/^.*@/, '')).sort(),
    );
    expect(await versions.first().evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('nowrap');

    // Text search and a filter that matches nothing.
    await page.getByLabel('Text').fill('Finding 007');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => location.hash.includes('q=Finding'));
    await ready(page, 'vulnerabilities');
    const found = await titles();
    expect(found.every((t) => t.includes('Finding 007'))).toBe(true);
    await page.getByLabel('Component').fill('no-such-component');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => location.hash.includes('component=no-such'));
    await ready(page, 'vulnerabilities');
    expect(await page.getByTestId('vuln-table-empty').textContent()).toContain('No vulnerability matches');
    await page.close();
  });

  it('renders hostile text as text: no script runs, no element is injected', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    await go(page, `#/vulnerabilities?q=${encodeURIComponent('window.__xss')}`, 'vulnerabilities');
    expect(await page.locator('[data-testid="vuln-table"] tbody .row-link').allTextContents()).toEqual([
      '<script>window.__xss="title"</script><img src=x onerror="window.__xss=\'img\'">',
    ]);
    await noInjection(page);
    await go(page, `#/vulnerabilities/${seeded.hostileId}`, 'vulnerabilities');
    expect(await page.locator('h1').textContent()).toContain('<script>window.__xss="title"</script>');
    expect(await page.getByTestId('description').textContent()).toContain('<a href="javascript:');
    expect(await page.getByTestId('remediation').textContent()).toContain('<svg onload=');
    expect(await page.locator('.facts').textContent()).toContain('javascript:window.__xss="component"');
    await noInjection(page);
    expect(dialogs).toEqual([]);
    await shoot(page, 'vulnerability-hostile');
    await page.close();
  });

  it('moves a vulnerability through its lifecycle from the UI, after a clear 403 with a read token', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    await go(page, `#/vulnerabilities/${seeded.lifecycleId}`, 'vulnerabilities');
    expect(await page.getByTestId('scope-hint').textContent()).toContain('needs the write scope');
    await page.getByRole('button', { name: 'Start work (in progress)' }).click();
    const refused = page.getByTestId('error');
    await refused.waitFor();
    expect(await refused.getAttribute('data-status')).toBe('403');
    expect(await refused.textContent()).toContain('this needs the write scope');
    expect(await refused.textContent()).toContain('“web-read” has the read scope');
    expect((await server.bulwark.vulnerabilities.get(seeded.lifecycleId)).status).toBe('open');
    await shoot(page, 'vulnerability-403');

    // Sign out, sign in with write, and walk open → in_progress → mitigated → resolved.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(server.tokens.write);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await ready(page, 'posture');
    await go(page, `#/vulnerabilities/${seeded.lifecycleId}`, 'vulnerabilities');
    const steps: [string, string][] = [
      ['Start work (in progress)', 'in_progress'],
      ['Mark mitigated', 'mitigated'],
      ['Mark resolved', 'resolved'],
    ];
    for (const [label, status] of steps) {
      await page.getByLabel('Note (optional, kept in the history)').fill(`step to ${status}`);
      await page.getByRole('button', { name: label }).click();
      const receipt = page.getByTestId('audit-receipt');
      await expect.poll(() => receipt.textContent()).toContain(`Moved to ${status.replace('_', ' ')}`);
      const seq = Number((await page.getByTestId('audit-seq').textContent())!.slice(1));
      const entry = (await server.bulwark.audit.list({}, { limit: 1, order: 'desc' })).items[0]!;
      expect(entry.seq).toBe(seq);
      expect(entry.action).toBe('vulnerability.transition');
      expect(JSON.parse(entry.metadata)).toMatchObject({ vulnerability_id: seeded.lifecycleId, to: status });
      expect(entry.user_id).toBe('token:web-write');
      expect((await server.bulwark.vulnerabilities.get(seeded.lifecycleId)).status).toBe(status);
      if (status === 'in_progress') await shoot(page, 'vulnerability-transition');
    }
    expect(
      await page.locator('.transition, .panel').filter({ hasText: 'the lifecycle ends here' }).count(),
    ).toBe(1);
    expect(await page.locator('[data-testid="history"] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-testid="history"] tbody').textContent()).toContain('step to mitigated');
    await shoot(page, 'vulnerability-resolved');
    await page.close();
  });

  it('shows the imported sshd log on the authentication page: failures, anomalies, top IPs, lockouts', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    await go(page, '#/auth', 'auth');
    // The last 7 days hold only the attempts recorded through the limiter.
    const week = await server.bulwark.authActivity.timeseries({
      since: Date.now() - 7 * 86_400_000,
      until: Date.now(),
      bucket: 'hour',
    });
    expect(week.total_failures).toBe(6);
    expect(await page.getByTestId('failures-total').textContent()).toBe(
      `${week.total_failures} failures · ${week.total_successes} successes`, // 6 and 3
    );
    // The latest rate-limit snapshot: the two IPs and senders recorded, with their counts.
    expect(await cellTexts(page, 'top-ips', 1)).toEqual([caps.lockedIp, '192.0.2.10']);
    expect(await cellTexts(page, 'top-ips', 2)).toEqual(['6', '3']);
    expect(await cellTexts(page, 'top-senders', 1)).toEqual(['smtp:mallory@example.net', 'web:alice']);
    // Six failures from one IP locked it (and the user on it).
    const locks = await server.bulwark.auth.listLockouts();
    expect(locks.map((l) => l.key).sort()).toEqual([
      `ip:${caps.lockedIp}`,
      `user_ip:${caps.lockedIp}|mallory`,
    ]);
    expect((await cellTexts(page, 'lockouts', 1)).sort()).toEqual(locks.map((l) => l.key).sort());
    // The week's anomalies: the one locked IP is one finding and one ban ("1 findings", "1 bans" before).
    const recent = await server.bulwark.auth.anomalies({
      since: Date.now() - 7 * 86_400_000,
      until: Date.now(),
    });
    expect([recent.findings.length, recent.bans.length]).toEqual([1, 1]);
    expect(await page.getByTestId('anomalies-summary').textContent()).toBe(
      `1 finding over ${counted(recent.in_window, 'attempt')} · 1 ban by the lockout rule`,
    );

    // The day of the imported log, chosen in the page's window form.
    await page.getByLabel('From (UTC)').fill(SSH_WINDOW.since.slice(0, 16));
    await page.getByLabel('Until (UTC)').fill(SSH_WINDOW.until.slice(0, 16));
    await page.getByRole('button', { name: 'Show window' }).click();
    await page.waitForFunction(() => location.hash.includes('since=2025-12-10'));
    await ready(page, 'auth');
    await page.waitForSelector('[data-testid="failures-chart"] canvas');
    const [since, until] = [Date.parse(SSH_WINDOW.since), Date.parse(SSH_WINDOW.until)];
    // The failures chart's x axis is the window asked for.
    const axis = await chartAxis(page, 'failures-chart');
    expect([axis.min, axis.max]).toEqual([since / 1000, until / 1000]);
    const day = await server.bulwark.authActivity.timeseries({ since, until, bucket: 'hour' });
    expect(day.total_failures).toBeGreaterThan(500); // loghub: 520 "Failed password" lines and more
    expect(await page.getByTestId('failures-total').textContent()).toBe(
      `${day.total_failures} failures · ${day.total_successes} success${day.total_successes === 1 ? '' : 'es'}`,
    );
    const report = await server.bulwark.auth.anomalies({ since, until });
    expect(report.scanned).toBe(caps.sshImport.attempts_recorded);
    // The page counts the window's attempts, not the look-back read before it.
    expect(report.in_window).toBeLessThanOrEqual(report.scanned);
    expect(await page.getByTestId('anomalies-summary').textContent()).toBe(
      `${counted(report.findings.length, 'finding')} over ${counted(report.in_window, 'attempt')} · ${counted(report.bans.length, 'ban')} by the lockout rule`,
    );
    // The 20 largest first, the rest one click away.
    expect(report.findings.length).toBeGreaterThan(20);
    const counts = (await cellTexts(page, 'anomalies', 5)).map(Number);
    expect(counts).toEqual(
      report.findings
        .map((x) => x.count)
        .sort((a, b) => b - a)
        .slice(0, 20),
    );
    await page.getByRole('link', { name: `Show all ${report.findings.length}` }).click();
    await page.waitForFunction(() => location.hash.includes('anomalies=all'));
    await ready(page, 'auth');
    expect(await page.locator('[data-testid="anomalies"] tbody tr').count()).toBe(report.findings.length);
    // The loghub ground truth: 183.62.140.253 brute-forced root (286 failures).
    await page.getByText('Bans the per-IP lockout rule sets in this window').click();
    expect(await cellTexts(page, 'bans', 1)).toEqual(report.bans.map((x) => x.key));
    const keys = await cellTexts(page, 'anomalies', 3);
    expect(keys).toContain('183.62.140.253');
    const kinds = new Set(report.findings.map((f) => f.kind));
    for (const kind of kinds) {
      const n = report.findings.filter((f) => f.kind === kind).length;
      expect(await page.locator(`.bars [data-key="${kind}"] .bar-value`).textContent()).toBe(String(n));
    }
    await noInjection(page);
    await shoot(page, 'auth');

    // A window of one hour is one bucket: the axis is still that hour, not uPlot's 1,000 days.
    const hour = { since: '2025-12-10T10:00:00.000Z', until: '2025-12-10T11:00:00.000Z' };
    await go(page, `#/auth?since=${hour.since}&until=${hour.until}`, 'auth');
    await page.waitForSelector('[data-testid="failures-chart"] canvas');
    const hourly = await server.bulwark.authActivity.timeseries({
      since: Date.parse(hour.since),
      until: Date.parse(hour.until),
      bucket: 'hour',
    });
    expect(hourly.buckets).toHaveLength(1);
    const hourAxis = await chartAxis(page, 'failures-chart');
    expect([hourAxis.min, hourAxis.max]).toEqual([
      Date.parse(hour.since) / 1000,
      Date.parse(hour.until) / 1000,
    ]);
    await page.close();
  });

  it('filters and pages the audit log on the server, and verifies the chain (admin)', async () => {
    const page = await newPage();
    const calls: URL[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/security/logs') calls.push(u);
    });
    await signIn(page, server.tokens.admin);
    await go(page, '#/audit', 'audit');
    const verdict = page.getByTestId('chain-verdict');
    await verdict.waitFor();
    const v = await server.bulwark.audit.verify();
    expect(v.ok).toBe(true);
    expect(await verdict.textContent()).toContain('Chain verified');
    expect(await verdict.textContent()).toContain(`Entries #1–#${v.to}`);
    expect(await verdict.textContent()).toContain(`${v.checkpoints_checked} signed checkpoint`);
    const cps = await server.bulwark.audit.checkpoints();
    const last = cps[cps.length - 1]!;
    expect(await page.getByTestId('last-checkpoint').textContent()).toContain(`#${last.seq}`);
    const seqs = async () => (await cellTexts(page, 'audit-table', 1)).map((t) => Number(t.replace('#', '')));
    const newest = await server.bulwark.audit.list({}, { limit: 50, order: 'desc' });
    expect(await seqs()).toEqual(newest.items.map((r) => r.seq));
    await shoot(page, 'audit');

    // Event type and user, through the form: the imported sshd failures for root.
    await page.getByLabel('Event type').selectOption('auth_failure');
    await page.getByLabel('User').fill('root');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => location.hash.includes('user_id=root'));
    await ready(page, 'audit');
    const f = { event_type: ['auth_failure' as const], user_id: 'root' };
    const p1 = await server.bulwark.audit.list(f, { limit: 50, order: 'desc' });
    const p2 = await server.bulwark.audit.list(f, { limit: 50, cursor: p1.next_cursor!, order: 'desc' });
    expect(p1.next_cursor).not.toBeNull();
    expect(await seqs()).toEqual(p1.items.map((r) => r.seq));
    expect(new Set(await cellTexts(page, 'audit-table', 3))).toEqual(new Set(['auth_failure']));
    expect(new Set(await cellTexts(page, 'audit-table', 5))).toEqual(new Set(['root']));
    const last1 = calls[calls.length - 1]!;
    expect([last1.searchParams.get('event_type'), last1.searchParams.get('user_id')]).toEqual([
      'auth_failure',
      'root',
    ]);
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.waitForFunction(() => location.hash.includes('page=2'));
    await ready(page, 'audit');
    expect(await seqs()).toEqual(p2.items.map((r) => r.seq));
    expect(await page.getByTestId('pager-info').textContent()).toBe(
      `Page 2 · showing ${counted(p2.items.length, 'entry', 'entries')}`,
    );
    expect(calls[calls.length - 1]!.searchParams.get('cursor')).toBe(p1.next_cursor);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.waitForFunction(() => !location.hash.includes('page=2'));
    await ready(page, 'audit');
    expect(await seqs()).toEqual(p1.items.map((r) => r.seq));

    // A source IP: 183.62.140.253's entries only.
    await go(page, '#/audit', 'audit');
    await page.getByLabel('Source IP').fill('183.62.140.253');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => location.hash.includes('source_ip='));
    await ready(page, 'audit');
    const byIp = await server.bulwark.audit.list(
      { source_ip: '183.62.140.253' },
      { limit: 50, order: 'desc' },
    );
    expect(byIp.items.length).toBe(50);
    expect(await seqs()).toEqual(byIp.items.map((r) => r.seq));
    expect(new Set(await cellTexts(page, 'audit-table', 6))).toEqual(new Set(['183.62.140.253']));
    expect(calls.every((u) => Number(u.searchParams.get('limit')) <= 50)).toBe(true);
    await page.close();
  });

  it('renders the hostile audit entry as text, and tells a read token that verifying needs admin', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    await go(page, `#/audit?action_prefix=${encodeURIComponent('dashboard.test')}`, 'audit');
    expect(await page.getByTestId('verify-needs-admin').textContent()).toContain(
      'needs the admin scope (your token “web-read” has the read scope)',
    );
    expect(await page.getByTestId('last-checkpoint').textContent()).toContain('Last signed checkpoint');
    const rows = page.locator('[data-testid="audit-table"] tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await cellTexts(page, 'audit-table', 1)).toEqual([`#${caps.hostileSeq}`]);
    expect(await cellTexts(page, 'audit-table', 5)).toEqual([HOSTILE_AUDIT.user_id]);
    expect(await cellTexts(page, 'audit-table', 7)).toEqual([HOSTILE_AUDIT.action]);
    await rows.first().getByText('Show').click();
    const meta = JSON.parse((await rows.first().locator('pre').textContent())!);
    expect(meta).toEqual(HOSTILE_AUDIT.metadata);
    await noInjection(page);
    expect(dialogs).toEqual([]);
    await shoot(page, 'audit-hostile');
    await page.close();
  });

  it('shows the scanned lockfile by severity with fixed versions, and approves a finding from the UI', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    await go(page, '#/dependencies', 'dependencies');
    const summary = caps.scan.summary;
    expect(await page.getByTestId('card-packages').locator('.card-value').textContent()).toBe(
      summary.packages.toLocaleString('en-GB'),
    );
    expect(await page.getByTestId('card-findings').locator('.card-value').textContent()).toBe(
      String(summary.findings),
    );
    for (const s of ['critical', 'high', 'medium', 'low'] as const)
      expect(
        await page.locator(`[data-testid="deps-by-severity"] [data-key="${s}"] .bar-value`).textContent(),
      ).toBe(String(summary.by_severity[s]));
    const adv = await server.bulwark.advisories.status();
    expect(await page.getByTestId('advisory-age').textContent()).toContain(`${adv.advisories} advisories`);
    expect(await page.getByTestId('advisory-age').textContent()).toContain('stale: over 7 days');
    const manifest = await server.bulwark.dependencies.dependencies({ has_cves: true }, { limit: 50 });
    const packages = await cellTexts(page, 'deps', 2);
    expect(packages.map((t) => t.replace(' (direct)', ''))).toEqual(
      manifest.items.map((m) => `${m.package}@${m.version}`),
    );
    // Fixed versions come from the scan's findings: one per lodash advisory that 4.17.5 is in.
    const findings = caps.scan.outcome.result.lockfiles.flatMap((l) => l.findings);
    const lodash = page.locator('[data-testid="deps"] tbody tr', { hasText: 'lodash@4.17.5' });
    const fixed = [
      ...new Set(
        findings
          .filter((x) => x.package === 'lodash' && x.version === '4.17.5')
          .flatMap((x) => x.fixed_versions),
      ),
    ];
    expect(fixed).toContain('4.17.12'); // GHSA-jf85-cpcp-j695 (prototype pollution)
    expect(await lodash.locator('td').nth(3).textContent()).toBe(fixed.join(', '));

    // A read token is refused clearly, and nothing is stored.
    const row = () => page.locator('[data-testid="deps"] tbody tr', { hasText: 'minimist@1.2.0' });
    await row().getByRole('button', { name: 'Approve… (needs admin)' }).click();
    await row().getByLabel('Reason').fill('build-time only: never sees user input');
    await row().getByRole('button', { name: 'Approve', exact: true }).click();
    const refused = row().getByTestId('error');
    await refused.waitFor();
    expect(await refused.getAttribute('data-status')).toBe('403');
    expect(await refused.textContent()).toContain('this needs the admin scope');
    expect(await server.bulwark.dependencies.listApprovals()).toEqual([]);

    // An admin approves it; the page shows the config_change entry the approval wrote.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(server.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await ready(page, 'posture');
    await go(page, '#/dependencies', 'dependencies');
    await row().getByRole('button', { name: 'Approve…' }).click();
    await row().getByLabel('Reason').fill('build-time only: never sees user input');
    await shoot(page, 'dependencies-approve');
    await row().getByRole('button', { name: 'Approve', exact: true }).click();
    const receipt = page.getByTestId('audit-receipt');
    await receipt.waitFor();
    const [approval] = await server.bulwark.dependencies.listApprovals();
    expect(approval).toMatchObject({
      advisory_id: 'GHSA-vh95-rmgr-6w4m',
      package: 'minimist',
      approver: 'web-admin',
    });
    const entry = (
      await server.bulwark.audit.list({ action_prefix: 'approval.create' }, { limit: 1, order: 'desc' })
    ).items[0]!;
    expect(JSON.parse(entry.metadata)).toMatchObject({ approval_id: approval!.id });
    expect(await page.getByTestId('audit-seq').textContent()).toBe(`#${entry.seq}`);
    expect(await receipt.textContent()).toContain('approval.create');
    expect(await receipt.textContent()).toContain('by token:web-admin');
    // Every minimist row of that advisory shows the approval; the approvals table lists it.
    expect(await page.getByTestId('approval-pending').count()).toBe(
      manifest.items.filter((m) => m.package === 'minimist').length,
    );
    expect(await cellTexts(page, 'approvals', 1)).toEqual(['GHSA-vh95-rmgr-6w4m']);
    expect(await cellTexts(page, 'approvals', 3)).toEqual(['build-time only: never sees user input']);
    await noInjection(page);
    await shoot(page, 'dependencies');
    await page.close();
  });

  it('shows each key, its age and overdue rotation, and rotates a key from the UI after confirming', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    await go(page, `#/keys?key=${caps.rotateKey}`, 'keys');
    const keys = await server.bulwark.keys.list();
    expect(await cellTexts(page, 'keys', 1)).toEqual(keys.map((k) => k.name));
    expect(await page.getByTestId('card-keys-overdue').locator('.card-value').textContent()).toBe('1');
    expect(await page.getByTestId('card-keys-overdue').textContent()).toContain(caps.overdueKey);
    const overdueRow = page.locator('[data-testid="keys"] tbody tr', { hasText: caps.overdueKey });
    expect(await overdueRow.locator('td').nth(3).textContent()).toBe('45 days');
    expect(await overdueRow.locator('td').nth(4).textContent()).toContain('overdue since');
    const rotate = page.getByRole('button', { name: `Rotate ${caps.rotateKey} now` });
    const confirm = page.getByRole('button', { name: `Confirm rotation of ${caps.rotateKey}` });
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');

    // By keyboard: Enter asks (focus on the confirmation), Escape and Cancel go back; nothing rotates.
    await rotate.focus();
    await page.keyboard.press('Enter');
    await confirm.waitFor();
    expect(await focused()).toBe(`Confirm rotation of ${caps.rotateKey}`);
    expect(await page.getByTestId('rotate-confirm').textContent()).toContain(
      `Rotate ${caps.rotateKey} to v2? New data is encrypted with the new version; older versions still decrypt.`,
    );
    await page.keyboard.press('Escape');
    expect(await confirm.count()).toBe(0);
    expect(await focused()).toBe('Rotate now (needs admin)');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Cancel');
    await page.keyboard.press('Enter');
    expect(await confirm.count()).toBe(0);
    expect((await server.bulwark.keys.show(caps.rotateKey)).latest_version).toBe(1);

    // A signing key's confirmation speaks of signatures, not encryption.
    await go(page, `#/keys?key=${caps.overdueKey}`, 'keys');
    await page.getByRole('button', { name: `Rotate ${caps.overdueKey} now` }).click();
    const signingConfirm = await page.getByTestId('rotate-confirm').textContent();
    expect(signingConfirm).toContain(
      `Rotate ${caps.overdueKey} to v2? New signatures use the new version; signatures made with older versions still verify.`,
    );
    expect(signingConfirm).not.toMatch(/encrypt/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await go(page, `#/keys?key=${caps.rotateKey}`, 'keys');

    // A read token confirms and is refused.
    await rotate.click();
    await confirm.click();
    const refused = page.getByTestId('error');
    await refused.waitFor();
    expect(await refused.getAttribute('data-status')).toBe('403');
    expect(await refused.textContent()).toContain('this needs the admin scope');
    expect((await server.bulwark.keys.show(caps.rotateKey)).latest_version).toBe(1);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(server.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await ready(page, 'posture');
    await go(page, `#/keys?key=${caps.rotateKey}`, 'keys');
    expect(await page.getByTestId('rotations-empty').textContent()).toBe('Never rotated.');
    // "Rotate now" only asks: the key is not rotated until the confirmation.
    await rotate.click();
    await confirm.waitFor();
    expect((await server.bulwark.keys.show(caps.rotateKey)).latest_version).toBe(1);
    await shoot(page, 'keys-confirm');
    await confirm.click();
    const receipt = page.getByTestId('audit-receipt');
    await receipt.waitFor();
    expect(await receipt.textContent()).toContain(`Rotated ${caps.rotateKey}: v1 → v2.`);
    const info = await server.bulwark.keys.show(caps.rotateKey);
    expect(info.latest_version).toBe(2);
    const entry = (
      await server.bulwark.audit.list({ event_type: ['key_rotation'] }, { limit: 1, order: 'desc' })
    ).items[0]!;
    expect(JSON.parse(entry.metadata)).toMatchObject({ key_name: caps.rotateKey });
    expect(await page.getByTestId('audit-seq').textContent()).toBe(`#${entry.seq}`);
    expect(await receipt.textContent()).toContain('key_rotation');
    await page.getByTestId('rotations').waitFor();
    expect(await cellTexts(page, 'rotations', 2)).toEqual(['v1 → v2']);
    expect(await cellTexts(page, 'rotations', 4)).toEqual(['rotated from the dashboard']);
    expect(await cellTexts(page, 'key-versions', 1)).toEqual(['v2', 'v1']);
    await noInjection(page);
    await shoot(page, 'keys');
    await page.close();
  });

  it('is keyboard navigable: skip link first, then the navigation, focus visible', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    await page.reload();
    await ready(page, 'posture');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    // From the top again: skip link, brand, then the first navigation link.
    await page.reload();
    await ready(page, 'posture');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Posture');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Vulnerabilities');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await ready(page, 'vulnerabilities');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.close();
  });

  it('keeps every text at WCAG AA contrast (4.5:1, 3:1 for large text) on each page', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    for (const [hash, name] of [
      ['#/posture', 'posture'],
      ['#/vulnerabilities?status=open,in_progress', 'vulnerabilities'],
      [`#/vulnerabilities/${seeded.lifecycleId}`, 'vulnerabilities'],
      ['#/auth', 'auth'],
      [`#/auth?since=${SSH_WINDOW.since}&until=${SSH_WINDOW.until}`, 'auth'],
      ['#/audit', 'audit'],
      ['#/dependencies', 'dependencies'],
      ['#/keys', 'keys'],
    ] as const) {
      await go(page, hash, name);
      const failing = await page.evaluate(() => {
        const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
        const lum = ([r, g, b]: number[]) => {
          const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
        };
        const background = (el: Element | null): number[] => {
          for (; el; el = el.parentElement) {
            const c = rgb(getComputedStyle(el).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3]! > 0)) return c.slice(0, 3);
          }
          return [255, 255, 255];
        };
        const out: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement!;
          if (
            !n.textContent!.trim() ||
            !el.checkVisibility() ||
            el.closest('.visually-hidden, .u-legend, .uplot')
          )
            continue;
          const style = getComputedStyle(el);
          const size = parseFloat(style.fontSize);
          const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
          const [l1, l2] = [lum(rgb(style.color)), lum(background(el))].sort((a, b) => b - a);
          const ratio = (l1! + 0.05) / (l2! + 0.05);
          if (ratio < (large ? 3 : 4.5))
            out.push(`${ratio.toFixed(2)} "${n.textContent!.trim().slice(0, 30)}"`);
        }
        return out;
      });
      expect(failing, hash).toEqual([]);
    }
    await page.close();
  });

  it('raised no page error, console error or CSP violation anywhere', () => {
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
