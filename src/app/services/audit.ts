/**
 * The audit append path: every event is validated, its action and metadata neutralised and
 * redacted, serialised canonically and chained, in that order, before it reaches the store.
 * Appends fail closed: when the store fails the caller gets the error, nothing is dropped silently.
 *
 * Checkpoints: with a CheckpointSigner (a key file or the keyring; this service only knows the
 * port), the head is signed every `checkpointEvery` events, every `checkpointIntervalS` seconds
 * while a timer runs (serve), and on demand. Without one the ledger still chains and verifies, and
 * verify says that checkpoints are unavailable.
 */
import type { Clock } from '../../core/clock.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import { neutralizeControlChars } from '../../core/audit/sanitize.js';
import { newId } from '../../core/ids.js';
import type { AuditCheckpointRow, AuditDraft, AuditRow, AuditStore } from '../../core/ports/audit-store.js';
import type { CheckpointPublicKey, CheckpointSigner } from '../../core/ports/checkpoint-signer.js';
import {
  type IncomingAuditEvent,
  parseAuditEvent,
  parseClientEvent,
  validateBatch,
} from '../../core/audit/event.js';
import type { Submitter } from '../../core/audit/submission.js';
import { GENESIS_HASH, chainLink, chainSeal } from '../../core/audit/hash-chain.js';
import type { CheckpointKeyLookup, SignedCheckpoint } from '../../core/audit/checkpoint.js';
import { type LedgerVerification, verifyLedger } from '../../core/audit/ledger-verify.js';
import { type InclusionProof, buildInclusionProof } from '../../core/audit/inclusion-proof.js';
import { type Redactor, createRedactor } from '../../core/audit/redaction.js';
import { toAuditDraft } from '../../core/audit/draft.js';
import { checkAuditTimeWindow } from '../../core/audit/filter.js';
import type { AuditEventType, AuditOutcome } from '../../core/audit/types.js';
import type { Metrics } from '../metrics.js';

/** What internal emitters and library callers pass; validated like any other input. */
export interface AuditEventInput {
  event_type: AuditEventType;
  user_id?: string | null;
  source_ip: string;
  action: string;
  outcome: AuditOutcome;
  /** Epoch ms or ISO 8601; now when absent. */
  timestamp?: number | string;
  metadata?: Record<string, unknown>;
}

/** The row hash: SHA-256 over the previous hash and the canonical row (src/core/audit/hash-chain.ts). */
export const hashLink = chainLink;
/** hashLink that also returns the hashed text (the row's body), which the SQLite store keeps. */
export const sealLink = chainSeal;

export interface AuditCheckpointOptions {
  signer?: CheckpointSigner | undefined;
  /** Sign the head after this many events (0: never by count). */
  checkpointEvery?: number;
  /** Called when an automatic checkpoint fails (the append itself has committed by then). */
  onCheckpointError?: (err: unknown) => void;
}

export interface VerifyRequest {
  from?: number | undefined;
  to?: number | undefined;
  /** Overrides the signer's keys (an auditor's own copy of the public key). */
  publicKey?: CheckpointKeyLookup | undefined;
}

