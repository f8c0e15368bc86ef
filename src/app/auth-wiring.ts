/**
 * Wiring of the auth guard (part of the composition root, kept apart so bulwark.ts stays small).
 * THE place where BULWARK_RATE_LIMIT_STORE selects the limiter store.
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
import { sqliteAttemptUnit } from '../adapters/sql/sqlite-attempt-unit.js';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import { AuthService } from './services/auth.js';
import { policyFromConfig } from './services/auth-policy.js';

/** How long start-up waits for a first Redis connection before relying on the failure policy. */
const REDIS_READY_TIMEOUT_MS = 2000;

export interface AuthLimiter {
  store: LimiterStore;
  /** Releases what the store holds (the Redis connection). */
  close(): Promise<void>;
}

/**
 * The limiter store BULWARK_RATE_LIMIT_STORE selects. Redis is wrapped in the store-failure policy
 * (BULWARK_RATE_LIMIT_STORE_FAILURE_POLICY, fail-closed by default): an outage never crashes the
 * host, is counted in /metrics and written to the audit log when it starts and when it ends.
 * The SQL store shares the database's fate: when it is down, attempts answer 503 (fail closed).
 */
export async function openAuthLimiter(
  config: BulwarkConfig,
  store: SqlDatabase,
  audit: AuditService,
  metrics: Metrics,
  logger?: Logger,
): Promise<AuthLimiter> {
  switch (config.rate_limit_store) {
    case 'sql':
      return { store: new SqlLimiterStore(store), close: async () => {} };
    case 'memory':
      return { store: new MemoryLimiterStore(), close: async () => {} };
    case 'redis': {
      if (!config.redis_url)
        throw new BulwarkError(
          'config_invalid',
          'invalid setting redis_url (BULWARK_REDIS_URL): required when BULWARK_RATE_LIMIT_STORE is redis',
          { field: 'redis_url' },
        );
      const report = (action: string, outcome: 'error' | 'allowed', metadata: Record<string, unknown>) =>
        audit
          .append({ event_type: 'config_change', source_ip: '0.0.0.0', action, outcome, metadata })
          .catch(() => {}); // the audit store failing too is already counted and logged by the service
      // Loaded only here: ioredis costs a quarter of a second of start-up for every CLI command.
      const { openLimiterStore } = await import('./limiter-store.js');
      const { waitForRedisReady } = await import('../adapters/redis/limiter-store.js');
      const setup = openLimiterStore({
        redisUrl: config.redis_url,
        keyPrefix: config.rate_limit_redis_prefix,
        metrics,
        policy: config.rate_limit_store_failure_policy,
        onStoreFailure: (err, policy) =>
          void report('rate_limit.store_failure', 'error', {
            store: 'redis',
            policy,
            error: err instanceof Error ? err.message : String(err),
          }),
        onStoreRecovered: (downForMs) =>
          void report('rate_limit.store_recovered', 'allowed', { store: 'redis', down_for_ms: downForMs }),
      });
      // Start with a connection when Redis is there, so the first decisions are not refused by the
      // failure policy; when it is not, start anyway: the policy answers, and recovery is automatic.
      if (setup.redis)
        await waitForRedisReady(setup.redis, REDIS_READY_TIMEOUT_MS).catch((err: unknown) =>
          // An expected condition (Redis down), not a bug: one line with the cause, no stack.
          logger?.warn(
            { reason: err instanceof Error ? err.message : String(err) },
            'redis limiter store not reachable at start; the store-failure policy applies',
          ),
        );
      return { store: setup.store, close: () => setup.close() };
    }
  }
}

export function createAuthService(
  config: BulwarkConfig,
  store: SqlDatabase,
  audit: AuditService,
  clock: Clock,
  limiter: LimiterStore,
): AuthService {
  const attempts = new SqlAttemptStore(store);
  // SQLite with the SQL limiter: an attempt's limiter, attempt and audit writes as one job of the
  // write batch (one batch operation a request). Other limiter stores keep the separate writes.
  const unit =
    limiter instanceof SqlLimiterStore ? sqliteAttemptUnit(store, { limiter, attempts }) : undefined;
  return new AuthService({
    attempts,
    unit,
    limiter,
    audit,
    clock,
    policy: policyFromConfig(config),
    snapshots: new SqlSnapshotStore(store.db),
    snapshotTopN: config.snapshot_top_n,
  });
}
