/** One vulnerability: its facts, its history, and the lifecycle moves it allows (write scope). */
import {
  auditReceipt,
  badge,
  categoryCode,
  errorBox,
  failure,
  loading,
  packageRef,
  pageHeader,
  section,
  statusLabel,
  table,
} from '../components.js';
import { externalLink, h, replace, show, time } from '../dom.js';
import { NEXT_STATUSES, ROUTES, getVulnerability, transitionVulnerability } from '../data/vulns.js';
import { hasScope, identity } from '../session.js';

const MOVE_LABEL = {
  in_progress: 'Start work (in progress)',
  mitigated: 'Mark mitigated',
  resolved: 'Mark resolved',
};
const CVE = /^CVE-\d{4}-\d{4,}$/;

export async function render(root, ctx, receipt = null) {
  if (!receipt) replace(root, pageHeader('Vulnerability'), loading('Loading the vulnerability'));
  let v;
  try {
    v = await getVulnerability(ctx.param);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(
      root,
      backLink(),
      pageHeader('Vulnerability'),
      err.status === 404 && err.code === 'not_found'
        ? h('div', { class: 'alert alert-error', role: 'alert' }, 'No vulnerability with this id.')
        : failure(err, 'The vulnerability register', ROUTES),
    );
    return;
  }
  if (!ctx.isCurrent()) return;
  replace(
    root,
    backLink(),
    pageHeader(
      v.title,
      h(
        'p',
        { class: 'badges' },
        badge(v.severity),
        ' ',
        badge(statusLabel(v.status), `status-${v.status}`),
        ' ',
        h('span', { class: 'mono' }, `CVSS ${v.cvss_score.toFixed(1)}`),
      ),
    ),
    receipt,
    h(
      'div',
      { class: 'grid-2' },
      section('Details', facts(v)),
      section('Lifecycle', transitionPanel(v, root, ctx)),
    ),
    section(
      'History',
      table(
        [
          { label: 'When', cell: (t) => time(t.at) },
          { label: 'From', cell: (t) => statusLabel(t.from_status) },
          { label: 'To', cell: (t) => statusLabel(t.to_status) },
          { label: 'By', cell: (t) => h('span', { class: 'mono' }, t.actor) },
          { label: 'Note', cell: (t) => show(t.note), class: 'wide' },
        ],
        v.history.slice().reverse(),
        { caption: 'Transition history', empty: 'No transitions yet: still as recorded.', testid: 'history' },
      ),
    ),
  );
}

const backLink = () => h('p', {}, h('a', { href: '#/vulnerabilities' }, '← All vulnerabilities'));

function facts(v) {
  const rows = [
    ['Component', packageRef(v.component)],
    [
      'CVE',
      v.cve && CVE.test(v.cve)
        ? externalLink(`https://www.cve.org/CVERecord?id=${v.cve}`, v.cve)
        : show(v.cve),
    ],
    ['Aliases', v.aliases.length ? v.aliases.join(', ') : '—'],
    ['CWEs', v.cwes.length ? v.cwes.join(', ') : '—'],
    ['CVSS vector', h('span', { class: 'mono' }, show(v.cvss_vector))],
    ['OWASP category', categoryCode(v.owasp_category, v.owasp_edition)],
    ['Severity override', show(v.severity_override_reason)],
    ['Discovered', time(v.discovered_at)],
    ['Due', time(v.due_at)],
    ['Resolved', time(v.resolved_at)],
    ['Source', v.source],
    ['Description', h('span', { class: 'prose', 'data-testid': 'description' }, show(v.description))],
    ['Remediation', h('span', { class: 'prose', 'data-testid': 'remediation' }, show(v.remediation))],
  ];
  return h(
    'dl',
    { class: 'facts' },
    rows.map(([k, val]) => [h('dt', {}, k), h('dd', {}, val)]),
  );
}

function transitionPanel(v, root, ctx) {
  const next = NEXT_STATUSES[v.status] ?? [];
  if (!next.length) return h('p', { class: 'muted' }, 'Resolved: the lifecycle ends here.');
  const note = h('textarea', { id: 'transition-note', name: 'note', rows: '3', maxlength: '4096' });
  const feedback = h('div', { 'aria-live': 'polite' });
  const canWrite = hasScope('write');
  const buttons = next.map((to) =>
    h(
      'button',
      {
        type: 'button',
        class: 'btn btn-primary',
        'data-to': to,
        onclick: async (ev) => {
          const btn = ev.currentTarget;
          btn.disabled = true;
          replace(feedback, h('p', { role: 'status' }, 'Saving…'));
          try {
            const r = await transitionVulnerability(v.id, to, note.value.trim() || undefined);
            if (!ctx.isCurrent()) return;
            await render(
              root,
              ctx,
              auditReceipt(r.audit, `Moved to ${statusLabel(r.vulnerability.status)}.`),
            );
            root.querySelector('[data-testid="audit-receipt"]')?.focus?.();
          } catch (err) {
            btn.disabled = false;
            replace(feedback, errorBox(err, { action: MOVE_LABEL[to] }));
          }
        },
      },
      MOVE_LABEL[to] ?? statusLabel(to),
    ),
  );
  return h(
    'div',
    { class: 'transition' },
    h('p', {}, 'Current status: ', badge(statusLabel(v.status), `status-${v.status}`)),
    h('label', { for: 'transition-note' }, 'Note (optional, kept in the history)'),
    note,
    h('div', { class: 'actions' }, buttons),
    canWrite
      ? null
      : h(
          'p',
          { class: 'hint', 'data-testid': 'scope-hint' },
          `Changing the status needs the write scope; your token “${identity()?.name}” has ${identity()?.scope}.`,
        ),
    feedback,
  );
}
