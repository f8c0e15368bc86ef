/**
 * The composition root: opens the store, applies migrations, and wires each port to its adapter
 * and each service to its ports. Everything Bulwark does starts from createBulwark().
 */
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../core/clock.js';
import { type SqlDatabase, openSqlDatabase } from '../adapters/sql/dialect.js';
import { migrateToLatest } from '../adapters/sql/migrate.js';
import { SqlAuditStore } from '../adapters/sql/audit-store.js';
import { SqlPostureStore } from '../adapters/sql/posture-store.js';
import { SqlTokenStore } from '../adapters/sql/token-store.js';
import { SqlVulnerabilityStore } from '../adapters/sql/vulnerability-store.js';
import { resolveSlaPolicy } from '../core/vulns/sla.js';
import { type BulwarkConfig, type BulwarkConfigInput, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { Metrics } from './metrics.js';
import { AuditService } from './services/audit.js';
import { PostureService } from './services/posture.js';
import { TokenService } from './services/tokens.js';
import { VulnerabilityService } from './services/vulnerabilities.js';
import { PostureTrendService } from './services/posture-trend.js';
import { SqlRiskCounts } from '../adapters/sql/risk-counts.js';
import { AuthActivityService } from './services/auth-activity.js';
import { SqlAttemptCounts } from '../adapters/sql/attempt-counts.js';

export interface Bulwark {
  readonly config: BulwarkConfig;
  readonly store: SqlDatabase;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly audit: AuditService;
  readonly tokens: TokenService;
  readonly vulnerabilities: VulnerabilityService;
  readonly posture: PostureService;
  readonly postureTrend: PostureTrendService;
  readonly authActivity: AuthActivityService;
  close(): Promise<void>;
}

export interface CreateOptions {
  clock?: Clock;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  logLevel?: string;
  defaultMetrics?: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function createBulwark(
  input: BulwarkConfigInput = {},
  opts: CreateOptions = {},
): Promise<Bulwark> {
  const config = loadConfig(input, opts.env ?? process.env);
  const clock = opts.clock ?? systemClock;
  const logger = createLogger(opts.logLevel ?? config.log_level);
  const metrics = new Metrics({ defaultMetrics: opts.defaultMetrics ?? false });
  const store = await openSqlDatabase(config.database_url);
  try {
    if (opts.migrate !== false) await migrateToLatest(store);
  } catch (err) {
    await store.close();
    throw err;
  }

  const pepper = config.token_pepper ? Buffer.from(config.token_pepper, 'utf8') : undefined;
  const audit = new AuditService(new SqlAuditStore(store), clock, metrics);
  const vulnStore = new SqlVulnerabilityStore(store.db);
  const tokens = new TokenService(new SqlTokenStore(store.db), audit, clock, pepper);
  const vulnerabilities = new VulnerabilityService(
    vulnStore,
    clock,
    resolveSlaPolicy(config.sla_days),
    audit,
  );
  const posture = new PostureService(
    vulnStore,
    new SqlPostureStore(store.db),
    audit,
    clock,
    config.owasp_edition,
  );
  const postureTrend = new PostureTrendService(
    posture,
    new SqlRiskCounts(store.db),
    new SqlPostureStore(store.db),
    clock,
  );
  const authActivity = new AuthActivityService(new SqlAttemptCounts(store.db), clock);

  return {
    config,
    store,
    clock,
    logger,
    metrics,
    audit,
    tokens,
    vulnerabilities,
    posture,
    postureTrend,
    authActivity,
    close: () => store.close(),
  };
}
