/** Authentication: failures over time, anomalies, the latest rate-limit snapshot's top keys, lockouts. */
import {
  badge,
  bars,
  errorBox,
  loading,
  pageHeader,
  section,
  table,
  unavailable,
  unavailableInline,
} from '../components.js';
import { count, fmtNumber, h, replace, show, time } from '../dom.js';
import {
  ROUTES,
  getAnomalies,
  getFailureSeries,
  getLockouts,
  getRateLimitStatus,
  itemsOf,
} from '../data/auth.js';
import { isUnavailable } from '../api.js';
import { lineChart } from '../chart.js';

const DAY = 86_400_000;

const validDate = (v) => {
  const d = v ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
};
const windowText = (ms) =>
  !ms ? 'window' : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;

function windowLabel(since, until, ctx) {
  if (!ctx.query.get('since') && !ctx.query.get('until')) return 'Last 7 days';
  return h('span', {}, time(since.toISOString()), ' – ', time(until.toISOString()));
}

/** From / until (UTC) for every part of the page. */
function windowForm(since, until, ctx) {
  const field = (id, name, label, d) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      h('input', { id, name, type: 'datetime-local', value: d.toISOString().slice(0, 16) }),
    );
  const form = h(
    'form',
    { class: 'filters panel', 'aria-label': 'Time window' },
    field('w-since', 'since', 'From (UTC)', since),
    field('w-until', 'until', 'Until (UTC)', until),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Show window'),
      h('button', { type: 'button', class: 'btn', onclick: () => ctx.navigate('auth', {}) }, 'Last 7 days'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    const iso = (k) => {
      const v = String(d.get(k) ?? '');
      return /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00.000Z` : '';
    };
    ctx.navigate('auth', { query: { since: iso('since'), until: iso('until') } });
  });
  return form;
}

const ANOMALY_ROWS = 20;

/** The findings, largest first; the first 20 unless the reader asks for all of them. */
function anomalyTable(findings, ctx) {
  const all = ctx.query.get('anomalies') === 'all';
  const rows = [...findings].sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key)));
  const shown = all ? rows : rows.slice(0, ANOMALY_ROWS);
  return h(
    'div',
    {},
    table(
      [
        { label: 'Kind', cell: (a) => badge(String(a.kind ?? '').replaceAll('_', ' '), 'neutral') },
        { label: 'Scope', cell: (a) => show(a.scope) },
        { label: 'Key', cell: (a) => h('span', { class: 'mono' }, show(a.key)), class: 'nowrap' },
        {
          label: 'Window',
          cell: (a) => h('span', {}, time(a.window?.start), ' – ', time(a.window?.end)),
        },
        { label: 'Attempts', cell: (a) => fmtNumber(a.count), class: 'num' },
        { label: 'Users', cell: (a) => fmtNumber(a.distinct_users), class: 'num' },
        { label: 'IPs', cell: (a) => fmtNumber(a.distinct_ips), class: 'num' },
        { label: 'Rule', cell: (a) => h('span', { class: 'muted' }, show(a.rule)), class: 'wide' },
      ],
      shown,
      { caption: 'Anomalies', empty: 'No anomaly in this window.', testid: 'anomalies' },
    ),
    rows.length > shown.length
      ? h(
          'p',
          { class: 'muted', 'data-testid': 'anomalies-more' },
          `The ${shown.length} largest of ${rows.length} are shown. `,
          h(
            'a',
            { href: `#/auth?${new URLSearchParams({ ...Object.fromEntries(ctx.query), anomalies: 'all' })}` },
            `Show all ${rows.length}`,
          ),
        )
      : null,
  );
}

