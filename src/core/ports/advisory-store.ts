/** The advisory database: OSV records kept whole, plus the (ecosystem, name) rows lookups go through. */

/** One record to import: its identity, its packages (keys already folded per ecosystem) and the raw JSON. */
export interface AdvisoryImportRow {
  id: string;
  /** Epoch ms of the record's `modified`. */
  modified: number;
  withdrawn: number | null;
  aliases: string[];
  /** `{ecosystem, name}` with name as packageKeyName gives it. */
  packages: { ecosystem: string; name: string }[];
  /** The OSV record as JSON text (stored as given). */
  json: string;
}

export interface AdvisoryImportCounts {
  inserted: number;
  updated: number;
  /** Same `modified` as the stored copy: nothing to do. */
  unchanged: number;
  /** Older than the stored copy: ignored (a re-import of an older export never rolls back). */
  stale: number;
}

export interface AdvisoryDbStatus {
  advisories: number;
  withdrawn: number;
  /** Distinct (ecosystem, name) keys, by ecosystem. */
  packages_by_ecosystem: Record<string, number>;
  /** Advisories by the ecosystem of their packages (a record in two ecosystems counts in both). */
  advisories_by_ecosystem: Record<string, number>;
  newest_modified: number | null;
  last_import: number | null;
}

export interface AdvisoryStore {
  /** Upserts a batch in one transaction: newer `modified` replaces, every change appends history. */
  importBatch(rows: AdvisoryImportRow[], importedAt: number): Promise<AdvisoryImportCounts>;
  /** Stored `modified` (epoch ms) of those of `ids` that exist. */
  modifiedOf(ids: string[]): Promise<Map<string, number>>;
  /**
   * The JSON of every non-withdrawn advisory that names one of `names` in `ecosystem`, once each.
   * Looked up by the (ecosystem, name) index: cost follows the names asked for, not the database size.
   */
  recordsFor(ecosystem: string, names: string[]): Promise<{ id: string; json: string }[]>;
  status(): Promise<AdvisoryDbStatus>;
  /** Cheap fingerprint that changes whenever an import changed something (cache key). */
  generation(): Promise<string>;
  history(id: string): Promise<{ modified: number; imported_at: number }[]>;
}
