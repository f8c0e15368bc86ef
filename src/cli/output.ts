/** Printing for the CLI: JSON for machines (--json), aligned tables for people. */
export interface Out {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOut: Out = {
  stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

/**
 * `count(1, 'finding')` → "1 finding", `count(2, 'finding')` → "2 findings": every count a person
 * reads goes through this, so "1 lockout bans" cannot be written. `many` for irregular plurals. An
 * unknown count (null: no scan yet, no key version) prints as "- days".
 */
export const count = (n: number | null | undefined, one: string, many = `${one}s`): string =>
  `${n ?? '-'} ${n === 1 ? one : many}`;

export function printJson(out: Out, value: unknown): void {
  out.stdout(JSON.stringify(value, null, 2));
}

/** Strips control characters so stored text can never move the cursor or forge lines in a terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
export const safeCell = (v: unknown): string =>
  (v === null || v === undefined ? '' : String(v)).replace(CONTROL, '�');

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => truncate(safeCell(r[c]), 60)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

const truncate = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

export const iso = (ms: number | null | undefined): string => (ms == null ? '' : new Date(ms).toISOString());
