/** The audit log: filters, server-side cursor pages, chain verification and the last checkpoint. */
import {
  badge,
  errorBox,
  failure,
  jsonBlock,
  loading,
  pageHeader,
  pager,
  section,
  table,
} from '../components.js';
import { count, fmtNumber, h, replace, show, time } from '../dom.js';
import { hasScope, identity } from '../session.js';
import { EVENT_TYPES, OUTCOMES, ROUTES, lastCheckpoint, listLogs, verifyChain } from '../data/audit.js';
import { ApiError, isUnavailable } from '../api.js';

const cursorsByFilter = new Map();
const FIELDS = ['event_type', 'outcome', 'user_id', 'source_ip', 'action_prefix', 'since', 'until'];

export async function render(root, ctx) {
  const filter = Object.fromEntries(FIELDS.map((k) => [k, ctx.query.get(k) ?? '']));
  const page = Math.max(1, Number.parseInt(ctx.query.get('page') ?? '1', 10) || 1);
  const key = JSON.stringify(filter);
  const cursors = cursorsByFilter.get(key) ?? [null];
  cursorsByFilter.set(key, cursors);
  const cursor = page > 1 ? (ctx.query.get('cursor') ?? cursors[page - 1]) : null;
  const results = h(
    'div',
    { 'aria-live': 'polite', 'data-testid': 'audit-results' },
    loading('Loading the audit log'),
  );
  const chain = h('div', { 'data-testid': 'chain-status' });

  let data;
  try {
    data = await listLogs(filter, cursor ?? undefined);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(root, pageHeader('Audit log'), failure(err, 'The audit log', ROUTES));
    return;
  }
  if (!ctx.isCurrent()) return;
  replace(
    root,
    pageHeader('Audit log'),
    section('Chain verification', chain),
    filterForm(filter, ctx),
    results,
  );
  if (data.next_cursor) cursors[page] = data.next_cursor;
  const go = (n) =>
    ctx.navigate('audit', {
      query: { ...filter, page: n > 1 ? n : '', cursor: n > 1 ? cursors[n - 1] : '' },
    });
  replace(
    results,
    table(
      [
        { label: 'Seq', cell: (e) => h('span', { class: 'mono' }, `#${e.seq}`), class: 'num nowrap' },
        { label: 'Time', cell: (e) => time(e.timestamp), class: 'nowrap' },
        { label: 'Event', cell: (e) => e.event_type, class: 'nowrap' },
        { label: 'Outcome', cell: (e) => badge(e.outcome, `outcome-${e.outcome}`) },
        { label: 'User', cell: (e) => h('span', { class: 'mono' }, show(e.user_id)) },
        { label: 'IP', cell: (e) => h('span', { class: 'mono' }, show(e.source_ip)), class: 'nowrap' },
        { label: 'Action', cell: (e) => h('span', { class: 'mono' }, show(e.action)), class: 'wide' },
        {
          label: 'Metadata',
          cell: (e) => h('details', {}, h('summary', {}, 'Show'), jsonBlock(e.metadata ?? {})),
        },
      ],
      data.items ?? [],
      { caption: 'Audit log entries', empty: 'No audit entry matches these filters.', testid: 'audit-table' },
    ),
    pager({
      page,
      hasPrev: page > 1,
      hasNext: Boolean(data.next_cursor),
      onPrev: () => go(page - 1),
      onNext: () => go(page + 1),
      shown: (data.items ?? []).length,
      one: 'entry',
      many: 'entries',
    }),
  );
  void renderChain(chain, ctx);
}

