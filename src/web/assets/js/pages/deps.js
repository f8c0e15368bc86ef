/**
 * Dependencies: findings by severity (the latest scan's summary), each vulnerable package with its
 * advisories, CVEs and fixed versions, approvals with their expiry, and the advisory database's age.
 * Approving (admin) records an approval and shows the audit entry it wrote.
 */
import {
  SEVERITY_ORDER,
  auditReceipt,
  badge,
  bars,
  card,
  errorBox,
  failure,
  loading,
  packageRef,
  pageHeader,
  pager,
  section,
  table,
} from '../components.js';
import { append, count, fmtNumber, h, replace, show, time } from '../dom.js';
import {
  ROUTES,
  advisoryStatus,
  approve,
  getScan,
  itemsOf,
  listApprovals,
  listDependencies,
} from '../data/deps.js';
import { newestEntry } from '../data/audit.js';
import { hasScope, identity } from '../session.js';

const DAY = 86_400_000;
const SEVERITIES = [...SEVERITY_ORDER, 'none'];

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
  const [approvals, advisories, scan] = await Promise.allSettled([
    listApprovals(),
    advisoryStatus(),
    deps.scan_id ? getScan(deps.scan_id) : Promise.resolve(null),
  ]);
  if (!ctx.isCurrent()) return;
  if (deps.next_cursor) cursors[page] = deps.next_cursor;
  const active =
    approvals.status === 'fulfilled' ? itemsOf(approvals.value).filter((a) => a.state === 'active') : [];
  const findings = scan.status === 'fulfilled' && scan.value ? findingsByPackage(scan.value) : new Map();
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
    pageHeader('Dependencies', advisories.status === 'fulfilled' ? advisoryAge(advisories.value) : null),
    receipt,
    scan.status === 'fulfilled'
      ? summarySection(scan.value)
      : section('Findings by severity', errorBox(scan.reason)),
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
            cell: (d) =>
              h(
                'span',
                {},
                packageRef(`${show(d.package)}@${show(d.version)}`),
                d.direct === true ? h('span', { class: 'muted' }, ' (direct)') : null,
              ),
            class: 'wide',
          },
          {
            label: 'Advisories',
            cell: (d) => advisoryList(d, findings.get(keyOf(d))),
            class: 'wide',
          },
          { label: 'Fixed in', cell: (d) => fixedIn(findings.get(keyOf(d))) },
          {
            label: 'Approved',
            cell: (d) => approvalCell(d, findings.get(keyOf(d)), active, root, ctx),
          },
        ],
        itemsOf(deps),
        {
          caption: 'Vulnerable packages',
          empty: deps.scan_id ? 'No vulnerable package in the latest scan.' : 'No scan has finished yet.',
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
        one: 'package',
      }),
    ),
    section(
      'Approvals',
      approvals.status === 'fulfilled'
        ? table(
            [
              { label: 'Advisory', cell: (a) => h('span', { class: 'mono' }, show(a.advisory_id)) },
              { label: 'Package', cell: (a) => h('span', { class: 'mono' }, show(a.package)) },
              { label: 'Reason', cell: (a) => show(a.reason), class: 'wide' },
              { label: 'Approver', cell: (a) => show(a.approver) },
              {
                label: 'Expires',
                cell: (a) =>
                  h(
                    'span',
                    {},
                    time(a.expires_at),
                    ' ',
                    badge(a.state, a.state === 'active' ? 'resolved' : 'critical'),
                  ),
              },
            ],
            itemsOf(approvals.value),
            { caption: 'Approvals', empty: 'No approval recorded.', testid: 'approvals' },
          )
        : failure(approvals.reason, 'Approvals', [ROUTES[2]]),
    ),
  );
}

const keyOf = (d) => `${d.ecosystem}\u0000${d.package}\u0000${d.version}`;

/** The scan's findings per package version (fixed versions live there, not on the manifest row). */
function findingsByPackage(scan) {
  const out = new Map();
  for (const lf of scan.result?.lockfiles ?? []) {
    for (const f of lf.findings ?? []) {
      const k = `${f.ecosystem}\u0000${f.package}\u0000${f.version}`;
      if (!out.has(k)) out.set(k, []);
      if (!out.get(k).some((g) => g.id === f.id)) out.get(k).push(f);
    }
  }
  return out;
}

function advisoryAge(s) {
  const days = s.age_ms == null ? null : Math.floor(s.age_ms / DAY);
  return h(
    'p',
    { class: 'muted', 'data-testid': 'advisory-age' },
    `${count(s.advisories, 'advisory', 'advisories')} · last imported `,
    time(s.last_import),
    ' · newest record modified ',
    time(s.newest_modified),
    days === null ? ' · empty' : ` (${count(days, 'day')} old)`,
    ' ',
    s.stale
      ? badge(`stale: over ${count(s.policy?.max_age_days, 'day')}`, 'critical')
      : badge('fresh', 'resolved'),
  );
}

