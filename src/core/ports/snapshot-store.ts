import type { TrafficCounters } from '../ratelimit/traffic-summary.js';

/** RateLimitSnapshot (ARCHITECTURE.md §1): the limits in force and the heaviest keys of the window. */
export interface RateLimitSnapshot {
  id: string;
  /** Epoch ms. */
  captured_at: number;
  per_ip_limit: number;
  per_sender_limit: number;
  /** Top IP keys and senders of the current window, each count with its error bound (Space-Saving). */
  counters: TrafficCounters;
}

export interface SnapshotStore {
  insert(s: RateLimitSnapshot): Promise<void>;
  latest(): Promise<RateLimitSnapshot | null>;
}
