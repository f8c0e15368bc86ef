import { lineAt, lockfileError } from './lockfile-error.js';

/**
 * Checks that run before any parser sees the bytes, so that hostile input (huge, binary, absurdly
 * nested) is refused with a clear error instead of exhausting memory, the stack or the CPU.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Size check, UTF-8 decoding and a binary sniff. Returns the text without a byte-order mark. */
export function decodeLockfile(fileName: string, content: string | Uint8Array, maxBytes: number): string {
  const size = typeof content === 'string' ? content.length : content.byteLength;
  if (size > maxBytes) {
    throw lockfileError(fileName, `file is ${size} bytes, over the ${maxBytes}-byte limit`);
  }
  let text: string;
  if (typeof content === 'string') {
    text = content;
  } else {
    try {
      text = utf8.decode(content);
    } catch {
      throw lockfileError(fileName, 'not UTF-8 text (binary content?)');
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf('\0');
  if (nul !== -1) throw lockfileError(fileName, 'binary content (NUL byte)', lineAt(text, nul));
  return text;
}

export const MAX_NESTING = 512;

/**
 * Refuses input nested deeper than `limit` `[`/`{` levels outside strings (JSON, and YAML/TOML flow
 * syntax), before any parser recurses into it. One linear pass that jumps over strings with the
 * native indexOf (lockfiles are mostly strings: hashes, URLs), and stops at the first excess, so a
 * 100k-level document costs nothing. `quotes`: the quote characters that open strings; single-quoted
 * strings (YAML, TOML) also end at a newline, as the scan needs no exact string syntax.
 */
export function assertNestingWithin(fileName: string, text: string, limit = MAX_NESTING, quotes = '"'): void {
  const singleQuotes = quotes.includes("'");
  if (!singleQuotes) {
    assertJsonNestingWithin(fileName, text, limit);
    return;
  }
  let depth = 0;
  let nextQuote = -1;
  let nextNewline = -1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = closingDoubleQuote(text, i);
    } else if (c === 39 && singleQuotes) {
      // Both searches are cached past `i` so that a long line full of quotes stays linear.
      if (nextQuote <= i) nextQuote = indexOrEnd(text, "'", i + 1);
      if (nextNewline <= i) nextNewline = indexOrEnd(text, '\n', i + 1);
      i = Math.min(nextQuote, nextNewline);
    } else if (c === 91 || c === 123) {
      if (++depth > limit)
        throw lockfileError(fileName, `nesting deeper than ${limit} levels`, lineAt(text, i));
    } else if (c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
}

/**
 * The JSON case, on the native indexOf alone: one cursor per character of interest (`"`, `[`, `{`,
 * `]`, `}`), always moving forward, so the work is linear and done at memchr speed; the JS loop only
 * runs once per string and bracket, not once per character.
 */
function assertJsonNestingWithin(fileName: string, text: string, limit: number): void {
  const n = text.length;
  let quote = indexOrEnd(text, '"', 0);
  let openSquare = indexOrEnd(text, '[', 0);
  let openCurly = indexOrEnd(text, '{', 0);
  let closeSquare = indexOrEnd(text, ']', 0);
  let closeCurly = indexOrEnd(text, '}', 0);
  let depth = 0;
  for (;;) {
    const open = openSquare < openCurly ? openSquare : openCurly;
    const close = closeSquare < closeCurly ? closeSquare : closeCurly;
    const next = quote < open ? (quote < close ? quote : close) : open < close ? open : close;
    if (next >= n) return;
    if (next === quote) {
      const from = closingDoubleQuote(text, quote) + 1;
      quote = indexOrEnd(text, '"', from);
      // brackets seen inside the string do not count: look again past it
      if (openSquare < from) openSquare = indexOrEnd(text, '[', from);
      if (openCurly < from) openCurly = indexOrEnd(text, '{', from);
      if (closeSquare < from) closeSquare = indexOrEnd(text, ']', from);
      if (closeCurly < from) closeCurly = indexOrEnd(text, '}', from);
    } else if (next === open) {
      if (++depth > limit)
        throw lockfileError(fileName, `nesting deeper than ${limit} levels`, lineAt(text, next));
      if (next === openSquare) openSquare = indexOrEnd(text, '[', next + 1);
      else openCurly = indexOrEnd(text, '{', next + 1);
    } else {
      if (depth > 0) depth--;
      if (next === closeSquare) closeSquare = indexOrEnd(text, ']', next + 1);
      else closeCurly = indexOrEnd(text, '}', next + 1);
    }
  }
}

function indexOrEnd(text: string, needle: string, from: number): number {
  const i = text.indexOf(needle, from);
  return i === -1 ? text.length : i;
}

/** Index of the `"` closing the string opened at `open` (skipping escaped quotes), or the end of the text. */
function closingDoubleQuote(text: string, open: number): number {
  let j = open;
  for (;;) {
    j = text.indexOf('"', j + 1);
    if (j === -1) return text.length;
    let k = j - 1;
    while (text.charCodeAt(k) === 92) k--;
    if ((j - 1 - k) % 2 === 0) return j; // an even number of backslashes: the quote is not escaped
  }
}

/** JSON.parse with the nesting guard and an error that names the line. */
export function parseJsonLockfile(fileName: string, text: string): unknown {
  assertNestingWithin(fileName, text);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(message);
    const line = pos ? lineAt(text, Number(pos[1])) : undefined;
    throw lockfileError(fileName, `invalid JSON${pos ? '' : ' (' + shortReason(message) + ')'}`, line);
  }
}

/** The JSON error without the echoed input (V8 quotes a slice of the text, which may hold secrets). */
function shortReason(message: string): string {
  const cut = message.indexOf(',');
  return (cut > 0 ? message.slice(0, cut) : message).slice(0, 80);
}

/** A plain object (not null, not an array), the shape every lockfile's top level must have. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * YAML nests by indentation as well as by brackets; the `yaml` package recurses per level. Lockfiles
 * are a handful of levels deep, so a line indented (or `- `-prefixed) past `limit` columns is refused.
 */
export function assertYamlIndentWithin(fileName: string, text: string, limit = 256): void {
  let lineStart = 0;
  let lineNo = 1;
  const n = text.length;
  while (lineStart < n) {
    let i = lineStart;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 45 /* - */ && c !== 9) break;
      i++;
    }
    if (i - lineStart > limit)
      throw lockfileError(fileName, `indentation deeper than ${limit} columns`, lineNo);
    const nl = text.indexOf('\n', i);
    if (nl === -1) break;
    lineStart = nl + 1;
    lineNo++;
  }
}

/**
 * A field that, when present, must be a string (a version, a name, a source). A wrong type (`version =
 * 1.0` in TOML, `"version": 1` in JSON) is refused naming the file, the package and the field: read
 * as absent, it would yield a versionless package whose vulnerabilities the scan silently misses.
 * `null` counts as absent only where `allowNull` (some writers emit it for "unknown").
 */
export function optionalStringField(
  fileName: string,
  pkg: string,
  field: string,
  value: unknown,
  line?: number,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  throw lockfileError(
    fileName,
    `package ${pkg.slice(0, 200)}: field "${field}" is ${typeName(value)}, not a string`,
    line,
  );
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
