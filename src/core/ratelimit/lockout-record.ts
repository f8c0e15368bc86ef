/**
 * A LockoutEntry as a persistent store keeps it: the lock's absolute end and escalation level in
 * columns (so listing current lockouts is an index range), the recent failure times and the rest
 * in one JSON text. Absolute epoch-ms times throughout, so a ban survives a restart unchanged.
 */
import { type LockoutEntry, newLockoutEntry } from './lockout.js';

export interface LockoutRecord {
  locked_until: number;
  level: number;
  /** JSON: {t: failure times oldest first, le: levelExpiresAt, ft: findTimeMs} */
  failures: string;
  /** When the record says nothing a missing one would not (safe to delete). */
  expires_at: number;
}

interface FailuresJson {
  t: number[];
  le: number;
  ft: number;
}

/** Rebuilds the entry; `ringSize` is the policy's maxFailures (omit for a read-only check). */
export function entryFromRecord(r: LockoutRecord, ringSize?: number): LockoutEntry {
  let f: FailuresJson;
  try {
    f = JSON.parse(r.failures) as FailuresJson;
  } catch {
    f = { t: [], le: 0, ft: 0 };
  }
  const times = Array.isArray(f.t) ? f.t.filter((x) => Number.isFinite(x)) : [];
  const size = Math.max(1, ringSize ?? times.length);
  const e = newLockoutEntry(size);
  const kept = times.slice(-size);
  for (let i = 0; i < kept.length; i++) e.ring[i] = kept[i]!;
  e.held = kept.length;
  e.head = kept.length % size;
  e.level = r.level;
  e.lockedUntil = r.locked_until;
  e.levelExpiresAt = Number(f.le) || 0;
  e.findTimeMs = Number(f.ft) || 0;
  e.staleAt = r.expires_at;
  return e;
}

export function recordFromEntry(e: LockoutEntry): LockoutRecord {
  const len = e.ring.length;
  const t: number[] = [];
  for (let k = e.held; k >= 1; k--) t.push(e.ring[(e.head - k + len) % len]!);
  const failures: FailuresJson = { t, le: e.levelExpiresAt, ft: e.findTimeMs };
  return {
    locked_until: e.lockedUntil,
    level: e.level,
    failures: JSON.stringify(failures),
    expires_at: e.staleAt,
  };
}
