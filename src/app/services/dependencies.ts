/**
 * Dependency scanning end to end: lockfile contents in; parsed packages matched against the advisory
 * database; approvals applied (the repository's policy file and the stored ones); a scan row, one
 * DependencyManifest row per package and register rows for each vulnerability out.
 *
 * Two ways in: `scan` runs to completion (CLI, library), `submit` validates and parses at once (so
 * a bad lockfile is a 422 on the request, and nothing is stored) and runs the rest in the
 * background (HTTP 202); `drain` waits for those (called on close).
 */
import type { Actor } from '../../core/actor.js';
import type { Clock } from '../../core/clock.js';
import { BulwarkError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { parseWithSchema } from '../../core/validation.js';
import { parseLockfile } from '../../core/deps/lockfiles/parse-lockfile.js';
import type { LockPackage } from '../../core/deps/lockfiles/types.js';
import {
  approvalInputSchema,
  parseExpiry,
  type ApprovalReport,
  type ApprovalRule,
} from '../../core/deps/approvals/approval.js';
import {
  isLookedUp,
  scanLockfilesCooperatively,
  type ParsedInput,
  type ScanOutcome,
} from '../../core/deps/scan.js';
import { runCooperatively, STEP_ITEMS, TimeSlice } from '../../core/time-slice.js';
import { OFF_THREAD_MIN_BYTES, parseLockfileOffThread } from './parse-off-thread.js';
import {
  approvalHolds,
  isVulnerability,
  summarise,
  type ScanFinding,
  type ScanSummary,
} from '../../core/deps/report/scan-result.js';
import { SEVERITY_LEVEL_RANK, type SeverityLevel } from '../../core/deps/osv/severity.js';
import type {
  ApprovalRecord,
  DependencyStore,
  ManifestFilter,
  ManifestRecord,
  ScanRecord,
} from '../../core/ports/dependency-store.js';
import type { AdvisoryService, Freshness } from './advisories.js';
import { isCheckableInAdvisoryDb, MAX_APPROVAL_DAYS } from '../../core/deps/approvals/advisory-id.js';
import type { AuditService } from './audit.js';
import { refuseRedactableIdentifier } from './identifier-guard.js';
import type { LinkCounts, ScanVulnerabilityLinker } from './scan-vulnerabilities.js';

export interface LockfileInput {
  /** Shown in reports and stored with each manifest row; its base name picks the parser. */
  path: string;
  content: string | Uint8Array;
}

export interface ScanReport {
  scan_id: string;
  outcome: ScanOutcome;
  summary: ScanSummary;
  approvals: ApprovalReport;
  freshness: Freshness;
  vulnerabilities: LinkCounts;
}

export interface ScanOptions {
  requestedBy: string;
  /** Approvals from the scanned repository's policy file (bulwark.toml). */
  policy?: ApprovalRule[];
}

const MAX_FILES = 100;
/** Manifest rows per transaction: ~10-30 ms of writing on SQLite. */
const MANIFEST_BATCH = 400;

function checkFileCount(files: readonly LockfileInput[]): void {
  if (files.length === 0)
    throw new BulwarkError('validation_failed', 'files: at least one lockfile is required', {
      field: 'files',
    });
  if (files.length > MAX_FILES)
    throw new BulwarkError('validation_failed', `files: at most ${MAX_FILES} lockfiles per scan`, {
      field: 'files',
    });
}

export class DependencyService {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly store: DependencyStore,
    private readonly advisories: AdvisoryService,
    private readonly linker: ScanVulnerabilityLinker,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Parses every lockfile or throws (unprocessable, naming the file and line): nothing is stored on failure. */
  parse(files: readonly LockfileInput[]): ParsedInput[] {
    checkFileCount(files);
    return files.map((f) => ({ path: f.path, parsed: parseLockfile(f.path, f.content) }));
  }

  /**
   * `parse` for a server request: big files on a worker thread, small ones inline with a pause
   * between them, so that parsing never holds the event loop for more than a slice.
   */
  async parseWithoutBlocking(files: readonly LockfileInput[]): Promise<ParsedInput[]> {
    checkFileCount(files);
    const slice = new TimeSlice();
    const out: ParsedInput[] = [];
    for (const f of files) {
      const size = typeof f.content === 'string' ? f.content.length : f.content.byteLength;
      const parsed =
        size >= OFF_THREAD_MIN_BYTES
          ? await parseLockfileOffThread(f.path, f.content)
          : parseLockfile(f.path, f.content);
      out.push({ path: f.path, parsed });
      await slice.yieldIfDue();
    }
    return out;
  }

  /** Scans to completion (CLI, library). Stale advisories under the `fail` policy throw advisories_stale before anything is stored. */
  async scan(files: readonly LockfileInput[], opts: ScanOptions): Promise<ScanReport> {
    this.checkPolicy(opts.policy);
    const inputs = this.parse(files);
    const freshness = await this.advisories.checkFreshness();
    const scan = this.newScan(inputs, opts.requestedBy, 'running');
    await this.store.insertScan(scan);
    return this.run(scan, inputs, opts, freshness);
  }

  /** Validates and parses now (without blocking the server), runs in the background; returns the queued scan. */
  async submit(files: readonly LockfileInput[], opts: ScanOptions): Promise<ScanRecord> {
    this.checkPolicy(opts.policy);
    const inputs = await this.parseWithoutBlocking(files);
    const freshness = await this.advisories.checkFreshness();
    const scan = this.newScan(inputs, opts.requestedBy, 'queued');
    await this.store.insertScan(scan);
    const job = (async () => {
      await this.store.updateScan(scan.id, { status: 'running' });
      await this.run(scan, inputs, opts, freshness);
    })().catch(() => {
      // run() recorded the failure on the scan row; a background job has no caller to throw to.
    });
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
    return scan;
  }

  /** Waits for background scans (before the store closes). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private newScan(inputs: ParsedInput[], requestedBy: string, status: 'queued' | 'running'): ScanRecord {
    return {
      id: newId(),
      status,
      created_at: this.clock.now(),
      finished_at: null,
      requested_by: requestedBy,
      lockfiles: inputs.map((i) => i.path),
      summary: {},
      result: null,
      error: null,
    };
  }

  private async run(
    scan: ScanRecord,
    inputs: ParsedInput[],
    opts: ScanOptions,
    freshness: Freshness,
  ): Promise<ScanReport> {
    let wroteManifests = false;
    try {
      const now = this.clock.now();
      const lookups: LockPackage[] = inputs.flatMap((i) => i.parsed.packages.filter(isLookedUp));
      const index = await this.advisories.indexFor(lookups);
      const stored = (await this.store.activeApprovals()).map(ruleOf);
      // Policy-file reasons are free text too: redacted before the scan result and manifests store them.
      const policy = (opts.policy ?? []).map((r) => ({ ...r, reason: this.audit.redactFreeText(r.reason) }));
      // Matching and writing 150,000 packages is seconds of work: it runs in slices (TimeSlice) so
      // that the server answers other requests in between.
      const slice = new TimeSlice();
      const outcome = await scanLockfilesCooperatively(inputs, index, [...policy, ...stored], now, slice);
      const summary = summarise(outcome.result);
      const all = outcome.result.lockfiles.flatMap((l) => l.findings);
      const { counts, ids } = await this.linker.link(all);
      const vulnIds = new Map<ScanFinding, string | null>(all.map((f, i) => [f, ids[i] ?? null]));
      wroteManifests = true;
      await this.writeManifests(await runCooperatively(manifestRows(scan.id, outcome, now), slice), slice);
      const finishedAt = this.clock.now();
      const storedSummary = {
        ...summary,
        lockfiles: outcome.result.lockfiles.map((l) => ({
          path: l.path,
          format: l.format,
          packages: l.packages.length,
          findings: l.findings.length,
        })),
        vulnerabilities: counts,
        approvals: { expired: outcome.approvals.expired.length, unused: outcome.approvals.unused.length },
        advisories_stale: freshness.stale,
      };
      await this.store.updateScan(scan.id, {
        status: 'done',
        finished_at: finishedAt,
        summary: storedSummary,
        result: {
          scanned_at: outcome.result.scanned_at,
          lockfiles: outcome.result.lockfiles.map((l) => ({
            path: l.path,
            format: l.format,
            findings: l.findings.map((f) => ({ ...f, vulnerability_id: vulnIds.get(f) ?? null })),
          })),
          approvals: outcome.approvals,
          freshness,
        },
      });
      return {
        scan_id: scan.id,
        outcome,
        summary,
        approvals: outcome.approvals,
        freshness,
        vulnerabilities: counts,
      };
    } catch (err) {
      const message = err instanceof BulwarkError ? err.message : 'internal error (see the service log)';
      // Manifests are written in several transactions: a failed scan leaves none behind.
      if (wroteManifests) await this.store.deleteManifests(scan.id).catch(() => {});
      await this.store
        .updateScan(scan.id, { status: 'failed', finished_at: this.clock.now(), error: message })
        .catch(() => {});
      throw err;
    }
  }

  /**
   * One transaction per MANIFEST_BATCH rows, pausing between them when the slice is used up: one
   * transaction for 150,000 rows held SQLite's only connection (and the event loop) for seconds.
   * The scan is `done` only once every row is written, and the default listing reads done scans.
   */
  private async writeManifests(rows: ManifestRecord[], slice: TimeSlice): Promise<void> {
    for (let i = 0; i < rows.length; i += MANIFEST_BATCH) {
      await this.store.insertManifests(rows.slice(i, i + MANIFEST_BATCH));
      await slice.yieldIfDue();
    }
  }

  async getScan(id: string): Promise<ScanRecord> {
    const s = await this.store.getScan(id);
    if (!s) throw new BulwarkError('not_found', `no scan with id ${id}`);
    return s;
  }

  /** Manifest rows of one scan (the latest completed one by default). */
  async dependencies(
    filter: Omit<ManifestFilter, 'scan_id'> & { scan_id?: string },
    page: PageRequest,
  ): Promise<Page<ManifestRecord> & { scan_id: string | null }> {
    const scanId = filter.scan_id ?? (await this.store.latestDoneScanId());
    if (scanId === null) return { items: [], next_cursor: null, scan_id: null };
    const p = await this.store.listManifests({ ...filter, scan_id: scanId }, page);
    return { ...p, scan_id: scanId };
  }

  // ---- approvals ------------------------------------------------------------------------------

  /**
   * Stores an approval. `warnings`: what is accepted but worth a look, e.g. an id the advisory
   * database does not hold (yet: it may be imported later, so this is not a refusal).
   */
  async addApproval(input: unknown, actor: Actor): Promise<ApprovalRecord & { warnings: string[] }> {
    const p = parseWithSchema(approvalInputSchema, input);
    this.refuseSecretsIn('', p);
    const now = this.clock.now();
    const expiresAt = parseExpiry(p.expires) as number;
    if (expiresAt <= now)
      throw new BulwarkError('validation_failed', 'expires: must be in the future', { field: 'expires' });
    if (expiresAt > now + MAX_APPROVAL_DAYS * 86_400_000)
      throw new BulwarkError(
        'validation_failed',
        `expires: must be at most ${MAX_APPROVAL_DAYS} days ahead (an approval is revisited, not permanent)`,
        { field: 'expires' },
      );
    const warnings: string[] = [];
    if (isCheckableInAdvisoryDb(p.advisory_id) && !(await this.advisories.knows(p.advisory_id)))
      warnings.push(
        `advisory_id: ${p.advisory_id} is not in the advisory database; the approval is stored and applies once it is imported`,
      );
    const record: ApprovalRecord = {
      id: newId(),
      advisory_id: p.advisory_id,
      package: p.package ?? null,
      version_range: p.version_range ?? null,
      dep_path: p.dep_path ?? null,
      // Free text: secrets and PII redacted before it is stored, listed and shown on the dashboard.
      // The approver is an identity and is kept as given, like an audit entry's user_id (one that
      // holds a secret was refused above).
      reason: this.audit.redactFreeText(p.reason),
      approver: p.approver,
      expires_at: expiresAt,
      created_at: now,
      revoked_at: null,
      source: 'api',
    };
    await this.store.insertApproval(record);
    await this.audit.append({
      event_type: 'config_change',
      user_id: actor.id,
      source_ip: actor.ip,
      action: 'approval.create',
      outcome: 'allowed',
      metadata: {
        approval_id: record.id,
        advisory_id: record.advisory_id,
        package: record.package,
        version_range: record.version_range,
        dep_path: record.dep_path,
        approver: record.approver,
        reason: record.reason,
        expires_at: new Date(expiresAt).toISOString(),
      },
    });
    return { ...record, warnings };
  }

  /**
   * An approval's identifiers (approver, package, dependency path) are stored and shown as given,
   * not redacted: one holding a secret is refused. E-mail addresses stay (an approver often is one).
   * `where` prefixes the field for policy-file entries (`bulwark.toml: approvals.0.`).
   */
  private refuseSecretsIn(
    where: string,
    a: { approver: string; package?: string | null | undefined; dep_path?: string | null | undefined },
  ): void {
    const why = 'approvals are listed, shown on the dashboard and in scan reports as given';
    const fields: [string, string | null | undefined][] = [
      ['approver', a.approver],
      ['package', a.package],
      [where === '' ? 'dep_path' : 'path', a.dep_path],
    ];
    for (const [field, value] of fields)
      if (value) refuseRedactableIdentifier(this.audit, where + field, value, { personalData: 'keep', why });
  }

  /** Policy-file approvals get the same identifier check as stored ones, before a scan starts. */
  private checkPolicy(rules: readonly ApprovalRule[] | undefined): void {
    for (const r of rules ?? []) {
      // policy:<file>#<n>, as parsePolicy names its entries.
      const m = /^policy:(.*)#(\d+)$/.exec(r.id);
      this.refuseSecretsIn(m ? `${m[1]}: approvals.${m[2]}.` : `${r.id}: `, r);
    }
  }

  listApprovals(includeRevoked = false): Promise<ApprovalRecord[]> {
    return this.store.listApprovals({ include_revoked: includeRevoked });
  }

  async revokeApproval(id: string, actor: Actor): Promise<void> {
    if (!(await this.store.revokeApproval(id, this.clock.now())))
      throw new BulwarkError('not_found', `no active approval with id ${id}`);
    await this.audit.append({
      event_type: 'config_change',
      user_id: actor.id,
      source_ip: actor.ip,
      action: 'approval.revoke',
      outcome: 'allowed',
      metadata: { approval_id: id },
    });
  }
}

export const ruleOf = (a: ApprovalRecord): ApprovalRule => ({
  id: a.id,
  advisory_id: a.advisory_id,
  package: a.package,
  version_range: a.version_range,
  dep_path: a.dep_path,
  reason: a.reason,
  approver: a.approver,
  expires_at: a.expires_at,
  source: a.source,
});

const worse = (a: SeverityLevel, b: SeverityLevel): SeverityLevel =>
  SEVERITY_LEVEL_RANK[b] > SEVERITY_LEVEL_RANK[a] ? b : a;

/** One row per package of each lockfile, carrying the findings of its name@version (in steps, see TimeSlice). */
function* manifestRows(scanId: string, outcome: ScanOutcome, now: number): Generator<void, ManifestRecord[]> {
  const at = new Date(now).toISOString();
  const rows: ManifestRecord[] = [];
  for (const lf of outcome.result.lockfiles) {
    const byVersion = new Map<string, ScanFinding[]>();
    for (const f of lf.findings) {
      const k = `${f.ecosystem}\u0000${f.package}\u0000${f.version}`;
      const list = byVersion.get(k);
      if (list) list.push(f);
      else byVersion.set(k, [f]);
    }
    for (const p of lf.packages as LockPackage[]) {
      if (rows.length % STEP_ITEMS === 0) yield;
      const findings = isLookedUp(p)
        ? (byVersion.get(`${p.ecosystem}\u0000${p.name}\u0000${p.version}`) ?? [])
        : [];
      const vulns = findings.filter(isVulnerability);
      let severity: SeverityLevel = 'none';
      for (const f of vulns) severity = worse(severity, f.severity);
      const approvedAll = vulns.length > 0 && vulns.every((f) => approvalHolds(f, at));
      // The approval that ends first is the one that matters.
      const first = approvedAll
        ? vulns
            .map((f) => f.approval)
            .filter((a) => a !== undefined)
            .sort((a, b) => Date.parse(a.expires_at ?? '') - Date.parse(b.expires_at ?? ''))[0]
        : undefined;
      rows.push({
        id: newId(),
        scan_id: scanId,
        lockfile: lf.path,
        ecosystem: p.ecosystem,
        package: p.name,
        version: p.version,
        purl: p.purl,
        kind: p.kind,
        commit: p.commit ?? null,
        direct: p.direct,
        groups: p.groups,
        paths: p.paths,
        cves: [...new Set(findings.flatMap((f) => f.cves))],
        advisory_ids: findings.map((f) => f.id),
        severity_max: severity,
        scanned_at: now,
        approved: approvedAll,
        approved_by: first?.approved_by ?? null,
        approval_reason: first?.reason ?? null,
        approved_until: first?.expires_at ? Date.parse(first.expires_at) : null,
      });
    }
  }
  return rows;
}
