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
import { SqlAdvisoryStore } from '../adapters/sql/advisory-store.js';
import { SqlDependencyStore } from '../adapters/sql/dependency-store.js';
import { resolveSlaPolicy } from '../core/vulns/sla.js';
import { type BulwarkConfig, type BulwarkConfigInput, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { Metrics } from './metrics.js';
import { AuditService } from './services/audit.js';
import { PostureService } from './services/posture.js';
import { TokenService } from './services/tokens.js';
import { VulnerabilityService } from './services/vulnerabilities.js';
import { AdvisoryService } from './services/advisories.js';
import { DependencyService } from './services/dependencies.js';
import { ScanVulnerabilityLinker } from './services/scan-vulnerabilities.js';

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
  readonly advisories: AdvisoryService;
  readonly dependencies: DependencyService;
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
  const vulnerabilities = new VulnerabilityService(vulnStore, clock, resolveSlaPolicy(config.sla_days));
  const posture = new PostureService(
    vulnStore,
    new SqlPostureStore(store.db),
    audit,
    clock,
    config.owasp_edition,
  );
  const advisories = new AdvisoryService(
    new SqlAdvisoryStore(store.db),
    clock,
    { max_age_days: config.advisory_max_age_days, on_stale: config.advisory_stale_policy },
    config.advisory_base_url,
  );
  const dependencies = new DependencyService(
    new SqlDependencyStore(store.db),
    advisories,
    new ScanVulnerabilityLinker(vulnStore, clock, resolveSlaPolicy(config.sla_days), config.owasp_edition),
    audit,
    clock,
  );

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
    advisories,
    dependencies,
    // Background scans finish (or fail) before the store goes away.
    close: async () => {
      await dependencies.drain();
      await store.close();
    },
  };
}
