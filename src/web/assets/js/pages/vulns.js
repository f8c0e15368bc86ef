/** The vulnerability register: filters in the URL, server-side cursor pages, one row per finding. */
import {
  SEVERITY_ORDER,
  STATUS_ORDER,
  badge,
  categoryCode,
  failure,
  loading,
  pageHeader,
  packageRef,
  pager,
  statusLabel,
  table,
} from '../components.js';
import { h, replace, time } from '../dom.js';
import { PAGE_SIZES, ROUTES, listVulnerabilities } from '../data/vulns.js';

const CATEGORIES = ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A09', 'A10'];
const DEFAULT_LIMIT = 25;

/** Cursors of pages already seen, per filter, so "Previous" works without offsets. */
const cursorsByFilter = new Map();

const csv = (q, k) => (q.get(k) ?? '').split(',').filter(Boolean);

export function readFilter(query) {
  return {
    severity: csv(query, 'severity').filter((s) => SEVERITY_ORDER.includes(s)),
    status: csv(query, 'status').filter((s) => STATUS_ORDER.includes(s)),
    owasp_category: csv(query, 'owasp_category').filter((c) => CATEGORIES.includes(c)),
    component: query.get('component') ?? '',
    q: query.get('q') ?? '',
  };
}

export async function render(root, ctx) {
  const filter = readFilter(ctx.query);
  const limit = PAGE_SIZES.includes(Number(ctx.query.get('limit')))
    ? Number(ctx.query.get('limit'))
    : DEFAULT_LIMIT;
  const page = Math.max(1, Number.parseInt(ctx.query.get('page') ?? '1', 10) || 1);
  const filterKey = JSON.stringify({ ...filter, limit });
  const cursors = cursorsByFilter.get(filterKey) ?? [null];
  cursorsByFilter.set(filterKey, cursors);
  // A deep link to page n whose cursor this tab never saw starts again at page 1.
  const cursor = page > 1 ? (ctx.query.get('cursor') ?? cursors[page - 1]) : null;
  const results = h(
    'div',
    { class: 'results', 'aria-live': 'polite', 'data-testid': 'vuln-results' },
    loading('Loading findings'),
  );

  replace(root, pageHeader('Vulnerabilities'), filterForm(filter, limit, ctx), results);

  let data;
  try {
    data = await listVulnerabilities(filter, { limit, cursor: cursor ?? undefined });
  } catch (err) {
    if (ctx.isCurrent()) replace(results, failure(err, 'The vulnerability register', ROUTES));
    return;
  }
  if (!ctx.isCurrent()) return;
  if (data.next_cursor) cursors[page] = data.next_cursor;
  const go = (n) =>
    ctx.navigate('vulnerabilities', {
      query: {
        ...filter,
        limit: limit === DEFAULT_LIMIT ? '' : limit,
        page: n > 1 ? n : '',
        cursor: n > 1 ? cursors[n - 1] : '',
      },
    });

  replace(
    results,
    table(
      [
        { label: 'Severity', cell: (v) => badge(v.severity) },
        { label: 'Score', cell: (v) => v.cvss_score.toFixed(1), class: 'num' },
        {
          label: 'Title',
          cell: (v) =>
            h('a', { href: `#/vulnerabilities/${encodeURIComponent(v.id)}`, class: 'row-link' }, v.title),
          class: 'wide',
        },
        { label: 'Component', cell: (v) => packageRef(v.component) },
        { label: 'Category', cell: (v) => categoryCode(v.owasp_category, v.owasp_edition) },
        { label: 'Status', cell: (v) => badge(statusLabel(v.status), `status-${v.status}`) },
        { label: 'Due', cell: (v) => dueCell(v) },
      ],
      data.items,
      { caption: 'Vulnerabilities', empty: 'No vulnerability matches these filters.', testid: 'vuln-table' },
    ),
    pager({
      page,
      hasPrev: page > 1,
      hasNext: Boolean(data.next_cursor),
      onPrev: () => go(page - 1),
      onNext: () => go(page + 1),
      shown: data.items.length,
      one: 'finding',
    }),
  );
}

function dueCell(v) {
  const exposed = v.status === 'open' || v.status === 'in_progress';
  const overdue = exposed && Date.parse(v.due_at) < Date.now();
  return h(
    'span',
    { class: overdue ? 'overdue' : '' },
    time(v.due_at),
    overdue ? h('span', { class: 'tag-overdue' }, ' overdue') : null,
  );
}

function checkboxGroup(legend, name, values, selected, labelOf = (v) => v) {
  return h(
    'fieldset',
    { class: 'checks' },
    h('legend', {}, legend),
    values.map((v) =>
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', name, value: v, checked: selected.includes(v) }),
        ' ',
        labelOf(v),
      ),
    ),
  );
}

function filterForm(filter, limit, ctx) {
  const form = h(
    'form',
    { class: 'filters panel', role: 'search', 'aria-label': 'Filter vulnerabilities' },
    checkboxGroup('Severity', 'severity', SEVERITY_ORDER, filter.severity),
    checkboxGroup('Status', 'status', STATUS_ORDER, filter.status, statusLabel),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-category' }, 'OWASP category'),
      h(
        'select',
        { id: 'f-category', name: 'owasp_category' },
        h('option', { value: '' }, 'Any'),
        CATEGORIES.map((c) => h('option', { value: c, selected: filter.owasp_category[0] === c }, c)),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-component' }, 'Component'),
      h('input', {
        id: 'f-component',
        name: 'component',
        value: filter.component,
        maxlength: '512',
        placeholder: 'log4j-core or log4j-core@2.14.1',
      }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-q' }, 'Text'),
      h('input', {
        id: 'f-q',
        name: 'q',
        type: 'search',
        value: filter.q,
        maxlength: '256',
        placeholder: 'title, CVE…',
      }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-limit' }, 'Per page'),
      h(
        'select',
        { id: 'f-limit', name: 'limit' },
        PAGE_SIZES.map((n) => h('option', { value: String(n), selected: n === limit }, String(n))),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Apply filters'),
      h(
        'button',
        { type: 'button', class: 'btn', onclick: () => ctx.navigate('vulnerabilities', {}) },
        'Clear',
      ),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const n = Number(data.get('limit'));
    ctx.navigate('vulnerabilities', {
      query: {
        severity: data.getAll('severity'),
        status: data.getAll('status'),
        owasp_category: data.get('owasp_category'),
        component: String(data.get('component') ?? '').trim(),
        q: String(data.get('q') ?? '').trim(),
        limit: n === DEFAULT_LIMIT ? '' : n,
      },
    });
  });
  return form;
}
