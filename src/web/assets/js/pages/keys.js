/**
 * Keys: each key with its latest version and that version's age, overdue rotations, the selected
 * key's versions and rotation history, and "Rotate now" (admin, confirmed in the page first), which
 * shows the key_rotation audit entry the rotation wrote.
 */
import {
  auditReceipt,
  badge,
  card,
  errorBox,
  failure,
  loading,
  pageHeader,
  section,
  table,
} from '../components.js';
import { append, count, h, replace, show, time } from '../dom.js';
import { ROUTES, getKey, itemsOf, keyRotations, listKeys, rotateKey } from '../data/keys.js';
import { newestEntry } from '../data/audit.js';
import { hasScope } from '../session.js';

const isOverdue = (k) => k.next_rotation_due_at !== null && Date.parse(k.next_rotation_due_at) <= Date.now();

export async function render(root, ctx, receipt = null) {
  if (!receipt) replace(root, pageHeader('Keys'), loading('Loading keys'));
  let keys;
  try {
    keys = itemsOf(await listKeys());
  } catch (err) {
    if (ctx.isCurrent()) replace(root, pageHeader('Keys'), failure(err, 'The keyring', ROUTES));
    return;
  }
  if (!ctx.isCurrent()) return;
  const selected = ctx.query.get('key') ?? keys[0]?.name;
  const detail = h('div', { 'data-testid': 'key-detail' }, loading('Loading the key'));
  const feedback = h('div', { 'aria-live': 'polite' });
  const overdue = keys.filter(isOverdue);
  replace(
    root,
    pageHeader('Keys'),
    receipt,
    feedback,
    h(
      'div',
      { class: 'cards' },
      card('Keys', keys.length, { testid: 'card-keys' }),
      card('Overdue rotations', overdue.length, {
        testid: 'card-keys-overdue',
        tone: overdue.length ? 'critical' : 'ok',
        hint: overdue.length ? overdue.map((k) => k.name).join(', ') : 'every key is within its period',
      }),
    ),
    section(
      'Keys',
      table(
        [
          {
            label: 'Key',
            cell: (k) =>
              h(
                'a',
                {
                  href: `#/keys?key=${encodeURIComponent(k.name)}`,
                  'aria-current': k.name === selected ? 'true' : undefined,
                },
                k.name,
              ),
            // A key name is an identifier: "bulwark.audit.check / point" read badly.
            class: 'nowrap',
          },
          { label: 'Type', cell: (k) => show(k.type), class: 'nowrap' },
          { label: 'Latest version', cell: (k) => `v${show(k.latest_version)}`, class: 'num' },
          { label: 'Age of latest', cell: (k) => age(k.latest_version_age_days) },
          {
            label: 'Rotation',
            cell: (k) =>
              k.next_rotation_due_at === null
                ? h('span', { class: 'muted' }, 'no automatic rotation')
                : isOverdue(k)
                  ? h('span', {}, badge('overdue', 'critical'), ' since ', time(k.next_rotation_due_at))
                  : h(
                      'span',
                      {},
                      `every ${show(k.policy?.auto_rotate_period)} · due `,
                      time(k.next_rotation_due_at),
                    ),
          },
          {
            label: 'Rotate',
            cell: (k) => rotateControl(k, root, ctx, feedback),
          },
        ],
        keys,
        { caption: 'Keys', empty: 'No key in the keyring yet.', testid: 'keys' },
      ),
    ),
    selected ? detail : null,
  );
  if (!selected) return;
  const [info, rotations] = await Promise.allSettled([getKey(selected), keyRotations(selected)]);
  if (!ctx.isCurrent()) return;
  replace(
    detail,
    section(
      `Versions of ${selected}`,
      info.status === 'fulfilled'
        ? table(
            [
              { label: 'Version', cell: (v) => `v${v.version}`, class: 'num' },
              { label: 'Created', cell: (v) => time(v.created_at) },
              {
                label: 'Usable',
                cell: (v) =>
                  v.usable
                    ? 'yes'
                    : h('span', { class: 'muted' }, 'no (below the minimum decryption version)'),
              },
            ],
            [...(info.value.versions ?? [])].reverse(),
            { caption: 'Versions', empty: 'No version.', testid: 'key-versions' },
          )
        : failure(info.reason, 'The key', [ROUTES[1]]),
    ),
    section(
      `Rotation history of ${selected}`,
      rotations.status === 'fulfilled'
        ? table(
            [
              { label: 'When', cell: (e) => time(e.timestamp) },
              { label: 'From → to', cell: (e) => `v${show(e.version_from)} → v${show(e.version_to)}` },
              { label: 'By', cell: (e) => h('span', { class: 'mono' }, show(e.rotated_by)) },
              { label: 'Notes', cell: (e) => show(e.notes), class: 'wide' },
            ],
            [...itemsOf(rotations.value)].reverse(),
            { caption: 'Rotations', empty: 'Never rotated.', testid: 'rotations' },
          )
        : failure(rotations.reason, 'Rotation history', [ROUTES[2]]),
    ),
  );
}

