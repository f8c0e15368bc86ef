/** Validation of the keyring's inputs: key names, key types, rotation requests and payloads. */
import { validationError } from '../errors.js';
import { KEY_TYPES, type KeyType } from './types.js';

/**
 * Key names are identifiers, not free text: they appear in error messages, AAD headers and URLs, so
 * a closed alphabet keeps all three unambiguous and injection-free.
 */
const KEY_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// Control characters are exactly what this pattern is for (log and header injection in rotated_by).
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function assertKeyName(name: unknown, field = 'name'): asserts name is string {
  if (typeof name !== 'string' || !KEY_NAME_RE.test(name)) {
    throw validationError(
      field,
      'a key name is 1–128 characters of A-Z a-z 0-9 . _ - starting with a letter or digit',
    );
  }
}

export function assertKeyType(type: unknown): asserts type is KeyType {
  if (typeof type !== 'string' || !(KEY_TYPES as readonly string[]).includes(type)) {
    throw validationError('type', `must be one of ${KEY_TYPES.join(', ')}`);
  }
}

export interface RotateInput {
  /** The service identity asking for the rotation. */
  rotated_by: string;
  notes?: string | null;
  now?: Date;
}

export function checkRotateInput(input: RotateInput): {
  rotated_by: string;
  notes: string | null;
  now: Date;
} {
  if (input === null || typeof input !== 'object') throw validationError('rotated_by', 'is required');
  const by = input.rotated_by;
  if (typeof by !== 'string' || by.trim() === '' || by.length > 200 || CONTROL_RE.test(by)) {
    throw validationError(
      'rotated_by',
      'must be a service identity of 1–200 characters without control characters',
    );
  }
  const notes = input.notes ?? null;
  if (notes !== null && (typeof notes !== 'string' || notes.length > 2000)) {
    throw validationError('notes', 'must be a string of at most 2000 characters');
  }
  return { rotated_by: by, notes, now: checkDate(input.now, 'now') };
}

export function checkDate(value: Date | undefined, field: string): Date {
  if (value === undefined) return new Date();
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw validationError(field, 'must be a valid Date');
  return new Date(value.getTime());
}

/** Payloads are bytes; strings are taken as UTF-8. */
export function toBytes(value: unknown, field: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw validationError(field, 'must be a Buffer, Uint8Array or string');
}

export function toOptionalBytes(value: unknown, field: string): Buffer | undefined {
  return value === undefined || value === null ? undefined : toBytes(value, field);
}
