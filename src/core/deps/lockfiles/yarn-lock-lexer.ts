import { lockfileError } from './lockfile-error.js';

/**
 * A line lexer for `yarn.lock`, both v1 (yarn's own `key "value"` syntax) and berry (the YAML subset
 * yarn 2+ writes: `key: value`). Both are indentation-structured the same way:
 *
 *   "a@^1", a@^1.1:            <- entry header (column 0): one or more descriptors
 *     version "1.2.3"          <- field (indent 2)
 *     dependencies:            <- section (indent 2, no value)
 *       b "^2.0.0"             <- section item (indent 4)
 *
 * Deeper lines (berry's dependenciesMeta options, bin maps under a section) are skipped. One pass,
 * no regular expressions, so cost is linear in the file whatever it holds.
 */

export interface YarnEntry {
  line: number;
  descriptors: string[];
  fields: Map<string, string>;
  sections: Map<string, Map<string, string>>;
}

export function lexYarnLock(fileName: string, text: string): YarnEntry[] {
  const entries: YarnEntry[] = [];
  let entry: YarnEntry | undefined;
  let section: Map<string, string> | undefined;
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    let line = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    let indent = 0;
    while (indent < line.length && line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length || line.charCodeAt(indent) === 35 /* # */) continue;
    if (line.charCodeAt(indent) === 9) throw lockfileError(fileName, 'tab indentation', lineNo);
    if (indent === 0) {
      if (!line.endsWith(':'))
        throw lockfileError(fileName, 'expected an entry header ending in ":"', lineNo);
      entry = {
        line: lineNo,
        descriptors: parseDescriptorList(fileName, line.slice(0, -1), lineNo),
        fields: new Map(),
        sections: new Map(),
      };
      entries.push(entry);
      section = undefined;
    } else if (indent === 2) {
      if (entry === undefined) throw lockfileError(fileName, 'indented line outside any entry', lineNo);
      const { key, value } = parseKeyValue(fileName, line, indent, lineNo);
      if (value === undefined) {
        section = new Map();
        entry.sections.set(key, section);
      } else {
        entry.fields.set(key, value);
        section = undefined;
      }
    } else if (indent === 4) {
      if (section === undefined) continue; // e.g. a nested map under a field we do not read
      const { key, value } = parseKeyValue(fileName, line, indent, lineNo);
      if (value !== undefined) section.set(key, value);
    }
    // indent >= 6 (or odd indents inside skipped blocks): nothing we read lives there.
  }
  return entries;
}

/** `"a@^1", a@^1.1` (v1) or `"a@npm:^1, a@npm:^1.1"` (berry) -> ['a@^1', 'a@^1.1']. */
function parseDescriptorList(fileName: string, s: string, lineNo: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (s.charCodeAt(i) === 32) i++;
    if (i >= s.length) break;
    let token: string;
    if (s.charCodeAt(i) === 34) {
      const close = findClosingQuote(s, i);
      if (close === -1) throw lockfileError(fileName, 'unterminated quoted key', lineNo);
      token = unescape(s.slice(i + 1, close));
      i = close + 1;
    } else {
      const comma = s.indexOf(',', i);
      const stop = comma === -1 ? s.length : comma;
      token = s.slice(i, stop).trimEnd();
      i = stop;
    }
    // berry quotes the whole list as one string: "a@npm:^1, a@npm:^1.1"
    if (token.includes(', ')) {
      for (const part of token.split(', ')) if (part !== '') out.push(part);
    } else if (token !== '') out.push(token);
    while (s.charCodeAt(i) === 32) i++;
    if (i < s.length) {
      if (s.charCodeAt(i) !== 44) throw lockfileError(fileName, 'expected "," between keys', lineNo);
      i++;
    }
  }
  if (out.length === 0) throw lockfileError(fileName, 'empty entry header', lineNo);
  return out;
}

/**
 * `key "value"` (v1), `key: value` (berry), `"key": value`, or `key:` (section start: value undefined).
 */
function parseKeyValue(
  fileName: string,
  line: string,
  start: number,
  lineNo: number,
): { key: string; value: string | undefined } {
  let i = start;
  let key: string;
  if (line.charCodeAt(i) === 34) {
    const close = findClosingQuote(line, i);
    if (close === -1) throw lockfileError(fileName, 'unterminated quoted key', lineNo);
    key = unescape(line.slice(i + 1, close));
    i = close + 1;
  } else {
    const from = i;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c === 32) break;
      if (c === 58 /* : */ && (i + 1 === line.length || line.charCodeAt(i + 1) === 32)) break;
      i++;
    }
    key = line.slice(from, i);
  }
  if (line.charCodeAt(i) === 58) i++; // berry's "key:"
  while (line.charCodeAt(i) === 32) i++;
  if (i >= line.length) return { key, value: undefined };
  // v1 writes sections as `dependencies:` too; a trailing ':' with nothing after is handled above.
  return { key, value: unquote(fileName, line.slice(i).trimEnd(), lineNo) };
}

function unquote(fileName: string, raw: string, lineNo: number): string {
  const q = raw.charCodeAt(0);
  if (q === 34) {
    const close = findClosingQuote(raw, 0);
    if (close === -1) throw lockfileError(fileName, 'unterminated quoted value', lineNo);
    return unescape(raw.slice(1, close));
  }
  if (q === 39 && raw.length >= 2 && raw.endsWith("'")) return raw.slice(1, -1).replaceAll("''", "'");
  return raw;
}

function findClosingQuote(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i;
  }
  return -1;
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s;
  }
}
