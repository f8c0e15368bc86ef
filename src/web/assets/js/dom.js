/**
 * The only way the dashboard builds markup: elements and text nodes through the DOM API. Data is
 * never parsed as HTML (no innerHTML anywhere; the page's Trusted Types CSP makes the browser refuse
 * it), and a URL from data becomes a link only when it is http(s).
 */

/** Attribute names data may never set, whatever the caller passes. */
const FORBIDDEN_ATTRS = /^(on|srcdoc$|src$|formaction$|style$)/i;

/**
 * h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child…): an element. `text` sets
 * textContent; `on*` functions become listeners; `href` goes through safeHref; other values are
 * set with setAttribute (never parsed); children are nodes or strings (text nodes).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'href') el.setAttribute('href', safeHref(value));
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (FORBIDDEN_ATTRS.test(key)) throw new Error(`h(): attribute ${key} is not allowed`);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's content with the given children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Hrefs the dashboard writes itself (#/… routes, /paths) pass; anything else must be http(s). */
export function safeHref(value) {
  const s = String(value);
  if (s.startsWith('#/') || (s.startsWith('/') && !s.startsWith('//'))) return s;
  return isHttpUrl(s) ? s : '#';
}

export function isHttpUrl(value) {
  try {
    const u = new URL(String(value));
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A link for a URL from data when it is http(s); plain text otherwise (a javascript: URL stays text). */
export function externalLink(url, label = url) {
  if (!isHttpUrl(url)) return h('span', { class: 'mono' }, String(label));
  return h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, String(label));
}

/** `—` for nothing, the value as text otherwise. */
export const show = (v) => (v === undefined || v === null || v === '' ? '—' : String(v));

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** An ISO time as a <time> element, shown in UTC. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', {}, String(iso));
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, `${DATE_TIME.format(d)} UTC`);
}

export const fmtNumber = (n) => (typeof n === 'number' ? n.toLocaleString('en-GB') : show(n));

/**
 * "1 finding", "2 findings", "0 findings": every count the dashboard writes in words goes through
 * here, so none reads "1 findings". `many` for the plurals that are not `one` + "s".
 */
export const count = (n, one, many = `${one}s`) => `${fmtNumber(n)} ${n === 1 ? one : many}`;