function summarySection(scan) {
  if (!scan) return section('Findings by severity', h('p', { class: 'empty' }, 'No scan has finished yet.'));
  const s = scan.summary ?? {};
  const by = s.by_severity ?? {};
  return section(
    'Findings by severity',
    h(
      'p',
      { class: 'muted', 'data-testid': 'scan-info' },
      'Latest scan ',
      time(scan.finished_at),
      ` · ${(scan.lockfiles ?? []).join(', ')} · by ${show(scan.requested_by)}`,
    ),
    h(
      'div',
      { class: 'cards' },
      card('Packages scanned', fmtNumber(s.packages), { testid: 'card-packages' }),
      card('Findings', fmtNumber(s.findings), { testid: 'card-findings', tone: s.findings ? 'high' : 'ok' }),
      card('Approved', fmtNumber(s.approved), { testid: 'card-approved' }),
      card('Informational', fmtNumber(s.informational), { testid: 'card-informational' }),
    ),
    h(
      'div',
      { 'data-testid': 'deps-by-severity' },
      bars(
        SEVERITIES.filter((k) => k !== 'none').map((k) => ({
          key: k,
          label: k,
          value: by[k] ?? 0,
          tone: k,
        })),
        { label: 'Findings by severity' },
      ),
    ),
  );
}

function advisoryList(dep, found) {
  if (found?.length)
    return h(
      'ul',
      { class: 'plain' },
      found.map((f) =>
        h(
          'li',
          {},
          h('span', { class: 'mono' }, f.id),
          f.cves?.length ? ` (${f.cves.join(', ')})` : '',
          ' ',
          badge(f.severity),
        ),
      ),
    );
  return [...(dep.cves ?? []), ...(dep.cves?.length ? [] : (dep.advisory_ids ?? []))].join(', ') || '—';
}

function fixedIn(found) {
  const versions = [...new Set((found ?? []).flatMap((f) => f.fixed_versions ?? []))];
  return versions.length ? h('span', { class: 'mono' }, versions.join(', ')) : '—';
}

/** The approval in force for this row now (an approval made since the scan applies from the next one). */
function approvalCell(dep, found, active, root, ctx) {
  if (dep.approved) return h('span', {}, `yes, by ${show(dep.approved_by)} until `, time(dep.approved_until));
  const ids = new Set([...(dep.advisory_ids ?? []), ...(dep.cves ?? [])]);
  const recorded = active.find(
    (a) => ids.has(a.advisory_id) && (a.package === null || a.package === dep.package),
  );
  if (recorded)
    return h(
      'span',
      { 'data-testid': 'approval-pending' },
      'approved until ',
      time(recorded.expires_at),
      h('span', { class: 'muted' }, ' (applies from the next scan)'),
    );
  return approveControl(dep, found, root, ctx);
}

/** "Approve…" opens a small form (advisory, reason, approver, expiry); the server audits the approval. */
function approveControl(dep, found, root, ctx) {
  const box = h('div', { class: 'approve' });
  const choices = found?.length ? found.map((f) => f.id) : (dep.advisory_ids ?? []);
  const open = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      'data-package': dep.package,
      onclick: () => {
        const id = `approve-${String(dep.id ?? dep.package).replace(/[^A-Za-z0-9_-]/g, '_')}`;
        const advisory = h(
          'select',
          { id: `${id}-advisory`, required: true },
          choices.map((c) => h('option', { value: c }, c)),
        );
        const reason = h('input', { id: `${id}-reason`, required: true, maxlength: '2048' });
        const approver = h('input', {
          id: `${id}-approver`,
          required: true,
          maxlength: '256',
          value: identity()?.name ?? '',
        });
        const until = h('input', {
          id: `${id}-until`,
          type: 'date',
          required: true,
          value: new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10),
        });
        const feedback = h('div', { 'aria-live': 'polite' });
        const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Approve');
        const form = h(
          'form',
          { class: 'approve-form', 'aria-label': `Approve ${dep.package}@${dep.version}` },
          h('label', { for: advisory.id }, 'Advisory'),
          advisory,
          h('label', { for: reason.id }, 'Reason'),
          reason,
          h('label', { for: approver.id }, 'Approver'),
          approver,
          h('label', { for: until.id }, 'Through (UTC day)'),
          until,
          submit,
          feedback,
        );
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          submit.disabled = true;
          try {
            const a = await approve({
              advisory_id: advisory.value,
              package: dep.package,
              reason: reason.value.trim(),
              approver: approver.value.trim(),
              expires: until.value,
            });
            // The answer is the approval; its audit entry is read back from the ledger.
            const entry = await newestEntry({
              event_type: 'config_change',
              action_prefix: 'approval.create',
              match: (e) => e.metadata?.approval_id === a.id,
            }).catch(() => null);
            await render(
              root,
              ctx,
              auditReceipt(
                entry,
                `Approved ${a.advisory_id} for ${dep.package} through ${String(a.expires_at).slice(0, 10)} (UTC).`,
              ),
            );
            root.querySelector('[data-testid="audit-receipt"]')?.focus();
          } catch (err) {
            submit.disabled = false;
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
