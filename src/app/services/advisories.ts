/**
 * The advisory database: importing OSV records (directory, all.zip, offline tree, download),
 * its status and staleness, and loading the advisories a scan needs into an AdvisoryIndex.
 *
 * Loading is by (ecosystem, name) of the scanned packages only, never the whole database, so a
 * scan's memory follows its lockfiles, not the number of advisories. Parsed records are cached in
 * process, keyed by the database's generation (it moves on every import that changed something).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '../../core/clock.js';
import { BulwarkError } from '../../core/errors.js';
import type { LockPackage } from '../../core/deps/lockfiles/types.js';
import { AdvisoryIndex } from '../../core/deps/osv/advisory-index.js';
import { parseOsvRecord } from '../../core/deps/osv/parse-record.js';
import { STEP_ITEMS, TimeSlice } from '../../core/time-slice.js';
import {
  isEcosystem,
  packageKeyName,
  type Ecosystem,
  ECOSYSTEMS,
} from '../../core/deps/versions/ecosystem.js';
import type { AdvisoryDbStatus, AdvisoryImportRow, AdvisoryStore } from '../../core/ports/advisory-store.js';
import {
  readAdvisoryFiles,
  type AdvisoryText,
  type ZipLimits,
  DEFAULT_ZIP_LIMITS,
} from '../../adapters/osv/advisory-files.js';
import { downloadTo, exportUrl } from '../../adapters/osv/download.js';

export interface ImportSummary {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Older than the stored copy: kept the stored one. */
  stale: number;
  withdrawn: number;
  /** No affected package in an ecosystem Bulwark scans (npm, crates.io): not stored. */
  other_ecosystem: number;
  /** Not OSV records (or invalid ones): skipped, with the first few reasons. */
  invalid: number;
  invalid_samples: string[];
  duration_ms: number;
}

export interface FreshnessPolicy {
  max_age_days: number;
  on_stale: 'warn' | 'fail';
}

export interface AdvisoryStatus extends AdvisoryDbStatus {
  /** now − newest `modified`, in ms; null when empty. */
  age_ms: number | null;
  stale: boolean;
  policy: FreshnessPolicy;
}

export interface Freshness {
  stale: boolean;
  /** Set when stale (or empty): what to tell the person. */
  message: string | null;
}

export type ImportProgress = (done: number, total: number, records: number) => void;

const BATCH = 500;
const MAX_INVALID_SAMPLES = 5;
const MAX_CACHED_KEYS = 100_000;
const DAY = 86_400_000;
/** "1 day", "3 days": the message reaches the CLI and the API as it is (a 0-day maximum makes 1 day stale). */
const days = (n: number): string => `${n} ${n === 1 ? 'day' : 'days'}`;

export class AdvisoryService {
  private cacheGeneration: string | null = null;
  private index = new AdvisoryIndex();
  /** (ecosystem, name) keys whose advisories are all in `index`. */
  private readonly loadedKeys = new Set<string>();

  constructor(
    private readonly store: AdvisoryStore,
    private readonly clock: Clock,
    private readonly policy: FreshnessPolicy,
    private readonly baseUrl: string,
  ) {}

  /** Imports every OSV record under `target` (file or directory; .json and .zip). */
  importPath(
    target: string,
    onProgress?: ImportProgress,
    limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  ): Promise<ImportSummary> {
    let bytes = [0, 0];
    const texts = readAdvisoryFiles(target, (done, total) => (bytes = [done, total]), limits);
    return this.importTexts(texts, (records) =>
      onProgress?.(bytes[0] as number, bytes[1] as number, records),
    );
  }