/**
 * "Rotate now" asks first, in the page: it turns into "Confirm rotation of NAME" and "Cancel"
 * (Escape cancels too), focus on the confirmation; only that button rotates. Rotating changes
 * which version encrypts from then on, so it is not one stray click away.
 */
function rotateControl(k, root, ctx, feedback) {
  const box = h('div', { class: 'rotate-control' });
  const start = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      'data-key': k.name,
      'aria-label': `Rotate ${k.name} now`,
      onclick: () => ask(),
    },
    hasScope('admin') ? 'Rotate now' : 'Rotate now (needs admin)',
  );
  const back = () => {
    replace(box, start);
    start.focus();
  };
  const ask = () => {
    const questionId = `rotate-${k.name.replace(/[^A-Za-z0-9_-]/g, '_')}-question`;
    const confirm = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-primary',
        'aria-describedby': questionId,
        onclick: async () => {
          confirm.disabled = true;
          cancel.disabled = true;
          try {
            const r = await rotateKey(k.name, 'rotated from the dashboard');
            const e = r.rotations?.[0] ?? {};
            // The answer is the rotation event; its audit entry is read back from the ledger.
            const entry = await newestEntry({
              event_type: 'key_rotation',
              action_prefix: 'key.rotate',
              match: (a) => a.metadata?.rotation_id === e.id,
            }).catch(() => null);
            ctx.query.set('key', k.name);
            await render(
              root,
              ctx,
              auditReceipt(entry, `Rotated ${k.name}: v${show(e.version_from)} → v${show(e.version_to)}.`),
            );
            root.querySelector('[data-testid="audit-receipt"]')?.focus();
          } catch (err) {
            back();
            replace(feedback, errorBox(err, { action: `Rotating ${k.name}` }));
          }
        },
      },
      `Confirm rotation of ${k.name}`,
    );
    const cancel = h('button', { type: 'button', class: 'btn', onclick: back }, 'Cancel');
    const next = Number.isInteger(k.latest_version) ? ` to v${k.latest_version + 1}` : '';
    replace(
      box,
      h(
        'div',
        {
          class: 'confirm',
          role: 'group',
          'aria-label': `Rotate ${k.name}?`,
          'data-testid': 'rotate-confirm',
          onkeydown: (ev) => {
            if (ev.key === 'Escape') back();
          },
        },
        h('p', { id: questionId }, `Rotate ${k.name}${next}? ${rotationEffect(k.type)}`),
        h('div', { class: 'actions' }, confirm, cancel),
      ),
    );
    confirm.focus();
  };
  return append(box, [start]);
}

/** What a rotation changes, in the terms of the key's use: only an encryption key encrypts. */
export function rotationEffect(type) {
  switch (type) {
    case 'aes256-gcm':
      return 'New data is encrypted with the new version; older versions still decrypt.';
    case 'ed25519':
      return 'New signatures use the new version; signatures made with older versions still verify.';
    case 'hmac-sha256':
      return 'New MACs use the new version; MACs made with older versions still verify.';
    default:
      return 'New operations use the new version; older versions stay usable.';
  }
}

function age(days) {
  if (days === null || days === undefined) return '—';
  return count(Math.floor(days), 'day');
}
