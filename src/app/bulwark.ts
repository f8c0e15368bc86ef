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
import { loadCheckpointSigner } from './audit/file-checkpoint-signer.js';
import { PostureService } from './services/posture.js';
import { TokenService } from './services/tokens.js';
import { VulnerabilityService } from './services/vulnerabilities.js';
import { SqlKeyStore } from '../adapters/sql/key-store.js';
import { KeyService } from './services/keys.js';
import { openKeyring } from './keys/open-keyring.js';
import { rotationAuditHook } from './keys/rotation-audit.js';
import { KeyringTokenHasher } from './keys/keyring-token-hasher.js';
import { keyringRedactor, swappableRedactor } from './keys/keyring-redaction.js';
import { keyPosture } from './keys/key-posture.js';
import { KeyringCheckpointSigner } from './keys/keyring-checkpoint-signer.js';
import { AuthService } from './services/auth.js';
import { type AuthLimiter, createAuthService, openAuthLimiter } from './auth-wiring.js';
import type { LimiterStore } from '../core/ratelimit/ports.js';
import { AdvisoryService } from './services/advisories.js';
import { DependencyService } from './services/dependencies.js';
import { ScanVulnerabilityLinker } from './services/scan-vulnerabilities.js';
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
  /** The keyring (disabled, answering config_invalid, when no master key is available). */
  readonly keys: KeyService;
  readonly auth: AuthService;
  readonly advisories: AdvisoryService;
  readonly dependencies: DependencyService;
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
  /** Create the default master key file beside a SQLite database when none exists (serve, keys commands). */
  generateMasterKey?: boolean;
  /** A limiter store to use instead of the one BULWARK_RATE_LIMIT_STORE selects (e.g. a wrapped one). */
  limiterStore?: LimiterStore;
}

export async function createBulwark(
  input: BulwarkConfigInput = {},
  opts: CreateOptions = {},
): Promise<Bulwark> {
  const config = loadConfig(input, opts.env ?? process.env);
  const clock = opts.clock ?? systemClock;
  const logger = createLogger(opts.logLevel ?? config.log_level);
  const metrics = new Metrics({ defaultMetrics: opts.defaultMetrics ?? false });
  // An explicitly configured checkpoint key (file or env); the keyring's signer is used otherwise.
  const checkpointSigner = loadCheckpointSigner(config);
  const store = await openSqlDatabase(config.database_url);
  try {
    if (opts.migrate !== false) await migrateToLatest(store);
  } catch (err) {
    await store.close();
    throw err;
  }

  const pepper = config.token_pepper ? Buffer.from(config.token_pepper, 'utf8') : undefined;
  const redactor = swappableRedactor();
  const audit = new AuditService(new SqlAuditStore(store), clock, metrics, redactor, {
    signer: checkpointSigner,
    checkpointEvery: config.audit_checkpoint_every,
    onCheckpointError: (err) => logger.warn({ err }, 'audit checkpoint failed; retried at the next append'),
  });
  const keyStore = new SqlKeyStore(store, {
    onRotation: rotationAuditHook(audit, new SqlAuditStore(store)),
    now: () => clock.now(),
  });
  let opened;
  try {
    opened = await openKeyring(config, store, keyStore, {
      generate: opts.generateMasterKey ?? false,
      logger,
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  // The master key is held by the keyring from here on; the config object never carries it.
  if (config.master_key !== undefined) config.master_key = '[REDACTED]';
  const keys = new KeyService(opened.keyring, opened.reason, audit, clock);
  if (keys.enabled) {
    try {
      redactor.use(await keyringRedactor(keys));
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  // Checkpoints: an explicitly configured key file / env key wins; else the keyring's Ed25519 key.
  if (!checkpointSigner && keys.enabled) audit.useSigner(new KeyringCheckpointSigner(keys));
  const tokenHasher = keys.enabled ? new KeyringTokenHasher(keys, pepper) : undefined;
  const vulnStore = new SqlVulnerabilityStore(store.db, store.dialect);
  const tokens = new TokenService(
    new SqlTokenStore(store.db, store.sqlite),
    audit,
    clock,
    pepper,
    tokenHasher,
  );
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
    (now) => keyPosture(keys, now),
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

  let auth: AuthService;
  let limiter: AuthLimiter;
  try {
    limiter = opts.limiterStore
      ? { store: opts.limiterStore, close: async () => {} }
      : await openAuthLimiter(config, store, audit, metrics, logger);
    auth = createAuthService(config, store, audit, clock, limiter.store);
  } catch (err) {
    await store.close();
    throw err;
  }
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
    keys,
    auth,
    advisories,
    dependencies,
    postureTrend,
    authActivity,
    // Background scans finish (or fail) before the audit service and the store go away.
    close: async () => {
      await dependencies.drain();
      await limiter.close();
      await audit.close();
      await store.close();
    },
  };
}