  async importTexts(
    texts: AsyncIterable<AdvisoryText>,
    onRecord?: (records: number) => void,
  ): Promise<ImportSummary> {
    const started = Date.now();
    const s: ImportSummary = {
      read: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      stale: 0,
      withdrawn: 0,
      other_ecosystem: 0,
      invalid: 0,
      invalid_samples: [],
      duration_ms: 0,
    };
    const importedAt = this.clock.now();
    // Records are validated only when they would change the database: a re-import of an export
    // that is mostly unchanged compares (id, modified) first, which is most of the work saved.
    let pending: { t: AdvisoryText; id: string; modified: number }[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const stored = await this.store.modifiedOf(pending.map((p) => p.id));
      const rows: AdvisoryImportRow[] = [];
      for (const p of pending) {
        const had = stored.get(p.id);
        if (had !== undefined && had === p.modified) s.unchanged++;
        else if (had !== undefined && had > p.modified) s.stale++;
        else {
          const row = toImportRow(p.t, s);
          if (row) rows.push(row);
        }
      }
      pending = [];
      if (rows.length === 0) return;
      const c = await this.store.importBatch(rows, importedAt);
      s.inserted += c.inserted;
      s.updated += c.updated;
      s.unchanged += c.unchanged;
      s.stale += c.stale;
    };
    for await (const t of texts) {
      s.read++;
      const key = identityOf(t.text);
      if (key) pending.push({ t, ...key });
      else toImportRow(t, s); // not even an id and a time: counted as invalid, with its reason
      if (pending.length >= BATCH) await flush();
      if (s.read % 200 === 0) onRecord?.(s.read);
    }
    await flush();
    onRecord?.(s.read);
    s.duration_ms = Date.now() - started;
    return s;
  }

