/** Reading and lifting current lockouts: what administrators need beyond the limiter's port. */
export interface ActiveLock {
  /** The store key, e.g. `lock:ip:192.0.2.1`, `lock:user:alice`, `lock:user_ip:192.0.2.1|alice`. */
  key: string;
  /** Epoch ms when the lock ends. */
  until: number;
  level: number;
}

export interface LockoutRegistry {
  /** Locks still in force at `nowMs`, soonest ending last (longest first), at most `limit`. */
  listActiveLocks(nowMs: number, limit: number): Promise<ActiveLock[]>;
}

export const isLockoutRegistry = (x: unknown): x is LockoutRegistry =>
  typeof (x as { listActiveLocks?: unknown } | null)?.listActiveLocks === 'function';
