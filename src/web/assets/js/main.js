/**
 * The dashboard shell: sign-in, navigation and hash routing (#/page/param?query). Each page module
 * renders into a fresh container; a render that finishes after the user moved on is dropped.
 */
import { ApiError, setUnauthenticatedHandler } from './api.js';
import { h, replace } from './dom.js';
import { whoami } from './data/session.js';
import { clearToken, getToken, identity, setIdentity, setToken } from './session.js';
import * as posture from './pages/posture.js';
import * as vulns from './pages/vulns.js';
import * as vulnDetail from './pages/vuln-detail.js';
import * as audit from './pages/audit.js';
import * as auth from './pages/auth.js';
import * as deps from './pages/deps.js';
import * as keys from './pages/keys.js';

const PAGES = {
  posture: { title: 'Posture', module: posture },
  vulnerabilities: { title: 'Vulnerabilities', module: vulns, detail: vulnDetail },
  audit: { title: 'Audit log', module: audit },
  auth: { title: 'Authentication', module: auth },
  dependencies: { title: 'Dependencies', module: deps },
  keys: { title: 'Keys', module: keys },
};

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const sessionBox = document.getElementById('session');
let renderSeq = 0;
let signInNotice = null;
let lastPage = null;

export function parseHash(hash = location.hash) {
  const raw = hash.startsWith('#/') ? hash.slice(2) : '';
  const [path, qs = ''] = raw.split('?');
  const [page = 'posture', param] = path.split('/').map((p) => decodeURIComponent(p));
  return { page: page || 'posture', param, query: new URLSearchParams(qs) };
}

/** Navigates to #/page[/param]?query (query: object; empty values dropped). */
export function navigate(page, { param, query } = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const qs = params.toString();
  const next = `#/${page}${param ? `/${encodeURIComponent(param)}` : ''}${qs ? `?${qs}` : ''}`;
  if (location.hash === next) void route();
  else location.hash = next;
}

function renderSession() {
  const me = identity();
  if (!me) {
    replace(sessionBox);
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  replace(
    sessionBox,
    h(
      'span',
      { class: 'who', 'data-testid': 'who' },
      h('span', { class: 'visually-hidden' }, 'Signed in as '),
      me.name,
      ' ',
      h('span', { class: `badge badge-scope-${me.scope}` }, me.scope),
    ),
    h('button', { type: 'button', class: 'btn btn-quiet', onclick: signOut }, 'Sign out'),
  );
}

function signOut() {
  clearToken();
  renderSession();
  location.hash = '#/posture';
  void route();
}

function renderSignIn() {
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'bwk_…',
    'aria-describedby': 'token-help',
  });
  const status = h('div', { 'aria-live': 'polite' });
  if (signInNotice) status.append(h('div', { class: 'alert alert-error', role: 'alert' }, signInNotice));
  const form = h(
    'form',
    { class: 'signin panel', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title', tabindex: '-1' }, 'Sign in to Bulwark'),
    h(
      'p',
      { id: 'token-help', class: 'muted' },
      'Paste an API token (create one with ',
      h('code', {}, 'bulwark tokens create --scope read --name me'),
      '). A read token is enough to view; changes ask for write or admin. ',
      'The token stays in this tab only and is forgotten when the tab closes.',
    ),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    replace(status, h('p', { role: 'status' }, 'Checking the token…'));
    try {
      const me = await whoami(token);
      setToken(token, me);
      signInNotice = null;
      renderSession();
      await route();
    } catch (err) {
      const msg =
        err instanceof ApiError && err.status === 401
          ? 'That token is not valid (unknown or revoked).'
          : `Sign-in failed: ${err.message}`;
      replace(status, h('div', { class: 'alert alert-error', role: 'alert' }, msg));
      input.focus();
    }
  });
  replace(main, form);
  document.title = 'Sign in · Bulwark';
  input.focus();
}

async function route() {
  const seq = ++renderSeq;
  // Not ready until this render finishes (tests and scripts wait on data-ready).
  delete main.dataset.ready;
  if (!getToken()) return renderSignIn();
  if (!identity()) {
    try {
      setIdentity(await whoami(getToken()));
      renderSession();
    } catch {
      clearToken();
      return renderSignIn();
    }
  }
  const { page, param, query } = parseHash();
  const def = PAGES[page] ?? PAGES.posture;
  const module = param && def.detail ? def.detail : def.module;
  for (const a of nav.querySelectorAll('a[data-page]')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${def.title} · Bulwark`;
  const container = h('div', { class: 'page', 'data-page': page });
  replace(main, container);
  const ctx = {
    param,
    query,
    navigate,
    isCurrent: () => seq === renderSeq,
  };
  try {
    await module.render(container, ctx);
  } catch (err) {
    if (seq !== renderSeq) return;
    // A page that throws is a bug: say so in the console too (the browser tests fail on it).
    console.error(`page ${page} failed:`, err);
    replace(
      container,
      h('div', { class: 'alert alert-error', role: 'alert' }, `This page failed: ${err.message}`),
    );
  }
  if (seq === renderSeq) {
    main.dataset.ready = page;
    // Focus moves to the new page's heading on page changes only, not when a filter or pager of
    // the same page re-renders it (the control keeps focus there).
    const pageKey = `${page}/${param ?? ''}`;
    // Not on the first load either: there the skip link stays the first Tab stop.
    if (lastPage !== null && pageKey !== lastPage)
      container.querySelector('h1')?.focus({ preventScroll: true });
    lastPage = pageKey;
  }
}

setUnauthenticatedHandler(() => {
  clearToken();
  signInNotice = 'Your token is no longer accepted (revoked or expired). Sign in again.';
  renderSession();
  renderSignIn();
});

document.getElementById('skip-link').addEventListener('click', (ev) => {
  ev.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => void route());
renderSession();
void route();
