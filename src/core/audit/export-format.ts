/**
 * Export lines for audit rows: JSON lines (the row as stored, metadata as an object, times ISO) and
 * CSV (RFC 4180 quoting; a cell that a spreadsheet would run as a formula — starting with = + - @,
 * tab or CR — is prefixed with an apostrophe, OWASP's advice against CSV injection).
 */
import type { AuditRow } from '../ports/audit-store.js';

export const CSV_COLUMNS = [
  'seq',
  'id',
  'timestamp',
  'event_type',
  'outcome',
  'user_id',
  'source_ip',
  'action',
  'metadata',
  'prev_hash',
  'hash',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell: formula-neutralised, then quoted when it holds a quote, comma or line break. */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvHeader = (): string => CSV_COLUMNS.join(',') + '\r\n';

export function csvLine(r: AuditRow): string {
  return (
    [
      r.seq,
      r.id,
      new Date(r.timestamp).toISOString(),
      r.event_type,
      r.outcome,
      r.user_id,
      r.source_ip,
      r.action,
      r.metadata,
      r.prev_hash,
      r.hash,
    ]
      .map(csvCell)
      .join(',') + '\r\n'
  );
}

/** One JSON line; metadata is inlined as the canonical JSON the row stores (no re-parse). */
export function jsonLine(r: AuditRow): string {
  const { metadata, ...rest } = r;
  const head = JSON.stringify({ ...rest, timestamp: new Date(r.timestamp).toISOString() });
  return `${head.slice(0, -1)},"metadata":${metadata}}\n`;
}