/** Findings by kind, as bars with their numbers. */
function kindCounts(findings) {
  const counts = new Map();
  for (const f of findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  if (!counts.size) return null;
  return bars(
    [...counts].map(([kind, value]) => ({
      key: kind,
      label: kind.replaceAll('_', ' '),
      value,
      tone: 'high',
    })),
    { label: 'Anomalies by kind' },
  );
}

export async function render(root, ctx) {
  // The window: ?since=&until= (ISO) when given, else the last 7 days. Anomalies look at 31 days at most.
  const until = validDate(ctx.query.get('until')) ?? new Date();
  const since = validDate(ctx.query.get('since')) ?? new Date(until.getTime() - 7 * DAY);
  replace(root, pageHeader('Authentication'), loading('Loading authentication data'));
  const [status, anomalies, lockouts, series] = await Promise.allSettled([
    getRateLimitStatus(),
    getAnomalies(since.toISOString(), until.toISOString()),
    getLockouts(),
    getFailureSeries(since.toISOString(), until.toISOString(), 'hour'),
  ]);
  if (!ctx.isCurrent()) return;
  const all = [status, anomalies, lockouts, series];
  if (all.every((r) => r.status === 'rejected' && isUnavailable(r.reason))) {
    replace(root, pageHeader('Authentication'), unavailable('Authentication monitoring', ROUTES));
    return;
  }
  const part = (r, title, routes, fn) =>
    r.status === 'fulfilled'
      ? fn(r.value)
      : r.reason?.status === 404 && r.reason?.code === 'not_found'
        ? h('p', { class: 'empty' }, 'Nothing recorded yet.')
        : isUnavailable(r.reason)
          ? unavailableInline(routes)
          : errorBox(r.reason);
  const chartBox = h('div', { class: 'chart', 'data-testid': 'failures-chart' });
  replace(
    root,
    pageHeader(
      'Authentication',
      h('p', { class: 'muted', 'data-testid': 'auth-window' }, windowLabel(since, until, ctx)),
    ),
    windowForm(since, until, ctx),
    section(
      'Failures over time',
      part(series, 'Failure counts', [ROUTES[3]], (r) =>
        h(
          'div',
          {},
          h(
            'p',
            { class: 'muted', 'data-testid': 'failures-total' },
            `${count(r.total_failures, 'failure')} · ${count(r.total_successes, 'success', 'successes')}`,
          ),
          itemsOf(r.buckets ?? r).length
            ? chartBox
            : h('p', { class: 'empty' }, 'No attempts in this window.'),
        ),
      ),
    ),
    section(
      'Anomalies',
      part(anomalies, 'The anomaly view', [ROUTES[1]], (r) =>
        h(
          'div',
          {},
          h(
            'p',
            { class: 'muted', 'data-testid': 'anomalies-summary' },
            `${count(r.findings?.length ?? 0, 'finding')} over ${count(r.in_window ?? r.scanned, 'attempt')} · `,
            `${count(r.bans?.length ?? 0, 'ban')} by the lockout rule`,
          ),
          kindCounts(r.findings ?? []),
          anomalyTable(r.findings ?? [], ctx),
          (r.bans ?? []).length
            ? h(
                'details',
                { class: 'bans' },
                h('summary', {}, `Bans the per-IP lockout rule sets in this window (${r.bans.length})`),
                table(
                  [
                    { label: 'Key', cell: (b) => h('span', { class: 'mono' }, show(b.key)), class: 'nowrap' },
                    { label: 'Banned at', cell: (b) => time(b.banned_at) },
                    { label: 'Until', cell: (b) => time(b.until) },
                    { label: 'Level', cell: (b) => show(b.level), class: 'num' },
                  ],
                  r.bans,
                  { caption: 'Replayed bans', testid: 'bans' },
                ),
              )
            : null,
        ),
      ),
    ),
    h(
      'div',
      { class: 'grid-2' },
      section(
        'Top IPs (latest rate-limit snapshot)',
        part(status, 'Rate-limit status', [ROUTES[0]], (s) => topKeys(s, 'ips')),
      ),
      section(
        'Top senders (latest rate-limit snapshot)',
        part(status, 'Rate-limit status', [ROUTES[0]], (s) => topKeys(s, 'senders')),
      ),
    ),
    section(
      'Current lockouts',
      part(lockouts, 'Lockouts', [ROUTES[2]], (r) =>
        table(
          [
            { label: 'Key', cell: (l) => h('span', { class: 'mono' }, show(l.key)) },
            { label: 'Locked until', cell: (l) => time(l.until) },
            { label: 'Level', cell: (l) => show(l.level), class: 'num' },
          ],
          itemsOf(r),
          { caption: 'Lockouts', empty: 'No one is locked out.', testid: 'lockouts' },
        ),
      ),
    ),
  );
  if (series.status === 'fulfilled') {
    const buckets = itemsOf(series.value.buckets ?? series.value);
    if (buckets.length)
      await lineChart(
        chartBox,
        buckets.map((b) => Date.parse(b.t ?? b.start) / 1000),
        [
          { label: 'Failures', values: buckets.map((b) => b.failures ?? 0), stroke: '#b91c1c' },
          { label: 'Successes', values: buckets.map((b) => b.successes ?? 0), stroke: '#15803d' },
        ],
        // The window (as the server aligned it to buckets), not the points' span: a window of one
        // bucket would otherwise get uPlot's 1,000-day default.
        {
          range: [
            Date.parse(series.value.since ?? since.toISOString()) / 1000,
            Date.parse(series.value.until ?? until.toISOString()) / 1000,
          ],
        },
      );
  }
}

function topKeys(snapshot, kind) {
  const counter = snapshot?.counters?.[kind] ?? {};
  const rows = counter.top ?? [];
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'muted' },
      'Captured ',
      time(snapshot?.captured_at),
      ` · ${fmtNumber(counter.total)} counted in the window since `,
      time(counter.window_start),
      ` · limit ${show(kind === 'ips' ? snapshot?.per_ip_limit : snapshot?.per_sender_limit)} per ${windowText(counter.window_ms)}`,
    ),
    table(
      [
        { label: kind === 'ips' ? 'IP' : 'Sender', cell: (c) => h('span', { class: 'mono' }, show(c.key)) },
        { label: 'Count', cell: (c) => show(c.count), class: 'num' },
        { label: '± error', cell: (c) => show(c.error ?? 0), class: 'num' },
      ],
      rows,
      { caption: kind, empty: 'Nothing counted in this window.', testid: `top-${kind}` },
    ),
  );
}
