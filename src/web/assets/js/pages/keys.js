/** Keys: each key with its versions and the age of the latest, overdue rotations, rotation history, rotate (admin). */
import {
  auditReceipt,
  badge,
  errorBox,
  failure,
  loading,
  pageHeader,
  section,
  table,
} from '../components.js';
import { h, replace, show, time } from '../dom.js';
import { ROUTES, itemsOf, keyRotations, listKeys, rotateKey } from '../data/keys.js';
import { hasScope } from '../session.js';

const DAY = 86_400_000;

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
  const history = h('div', { 'data-testid': 'rotations' });
  const feedback = h('div', { 'aria-live': 'polite' });
  replace(
    root,
    pageHeader('Keys'),
    receipt,
    feedback,
    section(
      'Keys',
      table(
        [
          { label: 'Key', cell: (k) => h('a', { href: `#/keys?key=${encodeURIComponent(k.name)}` }, k.name) },
          { label: 'Type', cell: (k) => show(k.type) },
          { label: 'Latest version', cell: (k) => `v${show(k.latest_version)}`, class: 'num' },
          { label: 'Age of latest', cell: (k) => age(k.latest_created_at) },
          {
            label: 'Rotation',
            cell: (k) =>
              k.overdue ? badge('overdue', 'critical') : h('span', {}, 'due ', time(k.rotation_due_at)),
          },
          {
            label: 'Rotate',
            cell: (k) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'btn',
                  'data-key': k.name,
                  onclick: async (ev) => {
                    ev.currentTarget.disabled = true;
                    try {
                      const r = await rotateKey(k.name, 'rotated from the dashboard');
                      const e = r.event ?? r;
                      await render(
                        root,
                        ctx,
                        auditReceipt(
                          r.audit,
                          `Rotated ${k.name}: v${show(e.version_from)} → v${show(e.version_to)}.`,
                        ),
                      );
                    } catch (err) {
                      ev.currentTarget.disabled = false;
                      replace(feedback, errorBox(err, { action: `Rotating ${k.name}` }));
                    }
                  },
                },
                hasScope('admin') ? 'Rotate now' : 'Rotate now (needs admin)',
              ),
          },
        ],
        keys,
        { caption: 'Keys', empty: 'No key in the keyring yet.', testid: 'keys' },
      ),
    ),
    section(`Rotation history${selected ? ` of ${selected}` : ''}`, history),
  );
  if (!selected) return;
  try {
    const rows = itemsOf(await keyRotations(selected));
    if (!ctx.isCurrent()) return;
    replace(
      history,
      table(
        [
          { label: 'When', cell: (e) => time(e.timestamp) },
          { label: 'From → to', cell: (e) => `v${show(e.version_from)} → v${show(e.version_to)}` },
          { label: 'By', cell: (e) => h('span', { class: 'mono' }, show(e.rotated_by)) },
          { label: 'Notes', cell: (e) => show(e.notes), class: 'wide' },
        ],
        rows,
        { caption: 'Rotations', empty: 'Never rotated.' },
      ),
    );
  } catch (err) {
    replace(history, failure(err, 'Rotation history', [ROUTES[1]]));
  }
}

function age(iso) {
  if (!iso) return '—';
  const days = Math.floor((Date.now() - Date.parse(iso)) / DAY);
  return `${days} day${days === 1 ? '' : 's'}`;
}
