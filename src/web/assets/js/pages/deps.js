/** Dependencies: findings per package with CVEs and fixed versions, approvals with expiry, advisory age. */
import {
  auditReceipt,
  badge,
  errorBox,
  failure,
  loading,
  pageHeader,
  pager,
  section,
  table,
} from '../components.js';
import { append, h, replace, show, time } from '../dom.js';
import { ROUTES, advisoryStatus, approve, itemsOf, listApprovals, listDependencies } from '../data/deps.js';
import { hasScope } from '../session.js';

const DAY = 86_400_000;

const cursorsByFilter = new Map();

export async function render(root, ctx, receipt = null) {
  const severity = ctx.query.get('severity') ?? '';
  const page = Math.max(1, Number.parseInt(ctx.query.get('page') ?? '1', 10) || 1);
  const cursors = cursorsByFilter.get(severity) ?? [null];
  cursorsByFilter.set(severity, cursors);
  if (!receipt) replace(root, pageHeader('Dependencies'), loading('Loading dependencies'));
  let deps;
  try {
    deps = await listDependencies(
      { severity, has_cves: 'true' },
      page > 1 ? (cursors[page - 1] ?? undefined) : undefined,
    );
  } catch (err) {
    if (ctx.isCurrent())
      replace(root, pageHeader('Dependencies'), failure(err, 'Dependency scanning', ROUTES));
    return;
  }
  const [approvals, advisories] = await Promise.allSettled([listApprovals(), advisoryStatus()]);
  if (!ctx.isCurrent()) return;
  if (deps.next_cursor) cursors[page] = deps.next_cursor;
  const go = (n) => ctx.navigate('dependencies', { query: { severity, page: n > 1 ? n : '' } });
  const sevButton = (s) =>
    h(
      'button',
      {
        type: 'button',
        class: 'seg',
        'aria-pressed': String(s === severity),
        onclick: () => ctx.navigate('dependencies', { query: { severity: s } }),
      },
      s || 'all',
    );
  replace(
    root,
    pageHeader(
      'Dependencies',
      advisories.status === 'fulfilled'
        ? h(
            'p',
            { class: 'muted', 'data-testid': 'advisory-age' },
            'Advisory database imported ',
            time(advisories.value.imported_at),
            advisories.value.age_days != null ? ` (${advisories.value.age_days} days old)` : '',
          )
        : null,
    ),
    receipt,
    section(
      'Vulnerable packages',
      h(
        'div',
        { class: 'segmented', role: 'group', 'aria-label': 'Severity' },
        ['', 'critical', 'high', 'medium', 'low'].map(sevButton),
      ),
      table(
        [
          { label: 'Severity', cell: (d) => badge(d.severity_max) },
          {
            label: 'Package',
            cell: (d) => h('span', { class: 'mono' }, `${show(d.package)}@${show(d.version)}`),
            class: 'wide',
          },
          { label: 'Ecosystem', cell: (d) => show(d.ecosystem) },
          {
            label: 'CVEs / advisories',
            cell: (d) =>
              [...(d.cves ?? []), ...(d.cves?.length ? [] : (d.advisory_ids ?? []))].join(', ') || '—',
          },
          { label: 'Fixed in', cell: (d) => (d.fixed_versions ?? []).join(', ') || '—' },
          {
            label: 'Approved',
            cell: (d) =>
              d.approved
                ? h('span', {}, 'yes, until ', time(d.approved_until))
                : approveControl(d, root, ctx),
          },
        ],
        itemsOf(deps),
        {
          caption: 'Vulnerable packages',
          empty: 'No vulnerable package in the latest scan.',
          testid: 'deps',
        },
      ),
      pager({
        page,
        hasPrev: page > 1,
        hasNext: Boolean(deps.next_cursor),
        onPrev: () => go(page - 1),
        onNext: () => go(page + 1),
        shown: itemsOf(deps).length,
        label: 'packages',
      }),
    ),
    section(
      'Approvals',
      approvals.status === 'fulfilled'
        ? table(
            [
              { label: 'Advisory', cell: (a) => h('span', { class: 'mono' }, show(a.advisory_id)) },
              { label: 'Package', cell: (a) => show(a.package) },
              { label: 'Reason', cell: (a) => show(a.reason), class: 'wide' },
              { label: 'Approver', cell: (a) => show(a.approver) },
              {
                label: 'Expires',
                cell: (a) =>
                  h(
                    'span',
                    { class: Date.parse(a.expires_at) < Date.now() ? 'overdue' : '' },
                    time(a.expires_at),
                  ),
              },
            ],
            itemsOf(approvals.value),
            { caption: 'Approvals', empty: 'No approval recorded.', testid: 'approvals' },
          )
        : failure(approvals.reason, 'Approvals', [ROUTES[1]]),
    ),
  );
}

/** "Approve…" opens a small form (reason, expiry); the server records the approval and its audit entry. */
function approveControl(dep, root, ctx) {
  const box = h('div', { class: 'approve' });
  const open = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      onclick: () => {
        const id = `approve-${String(dep.id ?? dep.package).replace(/[^A-Za-z0-9_-]/g, '_')}`;
        const reason = h('input', { id: `${id}-reason`, required: true, maxlength: '1024' });
        const until = h('input', {
          id: `${id}-until`,
          type: 'date',
          required: true,
          value: new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10),
        });
        const feedback = h('div', { 'aria-live': 'polite' });
        const form = h(
          'form',
          { class: 'approve-form' },
          h('label', { for: reason.id }, 'Reason'),
          reason,
          h('label', { for: until.id }, 'Until (UTC)'),
          until,
          h('button', { type: 'submit', class: 'btn btn-primary' }, 'Approve'),
          feedback,
        );
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          try {
            const r = await approve({
              advisory_id: (dep.advisory_ids ?? [])[0] ?? (dep.cves ?? [])[0],
              package: dep.package,
              reason: reason.value.trim(),
              expires_at: `${until.value}T23:59:59Z`,
            });
            await render(root, ctx, auditReceipt(r?.audit, `Approved ${dep.package}@${dep.version}.`));
          } catch (err) {
            replace(feedback, errorBox(err, { action: 'Approving' }));
          }
        });
        replace(box, form);
        reason.focus();
      },
    },
    hasScope('admin') ? 'Approve…' : 'Approve… (needs admin)',
  );
  return append(box, [h('span', {}, 'no '), open]);
}
