/**
 * Prometheus metrics. One registry per Bulwark instance (not the global default), so several
 * instances in one process (tests, embedding) never collide. Gauges of stored state are computed
 * at scrape time by collectors the services register.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'bulwark_http_requests_total',
    help: 'HTTP requests by route, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'bulwark_http_request_duration_seconds',
    help: 'HTTP request duration.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly auditAppends = new Counter({
    name: 'bulwark_audit_events_appended_total',
    help: 'Audit events appended, by event type.',
    labelNames: ['event_type'] as const,
    registers: [this.registry],
  });
  readonly auditAppendFailures = new Counter({
    name: 'bulwark_audit_append_failures_total',
    help: 'Audit appends refused because the store failed (fail closed).',
    registers: [this.registry],
  });

  readonly apiAuthThrottled = new Counter({
    name: 'bulwark_api_auth_throttled_total',
    help: 'API requests refused 429 because their client had too many failed authentications (the first of each episode is also audited).',
    registers: [this.registry],
  });

  readonly rateLimitStoreFailures = new Counter({
    name: 'bulwark_rate_limit_store_failures_total',
    help: 'Rate-limit store calls that failed and were answered by the failure policy.',
    labelNames: ['operation', 'policy'] as const,
    registers: [this.registry],
  });
  readonly rateLimitStoreDegraded = new Gauge({
    name: 'bulwark_rate_limit_store_degraded',
    help: '1 while the shared rate-limit store is failing (decisions follow the failure policy), else 0.',
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'bulwark_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
