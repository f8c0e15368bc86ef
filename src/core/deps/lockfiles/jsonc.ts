/**
 * JSONC (JSON with comments and trailing commas, as bun.lock is written) to plain JSON, so that the
 * native JSON.parse does the real work. One linear pass that understands strings; comments become
 * a space and a comma followed only by whitespace/comments and a closing bracket is dropped.
 */
export function jsoncToJson(text: string): string {
  const n = text.length;
  const out: string[] = [];
  let last = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 47 && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42)) {
      const end = commentEnd(text, i);
      out.push(text.slice(last, i), ' ');
      last = i = end;
      continue;
    }
    if (c === 44) {
      const next = skipBlank(text, i + 1);
      const d = text.charCodeAt(next);
      if (d === 125 || d === 93) {
        out.push(text.slice(last, i));
        last = i + 1;
      }
    }
    i++;
  }
  if (last === 0) return text;
  out.push(text.slice(last));
  return out.join('');
}

function commentEnd(text: string, start: number): number {
  if (text.charCodeAt(start + 1) === 47) {
    const nl = text.indexOf('\n', start + 2);
    return nl === -1 ? text.length : nl;
  }
  const close = text.indexOf('*/', start + 2);
  return close === -1 ? text.length : close + 2;
}

/** Index of the next character that is neither whitespace nor inside a comment. */
function skipBlank(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 47 && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42))
      i = commentEnd(text, i);
    else break;
  }
  return i;
}
