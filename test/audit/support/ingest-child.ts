/**
 * A child process for the durability tests: heavy batched audit ingest into BULWARK_DATABASE_URL
 * through the real append path (AuditService → SqlAuditStore), printing one line per committed
 * batch (`{"first":…,"last":…,"ids":[…]}`) only after the commit returned. Runs until killed, or
 * for argv[2] batches of argv[3] events. Kept to the modules the append needs so it starts fast
 * (the tests bundle it with esbuild first).
 */
import { openSqlDatabase } from '../../../src/adapters/sql/dialect.js';
import { migrateToLatest } from '../../../src/adapters/sql/migrate.js';
import { SqlAuditStore } from '../../../src/adapters/sql/audit-store.js';
import { AuditService } from '../../../src/app/services/audit.js';
import { systemClock } from '../../../src/core/clock.js';
import type { Metrics } from '../../../src/app/metrics.js';

const url = process.env.BULWARK_DATABASE_URL!;
const batches = Number(process.argv[2] ?? Infinity);
const size = Number(process.argv[3] ?? 200);
const tag = process.argv[4] ?? String(process.pid);

// Counters are not under test here; prom-client would only slow the start.
const metrics = { auditAppends: { inc() {} }, auditAppendFailures: { inc() {} } } as unknown as Metrics;

const store = await openSqlDatabase(url);
await migrateToLatest(store);
const audit = new AuditService(new SqlAuditStore(store), systemClock, metrics);
let n = 0;
for (let i = 0; i < batches; i++) {
  const events = Array.from({ length: size }, () => ({
    event_type: 'auth_failure',
    source_ip: '192.0.2.10',
    action: `ingest.${tag}`,
    outcome: 'denied',
    user_id: `u-${n++ % 97}`,
    metadata: { tag, n, password: 'hunter2', nested: [{ token: 'x' }] },
  }));
  const rows = await audit.appendBatch(events);
  process.stdout.write(
    JSON.stringify({ first: rows[0]!.seq, last: rows[rows.length - 1]!.seq, ids: rows.map((r) => r.id) }) +
      '\n',
  );
}
await store.close();
