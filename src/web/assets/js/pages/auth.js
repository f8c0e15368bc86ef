/** Authentication: failures over time, anomalies, the latest rate-limit snapshot's top keys, lockouts. */
import {
  badge,
  errorBox,
  loading,
  pageHeader,
  section,
  table,
  unavailable,
  unavailableInline,
} from '../components.js';
import { h, replace, show, time } from '../dom.js';
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

export async function render(root, ctx) {
  const until = new Date();
  const since = new Date(until.getTime() - 7 * DAY);
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
    pageHeader('Authentication', h('p', { class: 'muted' }, 'Last 7 days')),
    section(
      'Failures over time',
      part(series, 'Failure counts', [ROUTES[3]], (r) =>
        h(
          'div',
          {},
          h(
            'p',
            { class: 'muted', 'data-testid': 'failures-total' },
            `${r.total_failures ?? '—'} failures · ${r.total_successes ?? '—'} successes`,
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
        table(
          [
            { label: 'Kind', cell: (a) => badge(String(a.kind ?? '').replaceAll('_', ' '), 'neutral') },
            { label: 'Key', cell: (a) => h('span', { class: 'mono' }, show(a.key)) },
            {
              label: 'Window',
              cell: (a) =>
                h('span', {}, time(a.window_start ?? a.first_seen), ' – ', time(a.window_end ?? a.last_seen)),
            },
            { label: 'Failures', cell: (a) => show(a.count), class: 'num' },
            { label: 'Users', cell: (a) => show(a.distinct_users), class: 'num' },
            { label: 'IPs', cell: (a) => show(a.distinct_ips), class: 'num' },
          ],
          itemsOf(r),
          { caption: 'Anomalies', empty: 'No anomaly in the last 7 days.', testid: 'anomalies' },
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
            { label: 'Locked until', cell: (l) => time(l.locked_until) },
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
      );
  }
}

function topKeys(snapshot, kind) {
  const rows = snapshot?.counters?.[kind] ?? [];
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'muted' },
      'Captured ',
      time(snapshot?.captured_at),
      ` · limits ${show(snapshot?.per_ip_limit)}/min per IP, ${show(snapshot?.per_sender_limit)}/min per sender`,
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
