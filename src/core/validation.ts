/**
 * Turning zod validation failures into Bulwark's one error shape: a `validation_failed`
 * BulwarkError whose `field` is the dotted path of the first offending input field and whose
 * message says what is wrong in plain words. Every issue is also listed in `details.issues`.
 *
 * Messages never echo the offending value: it may be huge, or a secret typed in the wrong field.
 */
import { z } from 'zod';
import { BulwarkError } from './errors.js';

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
 * `<field>: <what is wrong>`, details.issues = up to 20 `{ field, message }`.
 */
export function zodIssuesToError(err: z.ZodError): BulwarkError {
  const issues = err.issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((i) => ({ field: fieldOf(i), message: i.message }));
  const first = issues[0] ?? { field: ROOT_FIELD, message: 'is invalid' };
  return new BulwarkError('validation_failed', `${first.field}: ${first.message}`, {
    field: first.field,
    details: { issues },
  });
}

/** Parses `input` with `schema` and friendly messages; throws zodIssuesToError's error on failure. */
export function parseWithSchema<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { error: friendlyErrorMap });
  if (!result.success) throw zodIssuesToError(result.error);
  return result.data;
}
