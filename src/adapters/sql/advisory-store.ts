/**
 * The advisory database on SQL: one `advisories` row per OSV id (the record kept whole as JSON),
 * one `advisory_packages` row per (id, ecosystem, name) for lookups, and an `advisory_history` row
 * each time an id's `modified` changes. Imports are batched, one transaction per batch.
 */
import { type Kysely, sql } from 'kysely';
import { newId } from '../../core/ids.js';
import { TimeSlice } from '../../core/time-slice.js';
import type {
  AdvisoryDbStatus,
  AdvisoryImportCounts,
  AdvisoryImportRow,
  AdvisoryStore,
} from '../../core/ports/advisory-store.js';
import type { Database } from './schema.js';

/** Bound parameters per IN (…) list: well under SQLite's 32766 and PostgreSQL's 65535. */
const IN_CHUNK = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class SqlAdvisoryStore implements AdvisoryStore {
  constructor(private readonly db: Kysely<Database>) {}

  async importBatch(rows: AdvisoryImportRow[], importedAt: number): Promise<AdvisoryImportCounts> {
    const counts: AdvisoryImportCounts = { inserted: 0, updated: 0, unchanged: 0, stale: 0 };
    if (rows.length === 0) return counts;
    // The same id twice in one batch: the newest copy wins, as it would across batches.
    const byId = new Map<string, AdvisoryImportRow>();
    for (const r of rows) {
      const seen = byId.get(r.id);
      if (!seen || r.modified > seen.modified) byId.set(r.id, r);
      else counts.unchanged++;
    }
    const unique = [...byId.values()];
    await this.db.transaction().execute(async (trx) => {
      const existing = new Map<string, number>();
      for (const part of chunks(
        unique.map((r) => r.id),
        IN_CHUNK,
      )) {
        const found = await trx
          .selectFrom('advisories')
          .select(['id', 'modified'])
          .where('id', 'in', part)
          .execute();
        for (const f of found) existing.set(f.id, Number(f.modified));
      }
      const inserts: AdvisoryImportRow[] = [];
      const updates: AdvisoryImportRow[] = [];
      for (const r of unique) {
        const had = existing.get(r.id);
        if (had === undefined) inserts.push(r);
        else if (r.modified > had) updates.push(r);
        else if (r.modified === had) counts.unchanged++;
        else counts.stale++;
      }
      if (updates.length > 0) {
        for (const part of chunks(
          updates.map((r) => r.id),
          IN_CHUNK,
        ))
          await trx.deleteFrom('advisory_packages').where('advisory_id', 'in', part).execute();
        for (const r of updates) {
          await trx
            .updateTable('advisories')
            .set({
              modified: r.modified,
              withdrawn: r.withdrawn,
              aliases: JSON.stringify(r.aliases),
              record: r.json,
              imported_at: importedAt,
            })
            .where('id', '=', r.id)
            .execute();
        }
      }
      for (const part of chunks(inserts, 100)) {
        await trx
          .insertInto('advisories')
          .values(
            part.map((r) => ({
              id: r.id,
              modified: r.modified,
              withdrawn: r.withdrawn,
              aliases: JSON.stringify(r.aliases),
              record: r.json,
              imported_at: importedAt,
            })),
          )
          .execute();
      }
      const changed = [...inserts, ...updates];
      const pkgRows = changed.flatMap((r) => {
        const seen = new Set<string>();
        return r.packages
          .filter((p) => {
            const k = `${p.ecosystem}\u0000${p.name}`;
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          })
          .map((p) => ({ advisory_id: r.id, ecosystem: p.ecosystem, name: p.name }));
      });
      for (const part of chunks(pkgRows, 300))
        await trx.insertInto('advisory_packages').values(part).execute();
      for (const part of chunks(changed, 300)) {
        await trx
          .insertInto('advisory_history')
          .values(
            part.map((r) => ({
              id: newId(),
              advisory_id: r.id,
              modified: r.modified,
              imported_at: importedAt,
            })),
          )
          .execute();
      }
      counts.inserted += inserts.length;
      counts.updated += updates.length;
    });
    return counts;
  }

  async modifiedOf(ids: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const part of chunks([...new Set(ids)], IN_CHUNK)) {
      const rows = await this.db
        .selectFrom('advisories')
        .select(['id', 'modified'])
        .where('id', 'in', part)
        .execute();
      for (const r of rows) out.set(r.id, Number(r.modified));
    }
    return out;
  }

  async recordsFor(ecosystem: string, names: string[]): Promise<{ id: string; json: string }[]> {
    const out: { id: string; json: string }[] = [];
    const seen = new Set<string>();
    // 150,000 names are 300 queries: on SQLite each runs synchronously, so pause between them.
    const slice = new TimeSlice();
    for (const part of chunks([...new Set(names)], IN_CHUNK)) {
      await slice.yieldIfDue();
      const rows = await this.db
        .selectFrom('advisory_packages as p')
        .innerJoin('advisories as a', 'a.id', 'p.advisory_id')
        .select(['a.id', 'a.record'])
        .where('p.ecosystem', '=', ecosystem)
        .where('p.name', 'in', part)
        .where('a.withdrawn', 'is', null)
        .execute();
      for (const r of rows) {
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        out.push({ id: r.id, json: r.record });
      }
    }
    return out;
  }

  async status(): Promise<AdvisoryDbStatus> {
    const totals = await this.db
      .selectFrom('advisories')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.count<number>('withdrawn').as('withdrawn'),
        eb.fn.max('modified').as('newest'),
        eb.fn.max('imported_at').as('last_import'),
      ])
      .executeTakeFirstOrThrow();
    const perEco = await this.db
      .selectFrom('advisory_packages')
      .select((eb) => [
        'ecosystem',
        eb.fn.count<number>('name').distinct().as('packages'),
        eb.fn.count<number>('advisory_id').distinct().as('advisories'),
      ])
      .groupBy('ecosystem')
      .execute();
    return {
      advisories: Number(totals.n),
      withdrawn: Number(totals.withdrawn),
      packages_by_ecosystem: Object.fromEntries(perEco.map((r) => [r.ecosystem, Number(r.packages)])),
      advisories_by_ecosystem: Object.fromEntries(perEco.map((r) => [r.ecosystem, Number(r.advisories)])),
      newest_modified: totals.newest == null ? null : Number(totals.newest),
      last_import: totals.last_import == null ? null : Number(totals.last_import),
    };
  }

  async generation(): Promise<string> {
    // Every change appends a history row, so (count, max imported_at) moves with each import.
    const r = await sql<{ n: number | string; at: number | string | null }>`
      select count(*) as n, max(imported_at) as at from advisory_history`.execute(this.db);
    const row = r.rows[0];
    return `${row?.n ?? 0}:${row?.at ?? 0}`;
  }

  async history(id: string): Promise<{ modified: number; imported_at: number }[]> {
    const rows = await this.db
      .selectFrom('advisory_history')
      .select(['modified', 'imported_at'])
      .where('advisory_id', '=', id)
      .orderBy('modified')
      .execute();
    return rows.map((r) => ({ modified: Number(r.modified), imported_at: Number(r.imported_at) }));
  }
}
