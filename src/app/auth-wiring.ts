/**
 * Wiring of the auth guard (part of the composition root, kept apart so bulwark.ts stays small).
 * THE place where BULWARK_RATE_LIMIT_STORE selects the limiter store: `redis` is wired here at
 * merge with the Redis store and the store-failure policy wrapper (feat/guard).
 */
import type { SqlDatabase } from '../adapters/sql/dialect.js';
import { SqlAttemptStore } from '../adapters/sql/attempt-store.js';
import { SqlLimiterStore } from '../adapters/sql/limiter-store.js';
import { SqlSnapshotStore } from '../adapters/sql/snapshot-store.js';
import type { Clock } from '../core/clock.js';
import { BulwarkError } from '../core/errors.js';
import { MemoryLimiterStore } from '../core/ratelimit/memory-store.js';
import type { LimiterStore } from '../core/ratelimit/ports.js';
import type { BulwarkConfig } from './config.js';
import type { AuditService } from './services/audit.js';
import { AuthService } from './services/auth.js';
import { policyFromConfig } from './services/auth-policy.js';

export function limiterStoreFor(config: BulwarkConfig, store: SqlDatabase): LimiterStore {
  switch (config.rate_limit_store) {
    case 'sql':
      return new SqlLimiterStore(store);
    case 'memory':
      return new MemoryLimiterStore();
    case 'redis':
      // >>> merge point (feat/guard): return the Redis LimiterStore (wrapped in the failure policy).
      throw new BulwarkError(
        'config_invalid',
        'invalid setting rate_limit_store (BULWARK_RATE_LIMIT_STORE): redis store not wired in this build',
        { field: 'rate_limit_store' },
      );
  }
}

export function createAuthService(
  config: BulwarkConfig,
  store: SqlDatabase,
  audit: AuditService,
  clock: Clock,
  limiter?: LimiterStore,
): AuthService {
  return new AuthService({
    attempts: new SqlAttemptStore(store),
    limiter: limiter ?? limiterStoreFor(config, store),
    audit,
    clock,
    policy: policyFromConfig(config),
    snapshots: new SqlSnapshotStore(store.db),
    snapshotTopN: config.snapshot_top_n,
  });
}
