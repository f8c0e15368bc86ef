/**
 * The dashboard's static files: right content types, cache headers and ETags, the security headers
 * on every file, the stricter page CSP (Trusted Types) on the HTML, nothing outside the asset table
 * reachable, and no inline script or style anywhere in the markup.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, findAssetDir } from '../../src/http/routes/web.js';
import { SECURITY_HEADERS } from '../../src/http/security-headers.js';
import { startTestApp, type TestApp } from '../support/app.js';

describe('dashboard static files', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite::memory:');
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });

  it('serves the page at / with the security headers and a CSP that adds Trusted Types', async () => {
    const r = await get('/');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP.startsWith(SECURITY_HEADERS['content-security-policy']!)).toBe(true);
    expect(DASHBOARD_CSP).toContain("require-trusted-types-for 'script'");
    for (const h of [
      'strict-transport-security',
      'x-frame-options',
      'x-content-type-options',
      'referrer-policy',
    ])
      expect(r.headers[h], h).toBe(SECURITY_HEADERS[h]);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.body).toContain('<script type="module" src="/assets/js/main.js">');
  });

  it.each([
    ['/assets/js/main.js', 'text/javascript; charset=utf-8', 'no-cache'],
    ['/assets/app.css', 'text/css; charset=utf-8', 'no-cache'],
    ['/assets/favicon.svg', 'image/svg+xml', 'no-cache'],
    [
      '/assets/vendor/uplot-1.6.32.min.mjs',
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
    ],
    ['/assets/vendor/uplot-1.6.32.min.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
  ])('%s: %s, %s, the server CSP and nosniff', async (url, type, cache) => {
    const r = await get(url);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.headers['cache-control']).toBe(cache);
    expect(r.headers['content-security-policy']).toBe(SECURITY_HEADERS['content-security-policy']);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });

  it('answers 304 without a body when the ETag matches, 200 when it does not', async () => {
    const first = await get('/assets/js/api.js');
    const again = await get('/assets/js/api.js', { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['x-frame-options']).toBe('DENY');
    const listed = await get('/assets/js/api.js', { 'if-none-match': `"other", W/${first.headers.etag}` });
    expect(listed.statusCode).toBe(304);
    const stale = await get('/assets/js/api.js', { 'if-none-match': '"not-this-one"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(first.body);
  });

  it('answers HEAD like GET without a body', async () => {
    const r = await t.app.inject({ method: 'HEAD', url: '/assets/app.css' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(r.body).toBe('');
  });

  it.each([
    '/assets/nope.js',
    '/assets/index.html',
    '/assets/../package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/js/../../../../package.json',
    '/assets/vendor/uplot-LICENSE.txt/../../app.css.map',
    '/assets/',
  ])('%s → 404 in the catalogue shape, nothing from outside the assets', async (url) => {
    const r = await get(url);
    expect(r.statusCode).toBe(404);
    expect(r.json()).toHaveProperty('code');
    expect(r.body).not.toContain('"name": "bulwark"');
    expect(r.headers['content-security-policy']).toBeDefined();
  });

  it('refuses writes to the dashboard routes with 405', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/', payload: {} });
    expect(r.statusCode).toBe(405);
  });

  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) =>
      statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)],
    );
  const ours = files(findAssetDir()).filter((f) => !f.includes('/vendor/'));

  it('has no inline script, inline style, or style attribute in the markup', () => {
    const html = readFileSync(join(findAssetDir(), 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('never parses data as HTML in its own scripts (no innerHTML, outerHTML, insertAdjacentHTML, document.write, eval)', () => {
    const js = ours.filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(10);
    for (const f of js) {
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(
        /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function/,
      );
    }
  });
});
