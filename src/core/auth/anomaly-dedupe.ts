/**
 * One finding per burst: two rules can see the same burst (the slow leaky bucket and the
 * time-based rule both report a patient brute force as `slow_brute_force`), and a view listing
 * it twice overstates what happened. Findings of the same kind and key whose windows overlap are
 * merged into one: windows and first/last seen are unioned, attempt references are unioned (in
 * order, no repeats), counts are the larger of the two (each rule's count is exact for its own
 * window; the union of the listed references when that is larger), the ratios and gaps are those
 * of the finding with the larger count, and the rules are both named.
 */
import type { Finding } from './anomaly.js';

const MAX_LISTED = 20;

const overlaps = (a: Finding, b: Finding): boolean =>
  a.window.start <= b.window.end && b.window.start <= a.window.end;

const union = <T>(x: readonly T[], y: readonly T[]): T[] => [...new Set([...x, ...y])];

function merge(a: Finding, b: Finding): Finding {
  const big = b.count > a.count ? b : a;
  const attempts = union(a.attempts, b.attempts);
  return {
    ...big,
    window: { start: Math.min(a.window.start, b.window.start), end: Math.max(a.window.end, b.window.end) },
    count: Math.max(a.count, b.count, attempts.length),
    distinct_users: Math.max(a.distinct_users, b.distinct_users),
    distinct_ips: Math.max(a.distinct_ips, b.distinct_ips),
    first_seen: Math.min(a.first_seen, b.first_seen),
    last_seen: Math.max(a.last_seen, b.last_seen),
    attempts,
    attempts_truncated: a.attempts_truncated || b.attempts_truncated,
    ips: union(a.ips, b.ips).slice(0, MAX_LISTED),
    users: union(a.users, b.users).slice(0, MAX_LISTED),
    rule: a.rule === b.rule ? a.rule : `${a.rule}; ${b.rule}`,
  };
}

/** `findings` (oldest first) with same kind + key + overlapping window merged; order kept. */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  const lastOf = new Map<string, number>(); // kind|key → index in out of its latest finding
  for (const f of findings) {
    const id = `${f.kind}|${f.key}`;
    const i = lastOf.get(id);
    if (i !== undefined && overlaps(out[i]!, f)) out[i] = merge(out[i]!, f);
    else {
      lastOf.set(id, out.length);
      out.push(f);
    }
  }
  return out;
}
