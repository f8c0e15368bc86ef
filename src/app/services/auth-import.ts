/**
 * Importing authentication logs: lines in, attempts stored, audit entries appended, in batches.
 * Streaming: one batch of attempts in memory at a time, whatever the file's size.
 *
 * Imports are history, not traffic: they do not pass through the limiter (a week of sshd log
 * replayed in seconds would trip every limit and lock every key at import time, not when it
 * happened), so no buckets or lockouts change. They are stored, audited (auth_success /
 * auth_failure with the attempt's own time and `imported_from`), and the anomaly view reads them.
 *
 * Host names (sshd with UseDNS) are kept as logged, never resolved: `source_ip` and `ip_key`
 * hold the name, and the audit entry carries it as `source_host` with source_ip 0.0.0.0 (the
 * audit log only takes addresses).
 */
import path from 'node:path';
import type { FailureReason } from '../../core/auth/attempt.js';
import { USER_ID_MAX_LENGTH } from '../../core/audit/event.js';
import {
  type LogParserOptions,
  createLineParser,
  newStreamStats,
  parseLogStream,
  type StreamStats,
} from '../../core/auth/parsers/stream.js';
import type { ParsedAttempt } from '../../core/auth/parsers/types.js';
import { newId } from '../../core/ids.js';
import { parseIp } from '../../core/net/ip.js';
import type { AttemptStore, StoredAttempt } from '../../core/ports/attempt-store.js';
import type { AuditEventInput, AuditService } from './audit.js';

export interface ImportSummary {
  source: string;
  lines: number;
  /** Lines of the format (not empty, not another format's or program's): 0 means a wrong `--format`. */
  format_lines: number;
  attempts_recorded: number;
  /** Lines that yielded no attempt, by reason. */
  skipped: Record<string, number>;
}

export interface ImportOptions {
  /** Shown in audit metadata (`imported_from`); the file's base name by default. */
  source: string;
  /** Attempts per transaction (default 1,000, the audit batch size). */
  batchSize?: number;
  /** Called after each batch with the running totals. */
  onBatch?: (stats: StreamStats) => void;
  /** Called for each attempt as it is read, before it is stored (tests attribute attempts to lines). */
  onAttempt?: (attempt: StoredAttempt) => void;
}

const cap = (s: string | null, n: number): string | null => (s === null ? null : s.slice(0, n));

/** What the log line said beyond its event (the failure's words, or the suspicious-success flag). */
const noteOf = (p: ParsedAttempt): string | null => p.failure_detail ?? p.suspicious ?? null;

/** An attempt on its way to the store, with the parts of its detail the audit entry keeps apart. */
interface Imported {
  attempt: StoredAttempt;
  event: string;
  note: string | null;
}

export class AuthImporter {
  constructor(
    private readonly attempts: AttemptStore,
    private readonly audit: AuditService,
    private readonly ipKeyOf: (ip: string) => string,
    /** The server's clock: imported times pass the API's event-time rule against it. */
    private readonly now: () => number = Date.now,
  ) {}

  async importLines(
    lines: AsyncIterable<string> | Iterable<string>,
    parser: LogParserOptions,
    opts: ImportOptions,
  ): Promise<ImportSummary> {
    const stats = newStreamStats();
    const size = Math.min(opts.batchSize ?? 1000, 1000);
    const source = path.basename(opts.source);
    let batch: Imported[] = [];
    let recorded = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      recorded += await this.attempts.insertMany(batch.map((i) => i.attempt));
      await this.audit.appendBatch(this.auditOf(batch, source));
      batch = [];
      opts.onBatch?.(stats);
    };
    for await (const p of parseLogStream(lines, createLineParser(parser, this.now), { stats })) {
      const a = this.stored(p);
      opts.onAttempt?.(a);
      batch.push({ attempt: a, event: p.event, note: noteOf(p) });
      if (batch.length >= size) await flush();
    }
    await flush();
    opts.onBatch?.(stats);
    return {
      source,
      lines: stats.lines,
      format_lines: stats.recognised,
      attempts_recorded: recorded,
      skipped: Object.fromEntries(stats.skipped),
    };
  }

  private stored(p: ParsedAttempt): StoredAttempt {
    // The log's event is kept with the detail, so views can pick events (e.g. sshd.failed_password).
    // A success after failures for other users on the connection keeps that flag the same way.
    // The log's words are redacted on their own: joined first, `sshd.failed_password: failed …`
    // reads as a password assignment and the redactor masked the log's word (as in auditOf).
    const note = noteOf(p);
    const detail = note ? `${p.event}: ${this.audit.redactFreeText(note)}` : p.event;
    return {
      id: newId(),
      user_id: cap(p.user, 256),
      sender: cap(p.sender, 320),
      source_ip: p.source_ip,
      ip_key: p.host_kind === 'hostname' ? p.source_ip : this.ipKeyOf(p.source_ip),
      timestamp: p.timestamp,
      result: p.result,
      failure_reason: p.result === 'success' ? null : ((p.failure_reason ?? 'other') as FailureReason),
      // Log text is free text (a JSON-lines detail is whatever the writer put there): redacted like
      // the audit copy (above), before the cut, so the cut cannot leave half a secret the redactor
      // misses. The event name is Bulwark's own (`<source>.<event>`), never a secret.
      failure_detail: detail.slice(0, 512),
      rl_bucket_state: [],
    };
  }

  /** One audit entry per attempt, in time order (an audit batch's times must not decrease). */
  private auditOf(batch: Imported[], source: string): AuditEventInput[] {
    return batch
      .map(({ attempt: a, event, note }): AuditEventInput => {
        const isIp = parseIp(a.source_ip) !== null;
        return {
          event_type: a.result === 'success' ? 'auth_success' : 'auth_failure',
          user_id: a.user_id === null || a.user_id === '' ? null : a.user_id.slice(0, USER_ID_MAX_LENGTH),
          source_ip: isIp ? a.source_ip : '0.0.0.0',
          action: 'login (imported)',
          outcome: a.result === 'success' ? 'allowed' : 'denied',
          timestamp: a.timestamp,
          metadata: {
            attempt_id: a.id,
            imported_from: source,
            // The event name and the log's words in fields of their own: joined as
            // `sshd.failed_password: Failed password …` the redactor rightly reads a password
            // assignment (`…password: <value>`) and masks the log's text.
            event,
            ...(note !== null ? { log_detail: note.slice(0, 512) } : {}),
            failure_reason: a.failure_reason,
            ...(isIp ? {} : { source_host: a.source_ip }),
          },
        };
      })
      .sort((x, y) => (x.timestamp as number) - (y.timestamp as number));
  }
}