export class AuditService {
  private signer: CheckpointSigner | undefined;
  private readonly checkpointEvery: number;
  private readonly onCheckpointError: (err: unknown) => void;
  private lastCheckpointSeq: number | undefined;
  private checkpointing: Promise<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly redactor: Redactor = createRedactor(),
    opts: AuditCheckpointOptions = {},
  ) {
    this.signer = opts.signer;
    this.checkpointEvery = opts.checkpointEvery ?? 0;
    this.onCheckpointError = opts.onCheckpointError ?? (() => {});
  }

  /**
   * Sets the checkpoint signer when none was configured at construction: the keyring's signer is
   * only available once the keyring (which itself writes to this ledger) is open.
   */
  useSigner(signer: CheckpointSigner): void {
    if (this.signer) throw new Error('audit checkpoint signer is already set');
    this.signer = signer;
  }

  /** True when checkpoints can be signed. */
  get checkpointsEnabled(): boolean {
    return this.signer !== undefined;
  }

  /**
   * Rotation notes: control characters neutralised (they are shown on one line, like an action),
   * then secrets and PII redacted, before they are stored anywhere.
   */
  redactText(text: string): string {
    return this.redactor.redactString(neutralizeControlChars(text));
  }

  /**
   * Free text a user writes that is stored beside the ledger (transition notes, approval reasons,
   * review titles, a vulnerability's title, description and remediation, attempt details, policy
   * reasons): secrets and PII redacted with the ledger's own redactor, so the stored copy and its
   * audit copy say the same thing. Line breaks are kept: the fields were validated already (no
   * control characters), and a multi-line description stays multi-line.
   */
  redactFreeText(text: string): string {
    return this.redactor.redactString(text);
  }

  /** Whether the ledger's secret rules would change `text` (PII alone does not count). */
  holdsSecret(text: string): boolean {
    return this.redactor.holdsSecret(text);
  }

  /** Validates, neutralises and redacts one event into the draft the store chains and writes. */
  prepare(e: AuditEventInput): AuditDraft {
    const event: IncomingAuditEvent = parseAuditEvent(e);
    return toAuditDraft({ ...event, timestamp: event.timestamp ?? this.clock.now() }, this.redactor, newId());
  }

  /** Validates a whole batch (timestamps non-decreasing, every event valid) into drafts, or throws. */
  prepareBatch(events: unknown[], maxEvents?: number): AuditDraft[] {
    return validateBatch(events, { now: this.clock.now(), ...(maxEvents ? { maxEvents } : {}) }).map((ev) =>
      toAuditDraft(ev, this.redactor, newId()),
    );
  }

  /** Appends one event from trusted code (Bulwark's own emitters, library callers); errors name its fields. */
  async append(event: AuditEventInput): Promise<AuditRow> {
    const [row] = await this.appendDrafts([this.prepare(event)]);
    return row!;
  }

  async appendBatch(events: readonly unknown[]): Promise<AuditRow[]> {
    // Callers from JSON may hand anything here: refuse a non-array by name (a string would
    // otherwise be spread into characters, an object would not iterate at all).
    if (!Array.isArray(events))
      throw new BulwarkError('validation_failed', 'events: must be an array', { field: 'events' });
    return this.appendDrafts(this.prepareBatch([...events]));
  }

  /**
   * Appends one event an API client sent (src/core/audit/submission.ts): refused when it claims an
   * action of Bulwark's own or a `submitted_by` of its own, or its time is out of bounds; stamped
   * with the submitting token inside the hashed row. Errors name the event's fields.
   */
  async submit(event: unknown, submitter: Submitter): Promise<AuditRow> {
    const ev = parseClientEvent(event, this.clock.now(), submitter);
    const [row] = await this.appendDrafts([toAuditDraft(ev, this.redactor, newId())]);
    return row!;
  }

  /** A batch an API client sent: every event checked and stamped as in submit; errors name events.<i>.<field>. */
  async submitBatch(events: unknown, submitter: Submitter, maxEvents?: number): Promise<AuditRow[]> {
    const evs = validateBatch(events, {
      now: this.clock.now(),
      client: submitter,
      ...(maxEvents ? { maxEvents } : {}),
    });
    return this.appendDrafts(evs.map((ev) => toAuditDraft(ev, this.redactor, newId())));
  }

  /** Appends drafts made by prepare/prepareBatch (or submit/submitBatch: the only ways drafts should be made). */
  async appendDrafts(drafts: AuditDraft[]): Promise<AuditRow[]> {
    let rows: AuditRow[];
    try {
      rows = await this.store.append(drafts, sealLink);
    } catch (err) {
      this.metrics.auditAppendFailures.inc();
      throw err instanceof BulwarkError
        ? err
        : new BulwarkError('store_unavailable', 'audit append failed', { cause: err });
    }
    for (const r of rows) this.metrics.auditAppends.inc({ event_type: r.event_type });
    await this.maybeCheckpoint(rows[rows.length - 1]);
    return rows;
  }

  list(...args: Parameters<AuditStore['list']>) {
    checkAuditTimeWindow(args[0]);
    return this.store.list(...args);
  }

  head(): Promise<{ seq: number; hash: string }> {
    return this.store.head();
  }

  /** Rows in seq order, streamed in chunks (export, tail). */
  range(fromSeq: number, toSeq: number, chunkSize?: number): AsyncIterable<AuditRow[]> {
    return this.store.range(fromSeq, toSeq, chunkSize);
  }

  async checkpoints(): Promise<SignedCheckpoint[]> {
    return this.store.checkpoints();
  }

  /** The signer's public keys as a list (empty when no signer is configured), for offline checks. */
  async publicKeys(): Promise<CheckpointPublicKey[]> {
    return this.signer ? this.signer.publicKeys() : [];
  }

  /** Public keys to verify checkpoints with: the signer's, or undefined when none is configured. */
  async verificationKeys(): Promise<CheckpointKeyLookup | undefined> {
    return this.signer ? this.signer.verificationKeys() : undefined;
  }

  // ---- checkpoints ----

  private async maybeCheckpoint(last: AuditRow | undefined): Promise<void> {
    if (!this.signer || this.checkpointEvery <= 0 || !last) return;
    try {
      if (this.lastCheckpointSeq === undefined) this.lastCheckpointSeq = await this.latestCheckpointSeq();
      if (last.seq - this.lastCheckpointSeq >= this.checkpointEvery)
        await this.signAndStore({ seq: last.seq, hash: last.hash });
    } catch (err) {
      // The events are committed; a failed checkpoint is retried at the next append or tick.
      this.onCheckpointError(err);
    }
  }

  private async latestCheckpointSeq(): Promise<number> {
    const cps = await this.store.checkpoints();
    return cps.length ? cps[cps.length - 1]!.seq : 0;
  }

  private async signAndStore(at: { seq: number; hash: string }): Promise<SignedCheckpoint> {
    const signer = this.signer!;
    const signed = await signer.sign({ seq: at.seq, hash: at.hash, time: this.clock.now() });
    const row: AuditCheckpointRow = { ...signed };
    try {
      await this.store.addCheckpoint(row);
    } catch (err) {
      // Another process checkpointed the same head first: theirs stands.
      const existing = (await this.store.checkpoints()).find((c) => c.seq === at.seq);
      if (!existing) throw err;
      this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq ?? 0, at.seq);
      return existing;
    }
    this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq ?? 0, at.seq);
    return signed;
  }

  /**
   * Signs the current head now (on demand). Returns the existing checkpoint when the head is
   * already checkpointed; throws not_configured when no signing key is configured.
   */
  async checkpoint(): Promise<{ checkpoint: SignedCheckpoint; created: boolean }> {
    if (!this.signer)
      throw new BulwarkError(
        'not_configured',
        'audit checkpoints are unavailable: no signing key is configured; set BULWARK_AUDIT_SIGNING_KEY or BULWARK_AUDIT_SIGNING_KEY_FILE (an Ed25519 private key, PEM)',
        { field: 'audit_signing_key' },
      );
    const head = await this.store.head();
    if (head.seq === 0) throw validationError('seq', 'the audit log is empty: nothing to checkpoint');
    const existing = (await this.store.checkpoints()).find((c) => c.seq === head.seq);
    if (existing) return { checkpoint: existing, created: false };
    return { checkpoint: await this.signAndStore(head), created: true };
  }

  /** Signs the head every `intervalS` seconds when events arrived since the last checkpoint. */
  startCheckpointTimer(intervalS: number): void {
    if (!this.signer || intervalS <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (this.checkpointing) return;
      this.checkpointing = (async () => {
        const head = await this.store.head();
        if (this.lastCheckpointSeq === undefined) this.lastCheckpointSeq = await this.latestCheckpointSeq();
        if (head.seq > this.lastCheckpointSeq) await this.signAndStore(head);
      })()
        .catch((err) => this.onCheckpointError(err))
        .finally(() => (this.checkpointing = undefined));
    }, intervalS * 1000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.checkpointing;
  }

  // ---- verification ----

  /** Verifies seq from..to (default: the whole ledger up to its head) against the signed checkpoints. */
  async verify(req: VerifyRequest = {}): Promise<LedgerVerification> {
    const head = await this.store.head();
    const from = req.from ?? 1;
    // Messages name the fields as this service does (from, to); the CLI renames them to its flags.
    if (!Number.isSafeInteger(from) || from < 1) throw validationError('from', 'must be a whole number ≥ 1');
    if (req.to !== undefined && (!Number.isSafeInteger(req.to) || req.to < 1))
      throw validationError('to', 'must be a whole number ≥ 1');
    if (req.to !== undefined && from > req.to) throw validationError('from', 'must not be after to');
    // A range past the head holds no rows: "ok, 0 checked" would read as a clean bill of health
    // for rows that do not exist, so it is refused, naming the head.
    if (req.from !== undefined && from > head.seq) throw pastHead('from', head.seq);
    if (req.to !== undefined && req.to > head.seq) throw pastHead('to', head.seq);
    const to = req.to ?? head.seq;
    const publicKey = req.publicKey ?? (await this.verificationKeys());
    const checkpoints = await this.store.checkpoints();
    let startPrevHash = GENESIS_HASH;
    if (from > 1 && from <= to) {
      const before = await firstChunk(this.store.range(from - 1, from - 1));
      if (!before || before.seq !== from - 1) {
        return {
          ok: false,
          from,
          to,
          checked: 0,
          first_bad_seq: from - 1,
          reason: 'seq_gap',
          detail: `row ${from - 1}, which the range starts after, is missing`,
          checkpoints_checked: 0,
          checkpoints: publicKey ? 'verified' : 'unavailable',
        };
      }
      startPrevHash = before.hash;
    }
    // A store that keeps each row's hashed text is verified from it (no row rebuilt per hash).
    return verifyLedger(this.store.sealedRange?.(from, to) ?? this.store.range(from, to), {
      from,
      to,
      startPrevHash,
      checkpoints,
      publicKey,
      toIsHead: req.to === undefined || req.to >= head.seq,
    });
  }

  // ---- Merkle inclusion proofs ----

  /**
   * RFC 6962 inclusion proof of row `seq` in the tree over row hashes 1..treeSize. The default tree
   * is the first signed checkpoint at or after `seq` (so the tree's last leaf is a signed hash), or
   * the head when no checkpoint covers it yet.
   */
  async proof(
    seq: number,
    treeSize?: number,
  ): Promise<InclusionProof & { checkpoint: SignedCheckpoint | null }> {
    const head = await this.store.head();
    if (!Number.isSafeInteger(seq) || seq < 1) throw validationError('seq', 'must be a whole number ≥ 1');
    if (seq > head.seq) throw pastHead('seq', head.seq);
    const cps = await this.store.checkpoints();
    let size = treeSize;
    if (size === undefined) size = cps.find((c) => c.seq >= seq)?.seq ?? head.seq;
    if (!Number.isSafeInteger(size) || size < seq || size > head.seq)
      throw validationError('tree_size', `must be between ${seq} and ${head.seq}`);
    const hashes: string[] = [];
    let row: AuditRow | undefined;
    if (this.store.sealedRange) {
      // Only the hashes are needed of every row: the sealed read skips the generated columns.
      for await (const chunk of this.store.sealedRange(1, size)) for (const t of chunk) hashes.push(t[2]);
      const at = await firstChunk(this.store.range(seq, seq));
      if (at?.seq === seq) row = at;
    } else {
      for await (const chunk of this.store.range(1, size, 20_000)) {
        for (const r of chunk) {
          hashes.push(r.hash);
          if (r.seq === seq) row = r;
        }
      }
    }
    if (!row || hashes.length !== size)
      throw new BulwarkError('unprocessable', `the ledger has gaps before seq ${size}: run verify`);
    const proof = buildInclusionProof(hashes, row);
    return { ...proof, checkpoint: cps.find((c) => c.seq === size) ?? null };
  }
}

/** A seq the caller named is past the head of the ledger: a validation error that names the head. */
const pastHead = (field: string, head: number): BulwarkError =>
  validationError(
    field,
    head === 0
      ? 'is past the head of the audit log (the log is empty)'
      : `is past the head of the audit log (seq ${head})`,
  );

async function firstChunk(it: AsyncIterable<AuditRow[]>): Promise<AuditRow | undefined> {
  for await (const chunk of it) return chunk[0];
  return undefined;
}
