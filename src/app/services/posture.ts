/**
 * The posture summary (counts by severity, OWASP category and status, open criticals, overdue
 * against the SLA, mean time to remediate) and the health answer.
 *
 * categories_covered — Bulwark's definition: a category of the requested edition is covered when,
 * within the last 365 days, at least one OWASP review was recorded for it (`kind` control: a
 * control that addresses it is in place; `kind` finding_review: the category was reviewed for
 * findings), in either edition (translated by OWASP's own correspondence). A vulnerability alone
 * does not cover a category: a finding shows a gap, not a review. `categories_covered` is true
 * when all ten are covered; `categories_missing` lists the rest.
 */
import type { Actor } from '../../core/actor.js';
import type { Clock } from '../../core/clock.js';
import { z } from 'zod';
import { validationError } from '../../core/errors.js';
import { parseWithSchema, singleLineText } from '../../core/validation.js';
import { newId } from '../../core/ids.js';
import type { OwaspReview, PostureStore } from '../../core/ports/posture-store.js';
import type { VulnerabilityStore } from '../../core/ports/vulnerability-store.js';
import { VULN_STATUSES } from '../../core/vulns/lifecycle.js';
import {
  OWASP_CATEGORIES,
  type OwaspCategory,
  type OwaspEdition,
  categoryName,
  isOwaspEdition,
  parseCategory,
  translateCategory,
} from '../../core/vulns/owasp.js';
import { SEVERITIES } from '../../core/vulns/severity.js';
import { meanTimeToRemediate } from '../../core/vulns/sla.js';
import type { AuditService } from './audit.js';
import type { KeyPosture } from '../keys/key-posture.js';

const REVIEW_VALIDITY_MS = 365 * 86_400_000;

export interface PostureSummary {
  edition: OwaspEdition;
  total: number;
  by_severity: Record<string, number>;
  by_status: Record<string, number>;
  by_category: { category: OwaspCategory; name: string; count: number }[];
  /** Findings recorded under a category that has no counterpart in the requested edition. */
  untranslatable: number;
  open_criticals: number;
  overdue: number;
  mttr_ms: number | null;
  mttr_days: number | null;
  generated_at: string;
  /** Keys overdue for rotation and the age of each key's latest version (when a keyring is wired). */
  keys?: KeyPosture;
}

export interface SecurityHealth {
  zero_criticals: boolean;
  categories_covered: boolean;
  categories_missing: OwaspCategory[];
  last_scan: string | null;
  edition: OwaspEdition;
  /** Names of keys overdue for rotation by their policy (when a keyring is wired). */
  keys_overdue?: string[];
}

export class PostureService {
  constructor(
    private readonly vulns: VulnerabilityStore,
    private readonly store: PostureStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly defaultEdition: OwaspEdition,
    private readonly keys?: (now: number) => Promise<KeyPosture>,
  ) {}

  private edition(input: unknown): OwaspEdition {
    if (input === undefined || input === null || input === '') return this.defaultEdition;
    if (!isOwaspEdition(input)) throw validationError('edition', 'must be 2025 or 2021');
    return input;
  }

  async summary(editionInput?: unknown): Promise<PostureSummary> {
    const edition = this.edition(editionInput);
    const now = this.clock.now();
    const [rows, overdue, durations, openCriticals] = await Promise.all([
      this.vulns.postureCounts(),
      this.vulns.countOverdue(now),
      this.vulns.remediationDurations(),
      this.vulns.countOpenCriticals(),
    ]);
    const by_severity = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
    const by_status = Object.fromEntries(VULN_STATUSES.map((s) => [s, 0]));
    const byCategory = new Map<OwaspCategory, number>(OWASP_CATEGORIES.map((c) => [c, 0]));
    let untranslatable = 0;
    let total = 0;
    for (const r of rows) {
      if (r.dimension === 'severity') {
        by_severity[r.value] = r.count;
        total += r.count;
      } else if (r.dimension === 'status') by_status[r.value] = r.count;
      else {
        const translated = translateCategory(
          r.value as OwaspCategory,
          (r.edition ?? '2025') as OwaspEdition,
          edition,
        );
        if (translated) byCategory.set(translated, (byCategory.get(translated) ?? 0) + r.count);
        else untranslatable += r.count;
      }
    }
    const mttr = meanTimeToRemediate(durations);
    const keys = this.keys ? await this.keys(now) : undefined;
    return {
      edition,
      total,
      by_severity,
      by_status,
      by_category: [...byCategory].map(([category, count]) => ({
        category,
        name: categoryName(category, edition),
        count,
      })),
      untranslatable,
      open_criticals: openCriticals,
      overdue,
      mttr_ms: mttr,
      mttr_days: mttr === null ? null : Math.round((mttr / 86_400_000) * 10) / 10,
      generated_at: new Date(now).toISOString(),
      ...(keys ? { keys } : {}),
    };
  }

  async health(editionInput?: unknown): Promise<SecurityHealth> {
    const edition = this.edition(editionInput);
    const now = this.clock.now();
    const [openCriticals, reviews, lastScan] = await Promise.all([
      this.vulns.countOpenCriticals(),
      this.store.reviewsSince(now - REVIEW_VALIDITY_MS),
      this.store.lastScanAt(),
    ]);
    const covered = new Set<OwaspCategory>();
    for (const r of reviews) {
      const c = translateCategory(r.category as OwaspCategory, r.edition, edition);
      if (c) covered.add(c);
    }
    const missing = OWASP_CATEGORIES.filter((c) => !covered.has(c));
    const keys = this.keys ? await this.keys(now) : undefined;
    return {
      zero_criticals: openCriticals === 0,
      categories_covered: missing.length === 0,
      categories_missing: missing,
      last_scan: lastScan === null ? null : new Date(lastScan).toISOString(),
      edition,
      ...(keys ? { keys_overdue: keys.overdue.map((k) => k.name) } : {}),
    };
  }

  /** Records that a category has a control in place or was reviewed for findings (see categories_covered). */
  async addReview(
    input: { category?: unknown; edition?: unknown; kind?: unknown; title?: unknown },
    actor: Actor,
  ): Promise<OwaspReview> {
    if (typeof input.category !== 'string') throw validationError('category', 'is required (A01–A10)');
    const parsed = parseCategory(input.category, 'category');
    const given = input.edition === undefined ? undefined : this.edition(input.edition);
    if (parsed.edition && given && parsed.edition !== given) {
      // A03:2021 (Injection) is not A03:2025 (Supply Chain Failures): refuse rather than guess.
      throw validationError('category', `names edition ${parsed.edition} but edition is ${given}`);
    }
    const edition = given ?? parsed.edition ?? this.defaultEdition;
    if (input.kind !== 'control' && input.kind !== 'finding_review')
      throw validationError('kind', 'must be control or finding_review');
    const { title } = parseWithSchema(z.object({ title: singleLineText(512) }), { title: input.title });
    const review: OwaspReview = {
      id: newId(),
      category: parsed.category,
      edition,
      kind: input.kind,
      // Free text: secrets and PII redacted before it is stored (the dashboard shows it).
      title: this.audit.redactFreeText(title),
      reviewed_by: actor.id,
      at: this.clock.now(),
    };
    await this.store.addReview(review);
    await this.audit.append({
      event_type: 'config_change',
      user_id: actor.id,
      source_ip: actor.ip,
      action: 'owasp_review.add',
      outcome: 'allowed',
      metadata: { review_id: review.id, category: `${review.category}:${review.edition}`, kind: review.kind },
    });
    return review;
  }
}
