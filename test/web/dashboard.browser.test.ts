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
import { type Seeded, seedAttempts, seedRegister } from './seed.js';

const skip = browserSkipReason();
const ARTIFACTS = 'test-artifacts/web';

describe.skipIf(skip !== null)(`dashboard in Chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: LiveServer;
  let browser: Browser;
  let seeded: Seeded;
  let attempts: { failures: number; successes: number };
  const problems: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLiveServer();
    seeded = await seedRegister(server.bulwark, server.clock);
    attempts = await seedAttempts(server.bulwark, Date.now());
    browser = await launchBrowser();
  });
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

    const all = new Set<string>();
    const page1 = await titles();
    expect(page1.length).toBe(25);
    expect(await page.getByTestId('pager-info').textContent()).toBe('Page 1 · 25 findings');
    page1.forEach((t) => all.add(t));
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.waitForFunction(() => location.hash.includes('page=2'));
    await ready(page, 'vulnerabilities');
    const page2 = await titles();
    expect(page2.length).toBe(25);
    page2.forEach((t) => all.add(t));
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.waitForFunction(() => location.hash.includes('page=3'));
    await ready(page, 'vulnerabilities');
    const page3 = await titles();
    expect(page3.length).toBe(seeded.total - 50);
    page3.forEach((t) => all.add(t));
    expect(all.size).toBe(seeded.total); // no row twice, none missing
    expect(await page.getByRole('button', { name: 'Next →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.waitForFunction(() => location.hash.includes('page=2'));
    await ready(page, 'vulnerabilities');
    expect(await titles()).toEqual(page2);
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
    await shoot(page, 'vulnerabilities');

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

  it('charts authentication failures over time from the attempts table', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.read);
    await go(page, '#/auth', 'auth');
    await page.waitForSelector('[data-testid="failures-chart"] canvas');
    expect(await page.getByTestId('failures-total').textContent()).toBe(
      `${attempts.failures} failures · ${attempts.successes} successes`,
    );
    await page.close();
  });

  it('shows each other page: its data, or the designed "not available" state', async () => {
    const page = await newPage();
    await signIn(page, server.tokens.admin);
    for (const name of ['audit', 'auth', 'dependencies', 'keys']) {
      await go(page, `#/${name}`, name);
      const state = page.getByTestId('unavailable');
      const part = page.getByTestId('unavailable-part');
      if (await part.count()) {
        // Some of the page's routes are here (auth: the failures chart), the rest say they are missing.
        expect(await part.first().textContent()).toContain('answered 404');
      } else if (await state.count()) {
        expect(await state.textContent()).toContain('not available on this server');
        expect(await state.textContent()).toContain('404 route_not_found');
      } else {
        // The capability is on this server: its page shows a table or its empty state, not an error.
        expect(await page.getByTestId('error').count()).toBe(0);
      }
      await noInjection(page);
      await shoot(page, name);
    }
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
