/** Building blocks every page uses: headings, cards, bars, tables, badges and the states between. */
import { isUnavailable } from './api.js';
import { count, h, show } from './dom.js';
import { identity } from './session.js';

export const pageHeader = (title, ...extra) =>
  h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, title), ...extra);

export const section = (title, ...children) =>
  h('section', { class: 'panel', 'aria-label': title }, h('h2', {}, title), ...children);

export function card(label, value, { tone = 'neutral', hint, testid } = {}) {
  return h(
    'div',
    { class: `card tone-${tone}`, 'data-testid': testid },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, show(value)),
    hint ? h('div', { class: 'card-hint' }, hint) : null,
  );
}

/** An OWASP category code ("A05", "A05:2025"), kept on one line wherever it appears. */
export const categoryCode = (category, edition) =>
  h('span', { class: 'category-code' }, edition ? `${category}:${edition}` : String(category));

export const badge = (text, kind) => h('span', { class: `badge badge-${kind ?? text}` }, show(text));

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];
export const STATUS_ORDER = ['open', 'in_progress', 'mitigated', 'resolved'];
export const statusLabel = (s) => String(s ?? '').replace('_', ' ');

/**
 * Horizontal bars with their numbers as text (a bar alone is not readable by everyone). The width
 * is set through the CSSOM, which the CSP allows (style attributes in markup it would not).
 */
export function bars(entries, { label = 'counts', tone } = {}) {
  const max = Math.max(1, ...entries.map((e) => e.value));
  return h(
    'ul',
    { class: 'bars', 'aria-label': label },
    entries.map((e) => {
      const fill = h('span', { class: `bar-fill tone-${e.tone ?? tone ?? 'neutral'}` });
      fill.style.width = `${(e.value / max) * 100}%`;
      return h(
        'li',
        { class: 'bar-row', dataset: { key: e.key ?? e.label } },
        h('span', { class: 'bar-label' }, e.label),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' }, fill),
        h('span', { class: 'bar-value' }, String(e.value)),
      );
    }),
  );
}

/**
 * A table; on narrow screens CSS lays each row out as a card, labelled by data-label.
 * columns: [{label, cell: (row) => node|string, class?}]
 */
export function table(columns, rows, { caption, empty = 'Nothing to show.', testid } = {}) {
  if (!rows.length) return h('p', { class: 'empty', 'data-testid': testid && `${testid}-empty` }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data', 'data-testid': testid },
      caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            columns.map((c) => h('td', { 'data-label': c.label, class: c.class }, c.cell(r))),
          ),
        ),
      ),
    ),
  );
}

export const loading = (what = 'Loading') =>
  h(
    'p',
    { class: 'loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    `${what}…`,
  );

/**
 * The designed state for a page whose capability this server does not have yet: the route answered
 * 404 route_not_found. Names the routes, so an operator knows what is missing.
 */
export function unavailable(title, routes) {
  return h(
    'div',
    { class: 'unavailable', 'data-testid': 'unavailable', role: 'status' },
    h('div', { class: 'unavailable-icon', 'aria-hidden': 'true' }, '⌁'),
    h('h2', {}, `${title} is not available on this server`),
    h(
      'p',
      {},
      'This Bulwark server does not have this capability installed yet: its API answered ',
      h('code', {}, '404 route_not_found'),
      '. The page fills in by itself once the server has it.',
    ),
    h('p', { class: 'muted' }, 'Routes this page reads:'),
    h(
      'ul',
      { class: 'route-list' },
      routes.map((r) => h('li', {}, h('code', {}, r))),
    ),
  );
}

/** An API error as a clear message; 403 says which scope is needed and which one the token has. */
export function errorBox(err, { action } = {}) {
  const me = identity();
  let title = 'Something went wrong';
  let detail = err?.message ?? String(err);
  if (err?.status === 403) {
    title = 'Not allowed with this token';
    const needed = /needs the (\w+) scope/.exec(err.message ?? '')?.[1];
    detail =
      `${action ? `${action}: ` : ''}the server refused (403 forbidden)` +
      (needed ? ` — this needs the ${needed} scope` : '') +
      (me ? `; your token “${me.name}” has the ${me.scope} scope.` : '.') +
      ' The refusal was recorded in the audit log. Sign in with a token that has the scope to do this.';
  } else if (err?.status === 409) title = 'Not possible in the current state';
  else if (err?.status === 400) title = 'The server refused the input';
  else if (err?.status === 0) title = 'The server could not be reached';
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert', 'data-testid': 'error', 'data-status': err?.status },
    h('strong', {}, title),
    h('p', {}, detail),
    err?.code ? h('p', { class: 'muted' }, 'code: ', h('code', {}, err.code)) : null,
  );
}

