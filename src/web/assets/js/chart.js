/**
 * Time-series charts with uPlot (MIT, ~50 KB minified, vendored in /assets/vendor), loaded only by
 * the pages that draw one. uPlot builds its DOM with createElement and styles it through the CSSOM,
 * so it runs under the strict CSP and Trusted Types.
 */
const UPLOT = '/assets/vendor/uplot-1.6.32.min.mjs';
let loaded = null;

function loadUplot() {
  if (!loaded) {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/assets/vendor/uplot-1.6.32.min.css';
    document.head.append(css);
    loaded = import(UPLOT).then((m) => m.default);
  }
  return loaded;
}

const DAY_S = 86_400;
const DAY_LABEL = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const YEAR = new Intl.DateTimeFormat('en-GB', { year: 'numeric', timeZone: 'UTC' });

/**
 * Day ticks: "4 Dec", with the year where it is not the year the axis ends in or where it changes
 * ("28 Dec 2026", "1 Jan"), so a range over a new year still reads right while ticks stay short.
 */
export function dayTickLabels(splits, endYear) {
  let year = endYear;
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const y = YEAR.format(d);
    const label = y === year ? DAY_LABEL.format(d) : `${DAY_LABEL.format(d)} ${y}`;
    year = y;
    return label;
  });
}

/**
 * Draws `series` ([{label, values, stroke, width?, scale?}]) over `xs` (epoch seconds) into `el`,
 * sized to it and redrawn on resize. Returns the uPlot instance.
 *
 * range: [from, to] (epoch seconds), the x axis to show. Always pass it: left to itself, uPlot
 * widens the range of a single x value to 1,000 days after it, so a trend's first snapshot sat at
 * the far left of an axis years into the future. series[i].scale: 'y' (left axis, default) or
 * 'count' (right axis), so a large score and small counts share one chart without flattening the
 * counts. daily: ticks on whole UTC days.
 *
 * The drawn x range and tick labels are written on `el` (data-x-min, data-x-max in epoch seconds,
 * data-x-ticks joined by "|"): a canvas has no text for tests or scripts to read.
 */
export async function lineChart(el, xs, series, { height = 260, daily = false, range } = {}) {
  const UPlot = await loadUplot();
  const width = () => Math.max(280, el.clientWidth);
  let ticks = [];
  const dayAxis = daily
    ? {
        incrs: [DAY_S, 2 * DAY_S, 7 * DAY_S, 14 * DAY_S, 30 * DAY_S, 91 * DAY_S],
        values: (u, splits) => (ticks = dayTickLabels(splits, YEAR.format(new Date(u.scales.x.max * 1000)))),
        // Room for "30 Nov" (about 40 px): a week on a phone gets a tick every other day, not one.
        space: 44,
      }
    : {};
  const hasCount = series.some((s) => s.scale === 'count');
  const opts = {
    width: width(),
    height,
    scales: {
      x: { time: true, ...(range ? { range: () => [range[0], range[1]] } : {}) },
      y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.05)] },
      count: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.05))] },
    },
    axes: [
      { stroke: '#334155', grid: { stroke: '#e2e8f0' }, ...dayAxis },
      { stroke: '#334155', grid: { stroke: '#e2e8f0' }, label: series[0]?.label, size: 56 },
      ...(hasCount
        ? [
            {
              scale: 'count',
              side: 1,
              stroke: '#334155',
              grid: { show: false },
              label: 'count',
              size: 48,
              incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10000],
            },
          ]
        : []),
    ],
    series: [
      {
        label: daily ? 'Day' : 'Time',
        value: daily ? (_u, v) => (v == null ? '--' : DAY_LABEL.format(new Date(v * 1000))) : undefined,
      },
      ...series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: s.width ?? 2,
        scale: s.scale ?? 'y',
        points: { show: xs.length <= 60 },
      })),
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    hooks: {
      draw: [
        (u) => {
          el.dataset.xMin = String(u.scales.x.min);
          el.dataset.xMax = String(u.scales.x.max);
          el.dataset.xTicks = ticks.join('|');
        },
      ],
    },
  };
  const chart = new UPlot(opts, [xs, ...series.map((s) => s.values)], el);
  const resize = new ResizeObserver(() => chart.setSize({ width: width(), height }));
  resize.observe(el);
  return chart;
}
