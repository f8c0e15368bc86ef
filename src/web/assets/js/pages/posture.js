/** Posture: health banner, headline figures, counts by severity / status / OWASP category, risk trend. */
import {
  SEVERITY_ORDER,
  STATUS_ORDER,
  bars,
  card,
  categoryCode,
  failure,
  loading,
  pageHeader,
  section,
  statusLabel,
  table,
} from '../components.js';
import { count, h, replace, time } from '../dom.js';
import { ROUTES, getHealth, getPosture, getTrend } from '../data/posture.js';
import { lineChart } from '../chart.js';

const DAY_S = 86_400;
/** The risk trend's x axis spans this many days at least (one snapshot alone is one day). */
const MIN_TREND_DAYS = 7;
const SEVERITY_TONE = { critical: 'critical', high: 'high', medium: 'medium', low: 'low' };

export async function render(root, ctx) {
  const edition = ctx.query.get('edition') === '2021' ? '2021' : '2025';
  replace(root, pageHeader('Posture'), loading('Loading the posture'));
  let posture, health, trend;
  try {
    [posture, health, trend] = await Promise.all([getPosture(edition), getHealth(edition), getTrend(90)]);
  } catch (err) {
    if (ctx.isCurrent()) replace(root, pageHeader('Posture'), failure(err, 'Posture', ROUTES));
    return;
  }
  if (!ctx.isCurrent()) return;

  const chartBox = h('div', { class: 'chart', 'data-testid': 'trend-chart' });
  replace(
    root,
    pageHeader('Posture', h('p', { class: 'muted' }, 'Generated ', time(posture.generated_at))),
    healthBanner(health, posture.open_criticals),
    h(
      'div',
      { class: 'cards' },
      card('Findings recorded', posture.total, { testid: 'card-total' }),
      card('Open criticals', posture.open_criticals, {
        tone: posture.open_criticals ? 'critical' : 'ok',
        testid: 'card-open-criticals',
        hint: 'open or in progress',
      }),
      card('Overdue vs SLA', posture.overdue, {
        tone: posture.overdue ? 'high' : 'ok',
        testid: 'card-overdue',
        hint: 'past their due date, not yet mitigated',
      }),
      card('Mean time to remediate', posture.mttr_days === null ? '—' : `${posture.mttr_days} d`, {
        testid: 'card-mttr',
        hint: 'discovery to resolution',
      }),
    ),
    h(
      'div',
      { class: 'grid-2' },
      section(
        'By severity',
        bars(
          SEVERITY_ORDER.map((s) => ({
            key: s,
            label: s,
            value: posture.by_severity[s] ?? 0,
            tone: SEVERITY_TONE[s],
          })),
          { label: 'Findings by severity' },
        ),
      ),
      section(
        'By status',
        bars(
          STATUS_ORDER.map((s) => ({
            key: s,
            label: statusLabel(s),
            value: posture.by_status[s] ?? 0,
            tone: 'brand',
          })),
          { label: 'Findings by status' },
        ),
      ),
    ),
    section(
      `By OWASP Top 10 category (${edition})`,
      editionSwitch(edition, ctx),
      h(
        'div',
        { 'data-testid': 'by-category' },
        bars(
          posture.by_category.map((c) => ({
            key: c.category,
            label: [categoryCode(c.category), ' ', c.name],
            value: c.count,
            tone: 'brand',
          })),
          { label: `Findings by OWASP ${edition} category` },
        ),
      ),
      posture.untranslatable
        ? h(
            'p',
            { class: 'muted' },
            `${count(posture.untranslatable, 'finding')} ${posture.untranslatable === 1 ? 'has' : 'have'} no counterpart in the ${edition} edition.`,
          )
        : null,
    ),
    section(
      'Risk over time',
      h(
        'p',
        { class: 'muted' },
        'Risk score = critical × 10 + high × 5 + medium × 3 + low × 1 over findings still open or in progress; one snapshot a day.',
      ),
      chartBox,
      trendTable(trend.points),
    ),
  );
  if (trend.points.length) {
    const day = (d) => Date.parse(`${d}T00:00:00Z`) / 1000;
    const xs = trend.points.map((p) => day(p.day));
    // The axis ends today (the server's UTC day) and shows a week at least, however few snapshots.
    const today = day(trend.to);
    const range = [Math.min(xs[0], today - (MIN_TREND_DAYS - 1) * DAY_S), today];
    await lineChart(
      chartBox,
      xs,
      [
        { label: 'Risk score', values: trend.points.map((p) => p.risk_score), stroke: '#1d4ed8' },
        {
          label: 'Open criticals',
          values: trend.points.map((p) => p.open_criticals),
          stroke: '#b91c1c',
          scale: 'count',
        },
        { label: 'Overdue', values: trend.points.map((p) => p.overdue), stroke: '#b45309', scale: 'count' },
      ],
      { daily: true, range },
    );
  }
}

function healthBanner(health, openCriticals) {
  const ok = health.zero_criticals && health.categories_covered;
  const tone = !health.zero_criticals ? 'critical' : health.categories_covered ? 'ok' : 'warn';
  return h(
    'div',
    { class: `banner banner-${tone}`, role: 'status', 'data-testid': 'health-banner' },
    h('strong', {}, ok ? 'Healthy' : health.zero_criticals ? 'Attention needed' : 'Critical findings open'),
    h(
      'ul',
      {},
      h(
        'li',
        {},
        health.zero_criticals
          ? 'No open critical findings'
          : `${count(openCriticals, 'critical finding')} open or in progress`,
      ),
      h(
        'li',
        {},
        health.categories_covered
          ? `All ten OWASP ${health.edition} categories reviewed within a year`
          : [
              'Categories not reviewed within a year: ',
              health.categories_missing.map((c, i) => [i ? ', ' : '', categoryCode(c)]),
            ],
      ),
      h('li', {}, 'Last dependency scan: ', health.last_scan ? time(health.last_scan) : 'never'),
    ),
  );
}

function editionSwitch(edition, ctx) {
  const button = (e) =>
    h(
      'button',
      {
        type: 'button',
        class: 'seg',
        'aria-pressed': String(e === edition),
        onclick: () => ctx.navigate('posture', { query: e === '2025' ? {} : { edition: e } }),
      },
      `OWASP ${e}`,
    );
  return h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'OWASP Top 10 edition' },
    button('2025'),
    button('2021'),
  );
}

function trendTable(points) {
  return h(
    'details',
    { class: 'trend-table' },
    h('summary', {}, `Show the trend as a table (${count(points.length, 'day')})`),
    table(
      [
        { label: 'Day', cell: (p) => p.day },
        { label: 'Risk score', cell: (p) => String(p.risk_score), class: 'num' },
        { label: 'Critical', cell: (p) => String(p.active_by_severity.critical), class: 'num' },
        { label: 'High', cell: (p) => String(p.active_by_severity.high), class: 'num' },
        { label: 'Medium', cell: (p) => String(p.active_by_severity.medium), class: 'num' },
        { label: 'Low', cell: (p) => String(p.active_by_severity.low), class: 'num' },
        { label: 'Overdue', cell: (p) => String(p.overdue), class: 'num' },
      ],
      points.slice().reverse(),
      { caption: 'Daily posture snapshots', empty: 'No snapshots yet.', testid: 'trend-table' },
    ),
  );
}