/** The compact form, for one part of a page whose other parts are there. */
export const unavailableInline = (routes) =>
  h(
    'p',
    { class: 'unavailable-inline', 'data-testid': 'unavailable-part', role: 'status' },
    'Not available on this server yet (',
    routes.map((r, i) => [i ? ', ' : '', h('code', {}, r)]),
    ' answered 404).',
  );

/** Either the unavailable state (route unknown) or the error box. */
export const failure = (err, title, routes) =>
  isUnavailable(err) ? unavailable(title, routes) : errorBox(err);

/** The audit entry a write action created, shown after it succeeded. */
export function auditReceipt(entry, what) {
  return h(
    'div',
    { class: 'alert alert-success', role: 'status', tabindex: '-1', 'data-testid': 'audit-receipt' },
    h('strong', {}, what),
    entry
      ? h(
          'p',
          {},
          'Recorded in the audit log as entry ',
          h('span', { class: 'mono', 'data-testid': 'audit-seq' }, `#${entry.seq}`),
          ` · ${entry.event_type} · `,
          h('span', { class: 'mono' }, entry.action),
          ` · ${entry.outcome} · by ${show(entry.user_id)} · hash `,
          h('span', { class: 'mono' }, String(entry.hash ?? '').slice(0, 16) + '…'),
        )
      : h('p', { class: 'muted' }, 'The server did not return an audit entry for this action.'),
  );
}

/**
 * Previous / next buttons over cursor pages; `one` / `many` name what a page holds ("1 finding").
 * The APIs give no total, so the count is said to be this page's ("showing 25 findings"), except on
 * a lone page, where it is the whole match ("25 findings in all").
 */
export function pager({ page, hasPrev, hasNext, onPrev, onNext, shown, one = 'item', many }) {
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    h('button', { type: 'button', class: 'btn', disabled: !hasPrev, onclick: onPrev }, '← Previous'),
    h(
      'span',
      { class: 'pager-info', 'data-testid': 'pager-info' },
      `Page ${page} · ${pageCount({ page, hasNext, shown, one, many })}`,
    ),
    h('button', { type: 'button', class: 'btn', disabled: !hasNext, onclick: onNext }, 'Next →'),
  );
}

export const pageCount = ({ page, hasNext, shown, one = 'item', many }) =>
  page === 1 && !hasNext ? `${count(shown, one, many)} in all` : `showing ${count(shown, one, many)}`;

/**
 * `name@version` in monospace that may wrap after the `@` (or inside a long name) but never inside
 * the version: "handlebars@1.0" over ".30" reads as another version. The last `@` past the first
 * character splits, so `@scope/pkg@1.2.3` keeps its scope. Text without a version is shown as is.
 */
export function packageRef(text) {
  const s = show(text);
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return h('span', { class: 'mono' }, s);
  return h(
    'span',
    { class: 'mono package-ref' },
    s.slice(0, at + 1),
    h('wbr', {}),
    h('span', { class: 'package-version' }, s.slice(at + 1)),
  );
}

/** Pretty JSON (metadata) as text in a <pre>; never markup. */
export const jsonBlock = (value) => h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
