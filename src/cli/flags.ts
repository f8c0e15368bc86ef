/**
 * Validation errors name the input field (`cvss_score`); on the command line the user typed a
 * flag (`--score`). This renames the field in an error raised from a command's input, so the
 * message points at what the user can change.
 */
import { BulwarkError } from '../core/errors.js';

/** API field (first path segment) → the flag that carries it. */
export type FlagNames = Readonly<Record<string, string>>;

export function withFlagNames(err: unknown, flags: FlagNames): unknown {
  if (!(err instanceof BulwarkError) || err.code !== 'validation_failed' || !err.field) return err;
  const [head, ...rest] = err.field.split('.');
  const flag = head === undefined ? undefined : flags[head];
  if (!flag) return err;
  // cwes.2 → --cwe (3rd value): the index is the position among the flag's values.
  const index = rest.length && /^\d+$/.test(rest[0]!) ? ` (value ${Number(rest[0]) + 1})` : '';
  const message = err.message.startsWith(`${err.field}: `)
    ? `${flag}${index}: ${err.message.slice(err.field.length + 2)}`
    : err.message;
  return new BulwarkError(err.code, message, { field: flag, cause: err });
}