  /**
   * Downloads each ecosystem's export from the base URL and imports it. A failed download fails
   * the sync for that ecosystem (advisory_source_unavailable) after the earlier ones were imported.
   */
  async sync(
    opts: {
      baseUrl?: string;
      ecosystems?: readonly Ecosystem[];
      onProgress?: (ecosystem: string, phase: string) => void;
    } = {},
  ): Promise<{ ecosystem: string; url: string; bytes: number; summary: ImportSummary }[]> {
    const base = opts.baseUrl ?? this.baseUrl;
    if (!/^https?:\/\//i.test(base))
      throw new BulwarkError('validation_failed', 'base_url: must be an http(s) URL', { field: 'base_url' });
    const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-osv-'));
    const out = [];
    try {
      for (const eco of opts.ecosystems ?? ECOSYSTEMS) {
        const url = exportUrl(base, eco);
        const file = path.join(dir, `${eco}.zip`);
        opts.onProgress?.(eco, 'download');
        const bytes = await downloadTo(url, file);
        opts.onProgress?.(eco, 'import');
        let summary: ImportSummary;
        try {
          summary = await this.importPath(file);
        } catch (e) {
          if (e instanceof BulwarkError && e.code === 'unprocessable')
            throw new BulwarkError('advisory_source_unavailable', `${url}: ${e.message}`);
          throw e;
        }
        await rm(file, { force: true });
        out.push({ ecosystem: eco, url, bytes, summary });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return out;
  }

  async status(): Promise<AdvisoryStatus> {
    const st = await this.store.status();
    const age = st.newest_modified === null ? null : Math.max(0, this.clock.now() - st.newest_modified);
    return {
      ...st,
      age_ms: age,
      stale: age === null || age > this.policy.max_age_days * DAY,
      policy: this.policy,
    };
  }

  /** Whether an advisory with this own id (not alias) is in the database. */
  async knows(id: string): Promise<boolean> {
    return (await this.store.modifiedOf([id])).has(id);
  }

  history(id: string): Promise<{ modified: number; imported_at: number }[]> {
    return this.store.history(id);
  }

  /** Whether the database is too old (or empty) under the policy; throws advisories_stale when the policy is to fail. */
  async checkFreshness(): Promise<Freshness> {
    const st = await this.status();
    if (!st.stale) return { stale: false, message: null };
    const message =
      st.age_ms === null
        ? 'the advisory database is empty: run `bulwark advisories import PATH` or `bulwark advisories sync`'
        : `the advisory database is ${days(Math.floor(st.age_ms / DAY))} old (newest record modified ${new Date(
            st.newest_modified as number,
          ).toISOString()}), over the ${this.policy.max_age_days}-day maximum: findings may be missing`;
    if (this.policy.on_stale === 'fail') throw new BulwarkError('advisories_stale', message);
    return { stale: true, message };
  }

  /**
   * An index holding (at least) every advisory that names one of `packages` (by ecosystem + name).
   * One index is kept per database generation and grows with the keys asked for, so a warm scan
   * pays neither the query nor the range compilation again; a key's bucket only ever holds the
   * advisories of that key, so what else was loaded does not change a match.
   */
  async indexFor(packages: Iterable<Pick<LockPackage, 'ecosystem' | 'name'>>): Promise<AdvisoryIndex> {
    const generation = await this.store.generation();
    if (generation !== this.cacheGeneration || this.loadedKeys.size > MAX_CACHED_KEYS) {
      this.index = new AdvisoryIndex();
      this.loadedKeys.clear();
      this.cacheGeneration = generation;
    }
    const index = this.index;
    const missing = new Map<Ecosystem, Set<string>>();
    // 150,000 packages are ~0.1 s of this loop: pause between slices (the store does between queries).
    const slice = new TimeSlice();
    let step = 0;
    for (const p of packages) {
      if (++step % STEP_ITEMS === 0) await slice.yieldIfDue();
      const name = packageKeyName(p.ecosystem, p.name);
      const key = `${p.ecosystem}\u0000${name}`;
      if (this.loadedKeys.has(key)) continue;
      let set = missing.get(p.ecosystem);
      if (!set) missing.set(p.ecosystem, (set = new Set()));
      set.add(name);
    }
    for (const [eco, names] of missing) {
      for (const { id, json } of await this.store.recordsFor(eco, [...names])) {
        if (index.get(id)) continue; // already indexed through another of its packages
        const parsed = parseOsvRecord(json);
        if (parsed.ok) index.add(parsed.record); // stored records were validated on import
        await slice.yieldIfDue();
      }
      // Another call may have replaced the cache while this one paused: then these records are in
      // the old index only, and marking them loaded would hide them from the new one.
      for (const n of names) {
        if (++step % STEP_ITEMS === 0) await slice.yieldIfDue();
        if (this.index !== index) break;
        this.loadedKeys.add(`${eco}\u0000${n}`);
      }
    }
    return index;
  }
}

/** `id` and `modified` of a record's JSON without validating the rest; null when absent or unreadable. */
function identityOf(text: string): { id: string; modified: number } | null {
  try {
    const v = JSON.parse(text) as { id?: unknown; modified?: unknown };
    if (typeof v !== 'object' || v === null || typeof v.id !== 'string' || typeof v.modified !== 'string')
      return null;
    const modified = Date.parse(v.modified);
    return Number.isNaN(modified) ? null : { id: v.id, modified };
  } catch {
    return null;
  }
}

function toImportRow(t: AdvisoryText, s: ImportSummary): AdvisoryImportRow | null {
  const parsed = parseOsvRecord(t.text);
  if (!parsed.ok) {
    s.invalid++;
    if (s.invalid_samples.length < MAX_INVALID_SAMPLES)
      s.invalid_samples.push(`${t.source}: ${parsed.error.message}`);
    return null;
  }
  const r = parsed.record;
  const packages: { ecosystem: string; name: string }[] = [];
  for (const a of r.affected) {
    const p = a.package;
    if (p && isEcosystem(p.ecosystem))
      packages.push({ ecosystem: p.ecosystem, name: packageKeyName(p.ecosystem, p.name) });
  }
  if (packages.length === 0) {
    s.other_ecosystem++;
    return null;
  }
  if (r.withdrawn !== undefined) s.withdrawn++;
  return {
    id: r.id,
    modified: Date.parse(r.modified),
    withdrawn: r.withdrawn === undefined ? null : Date.parse(r.withdrawn),
    aliases: r.aliases,
    packages,
    // The record as the feed wrote it, minus insignificant whitespace.
    json: JSON.stringify(JSON.parse(t.text)),
  };
}
