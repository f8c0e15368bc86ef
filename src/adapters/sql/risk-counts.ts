import type { Kysely } from 'kysely';
import type { RiskCountsSource } from '../../core/ports/risk-counts.js';
import { SEVERITIES, type Severity } from '../../core/vulns/severity.js';
import type { Database } from './schema.js';

/** One grouped, indexed count (vulnerabilities_status_idx): aggregation stays in the database. */
export class SqlRiskCounts implements RiskCountsSource {
  constructor(private readonly db: Kysely<Database>) {}

  async activeBySeverity(): Promise<Record<Severity, number>> {
    const rows = await this.db
      .selectFrom('vulnerabilities')
      .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', 'in', ['open', 'in_progress'])
      .groupBy('severity')
      .execute();
    const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const r of rows) if (r.severity in out) out[r.severity as Severity] = Number(r.n);
    return out;
  }
}
