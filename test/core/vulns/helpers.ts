/** Small helpers shared by the vulns tests. */
import { expect } from 'vitest';
import { BulwarkError } from '../../../src/core/errors.js';

/** Runs `fn`, expects a validation_failed BulwarkError naming `field`, and returns it. */
export function expectValidationError(fn: () => unknown, field: string, message?: RegExp): BulwarkError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a BulwarkError to be thrown').toBeInstanceOf(BulwarkError);
  const err = caught as BulwarkError;
  expect(err.code).toBe('validation_failed');
  expect(err.field).toBe(field);
  expect(err.message.startsWith(`${field}: `)).toBe(true);
  if (message) expect(err.message).toMatch(message);
  return err;
}

/** Minimal RFC 4180 CSV reader (quoted fields, doubled quotes); enough for the shared data files. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => r.length > 1 || r[0] !== '');
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
