import type { AuthenticationAttempt } from '../auth/attempt.js';
import type { Page, PageRequest } from '../pagination.js';

/** An attempt as stored: with the key limits and the anomaly view group it on (IP, or its IPv6 prefix). */
export interface StoredAttempt extends AuthenticationAttempt {
  ip_key: string;
}

export interface AttemptFilter {
  since?: number;
  until?: number;
  source_ip?: string;
  user_id?: string;
  result?: 'success' | 'failure';
}

/**
 * What the anomaly view reads of an attempt: every field its rules and the lockout replay look at,
 * without the sender and rl_bucket_state (JSON), which it never reads and which cost the most per row.
 */
export type ScannedAttempt = Omit<StoredAttempt, 'sender' | 'rl_bucket_state'>;

/**
 * Authentication attempts. The limiter's service records one per decision; importers bulk-insert.
 * The anomaly queries (auth_anomaly_view) read from the same table with indexed window queries.
 */
export interface AttemptStore {
  insert(attempt: StoredAttempt): Promise<void>;
  /** Inserts many in one transaction (importers); returns how many were stored. */
  insertMany(attempts: StoredAttempt[]): Promise<number>;
  list(filter: AttemptFilter, page: PageRequest): Promise<Page<StoredAttempt>>;
  /** Attempts in [since, until) in (timestamp, id) order, streamed in chunks (exports). */
  range(since: number, until: number, chunkSize?: number): AsyncIterable<StoredAttempt[]>;
  /** The same window, rows and order as range(), narrowed to ScannedAttempt (the anomaly view). */
  scan(since: number, until: number, chunkSize?: number): AsyncIterable<ScannedAttempt[]>;
}
