/**
 * Stable cursor pagination. Rows are ordered by their UUIDv7 id (time-ordered, unique), so a cursor
 * is just the last id seen: inserts never shift a page, unlike offsets.
 */
import { validationError } from './errors.js';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

const CURSOR_ID = /^[0-9a-f-]{36}$/;

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!CURSOR_ID.test(id)) throw validationError('cursor', 'not a cursor this API issued');
  return id;
}

/** Trim a fetched `limit + 1` rows to a page, with the cursor of the next one. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, next_cursor: hasMore && last ? encodeCursor(last.id) : null };
}