async function renderChain(el, ctx) {
  replace(el, loading('Verifying the chain'));
  const me = identity();
  // A read token is not allowed to verify: do not ask (a 403 would be audited as a violation).
  const [verify, checkpoint] = await Promise.allSettled([
    hasScope('admin')
      ? verifyChain()
      : Promise.reject(new ApiError(403, 'forbidden', 'needs the admin scope')),
    lastCheckpoint(),
  ]);
  if (!ctx.isCurrent()) return;
  const parts = [];
  if (verify.status === 'fulfilled') {
    const r = verify.value;
    parts.push(
      h(
        'div',
        { class: `banner banner-${r.ok ? 'ok' : 'critical'}`, 'data-testid': 'chain-verdict' },
        h('strong', {}, r.ok ? 'Chain verified' : 'Chain broken'),
        h(
          'p',
          {},
          `Entries #${show(r.from)}–#${show(r.to)}: ${fmtNumber(r.checked)} checked sound`,
          r.ok ? '' : ` · first bad entry #${show(r.first_bad_seq)}: ${show(r.reason)}`,
          r.detail ? ` (${r.detail})` : '',
          ` · ${count(r.checkpoints_checked, 'signed checkpoint')} `,
          r.checkpoints === 'verified' ? 'verified' : 'not checkable (no public key)',
        ),
        r.warning ? h('p', { class: 'muted' }, r.warning) : null,
      ),
    );
  } else if (verify.reason?.status === 403) {
    parts.push(
      h(
        'p',
        { class: 'hint', 'data-testid': 'verify-needs-admin' },
        'Verifying the chain needs the admin scope',
        me ? ` (your token “${me.name}” has the ${me.scope} scope)` : '',
        '. Signed checkpoints are public: the last one is shown below.',
      ),
    );
  } else if (isUnavailable(verify.reason)) {
    parts.push(h('p', { class: 'muted' }, 'Chain verification is not available on this server.'));
  } else parts.push(errorBox(verify.reason));
  if (checkpoint.status === 'fulfilled' && checkpoint.value) {
    const c = checkpoint.value;
    parts.push(
      h(
        'p',
        { 'data-testid': 'last-checkpoint' },
        'Last signed checkpoint: ',
        h('span', { class: 'mono' }, `#${c.seq}`),
        ' at ',
        time(c.time),
        ` (key ${show(c.key_id)} v${show(c.key_version)}) · hash `,
        h('span', { class: 'mono' }, `${String(c.hash).slice(0, 16)}…`),
      ),
    );
  } else if (checkpoint.status === 'fulfilled')
    parts.push(h('p', { class: 'muted', 'data-testid': 'last-checkpoint' }, 'No checkpoint signed yet.'));
  else if (!isUnavailable(checkpoint.reason)) parts.push(errorBox(checkpoint.reason));
  replace(el, parts);
}

function filterForm(filter, ctx) {
  const select = (id, name, label, values) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      h(
        'select',
        { id, name },
        h('option', { value: '' }, 'Any'),
        values.map((v) => h('option', { value: v, selected: filter[name] === v }, v)),
      ),
    );
  const input = (id, name, label, type = 'text') =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      h('input', { id, name, type, value: type === 'datetime-local' ? toLocal(filter[name]) : filter[name] }),
    );
  const form = h(
    'form',
    { class: 'filters panel', role: 'search', 'aria-label': 'Filter the audit log' },
    select('a-type', 'event_type', 'Event type', EVENT_TYPES),
    select('a-outcome', 'outcome', 'Outcome', OUTCOMES),
    input('a-user', 'user_id', 'User'),
    input('a-ip', 'source_ip', 'Source IP'),
    input('a-action', 'action_prefix', 'Action starts with'),
    input('a-since', 'since', 'From (UTC)', 'datetime-local'),
    input('a-until', 'until', 'Until (UTC)', 'datetime-local'),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Apply filters'),
      h('button', { type: 'button', class: 'btn', onclick: () => ctx.navigate('audit', {}) }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    const query = {};
    for (const k of FIELDS) {
      const v = String(d.get(k) ?? '').trim();
      query[k] =
        (k === 'since' || k === 'until') && /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00.000Z` : v;
    }
    ctx.navigate('audit', { query });
  });
  return form;
}

/** ISO (UTC) → the value of a datetime-local input, read as UTC. */
const toLocal = (iso) => (iso ? String(iso).slice(0, 16) : '');
