/**
 * Turning zod validation failures into Bulwark's one error shape: a `validation_failed`
 * BulwarkError whose `field` is the dotted path of the first offending input field and whose
 * message says what is wrong in plain words. Every issue is also listed in `details.issues`.
 *
 * Messages never echo the offending value: it may be huge, or a secret typed in the wrong field.
 */
import { z } from 'zod';
import { BulwarkError } from './errors.js';
import { parseIsoTime } from './iso-time.js';

/** Field name used when the whole input is wrong (not an object, say). */
export const ROOT_FIELD = 'input';
const MAX_LISTED_ISSUES = 20;

const describe = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number')
    return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'a number' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
};

const article = (t: string): string => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

const sizeUnit = (origin: string): string =>
  origin === 'string'
    ? ' characters'
    : origin === 'array' || origin === 'set'
      ? ' items'
      : origin === 'file'
        ? ' bytes'
        : '';

/**
 * A zod error map with plain messages ("is required", "must be at most 512 characters",
 * "unknown field"). Pass it per parse (`schema.safeParse(x, { error: friendlyErrorMap })`) or use
 * parseWithSchema. Messages a schema sets itself take precedence.
 */
export const friendlyErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${issue.expected === 'int' ? 'a whole number' : article(String(issue.expected))}, got ${describe(issue.input)}`;
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'number' || issue.origin === 'int')
        return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
      return `must be at most ${max}${sizeUnit(issue.origin)}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string' && min === 1) return 'must not be empty';
      if (issue.origin === 'number' || issue.origin === 'int')
        return issue.inclusive === false ? `must be greater than ${min}` : `must be at least ${min}`;
      return `must be at least ${min}${sizeUnit(issue.origin)}`;
    }
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return issue.keys.length === 1 ? 'unknown field' : `unknown fields: ${issue.keys.join(', ')}`;
    case 'invalid_format':
      return `is not a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
};

const pathOf = (path: readonly PropertyKey[]): string => path.map((p) => String(p)).join('.');

/** Dotted field of an issue; for unknown keys, the first unknown key itself (e.g. `foo`, `a.foo`). */
function fieldOf(issue: z.core.$ZodIssue): string {
  const base = pathOf(issue.path);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined)
    return base ? `${base}.${issue.keys[0]}` : issue.keys[0];
  return base || ROOT_FIELD;
}

/**
 * The BulwarkError for a failed zod parse: field = the first issue's path joined by '.', message
 * `<field>: <what is wrong>`, details.issues = up to 20 `{ field, message }`, one per field.
 *
 * One per field: a schema that checks a value twice (a pattern, then a refinement of it) reports
 * both when the first fails, and a caller who gets "cve: …" twice has one thing to change, not
 * two. The first issue of a field is kept (it is the more basic one). Unknown keys keep their own
 * entries (each names a different key).
 */
export function zodIssuesToError(err: z.ZodError): BulwarkError {
  const seen = new Set<string>();
  const issues: Array<{ field: string; message: string }> = [];
  for (const i of err.issues) {
    const field = fieldOf(i);
    if (seen.has(field)) continue;
    seen.add(field);
    issues.push({ field, message: i.message });
    if (issues.length === MAX_LISTED_ISSUES) break;
  }
  const first = issues[0] ?? { field: ROOT_FIELD, message: 'is invalid' };
  return new BulwarkError('validation_failed', `${first.field}: ${first.message}`, {
    field: first.field,
    details: { issues },
  });
}

/** Parses `input` with `schema` and friendly messages; throws zodIssuesToError's error on failure. */
/**
 * Hand-written parsers for hot schemas: each accepts a subset of what its schema accepts, gives
 * the schema's own output, and returns undefined for anything else (which then takes the schema,
 * for its error). parseWithSchema and the HTTP validator try it first.
 */
const fastPaths = new WeakMap<z.ZodType, (input: unknown) => unknown>();

export function registerFastPath<S extends z.ZodType>(
  schema: S,
  parse: (input: unknown) => z.output<S> | undefined,
): void {
  fastPaths.set(schema, parse);
}

export function fastPathOf(schema: z.ZodType): ((input: unknown) => unknown) | undefined {
  return fastPaths.get(schema);
}

export function parseWithSchema<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const fast = fastPaths.get(schema)?.(input);
  if (fast !== undefined) return fast as z.output<S>;
  const result = schema.safeParse(input, { error: friendlyErrorMap });
  if (!result.success) throw zodIssuesToError(result.error);
  return result.data;
}

/**
 * An ISO 8601 date-time with its zone in a request field, read by core/iso-time.ts (epoch ms out):
 * the one reader every typed time goes through, so a field and a query take the same forms.
 */
export const isoTimeString = z.string().transform((s, ctx) => {
  const t = parseIsoTime(s);
  if (t === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an ISO 8601 date-time with a zone (2026-01-15T12:00:00Z)',
    });
    return z.NEVER;
  }
  return t;
});

// ---- Text safety --------------------------------------------------------------------------------

/**
 * Characters no text field accepts, anywhere: NUL (PostgreSQL cannot store it in text; C code
 * truncates at it), other C0 controls but tab/LF/CR, DEL, C1 controls, bidirectional overrides and
 * isolates (they reorder what a reader sees: "Trojan Source"), and lone UTF-16 surrogates (not
 * storable as UTF-8: the value read back would differ from the one acknowledged).
 */
const UNSAFE_TEXT =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Line breaks and tabs, refused in one-line fields.
const LINE_BREAKS = /[\t\n\r\u2028\u2029]/;

export const UNSAFE_TEXT_MESSAGE =
  'must not contain control characters, bidirectional overrides or unpaired surrogates';

export const hasUnsafeText = (s: string): boolean => UNSAFE_TEXT.test(s);

/**
 * Whether `s` cannot be one line of text: a line break of any kind (U+2028 and U+2029 included,
 * which JavaScript and many log viewers break lines on), a tab, or anything hasUnsafeText refuses.
 */
export const hasLineUnsafeText = (s: string): boolean => LINE_BREAKS.test(s) || UNSAFE_TEXT.test(s);

/**
 * The dotted path of the first string (value or object key) in `value` that hasUnsafeText, or null.
 * Used on every API input before it reaches a schema, so no field can smuggle such characters in.
 */
export function findUnsafeText(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return UNSAFE_TEXT.test(value) ? path || ROOT_FIELD : null;
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnsafeText(value[i], path ? `${path}.${i}` : String(i), depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    const here = path ? `${path}.${k}` : k;
    if (UNSAFE_TEXT.test(k)) return here;
    const hit = findUnsafeText(v, here, depth + 1);
    if (hit) return hit;
  }
  return null;
}

/** A trimmed one-line text field of at most `max` characters (no line breaks, no unsafe characters). */
export const singleLineText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !LINE_BREAKS.test(s) && !UNSAFE_TEXT.test(s), {
      error: 'must not contain control characters or line breaks',
    });

/** A trimmed multi-line text field (tabs and line breaks allowed; unsafe characters are not). */
export const multiLineText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !UNSAFE_TEXT.test(s), {
      error: 'must not contain control characters (tabs and line breaks are fine)',
    });
