import type { Page } from '../pagination.js';

/** An audit row before it is chained: metadata is already redacted, sanitised, canonical JSON. */
export interface AuditDraft {
  id: string;
  event_type: string;
  user_id: string | null;
  source_ip: string;
  action: string;
  outcome: string;
  timestamp: number;
  metadata: string;
}

export interface AuditRow extends AuditDraft {
  seq: number;
  prev_hash: string;
  hash: string;
}

/** Computes a row's hash from its draft, its sequence number and the previous row's hash. */
export type ChainLink = (draft: AuditDraft, seq: number, prevHash: string) => string;

/** A chained row's hashed text (canonical JSON of the row without its hash) and its hash. */
export interface ChainSeal {
  body: string;
  hash: string;
}

/**
 * ChainLink that also hands back the text it hashed after prevHash, so a store that keeps that
 * text (SQLite) builds it once.
 */
export type ChainSealer = (draft: AuditDraft, seq: number, prevHash: string) => ChainSeal;

/**
 * A row as a store may keep it for verification: [seq, body, hash], body being exactly the text
 * hashed after the previous row's hash (canonicalRowBody). A tuple: it is what a raw read returns.
 */
export type SealedRow = [seq: number, body: string, hash: string];

export interface AuditFilter {
  event_type?: string[];
  outcome?: string[];
  user_id?: string;
  source_ip?: string;
  action_prefix?: string;
  since?: number;
  until?: number;
}

export interface AuditPageRequest {
  limit: number;
  cursor?: string | undefined;
  order: 'desc' | 'asc';
}

export interface AuditCheckpointRow {
  seq: number;
  hash: string;
  time: number;
  key_id: string;
  key_version: number;
  signature: string;
}

export interface AuditStore {
  /**
   * Appends the drafts in order as one atomic unit, chained to the current head. Appends are
   * serialised (across processes too), so the chain never forks. Throws when the store fails:
   * an audit append is never silently dropped.
   */
  append(drafts: AuditDraft[], seal: ChainSealer): Promise<AuditRow[]>;
  head(): Promise<{ seq: number; hash: string }>;
  list(filter: AuditFilter, page: AuditPageRequest): Promise<Page<AuditRow>>;
  /** Rows fromSeq..toSeq (inclusive) in sequence order, streamed in chunks. */
  range(fromSeq: number, toSeq: number, chunkSize?: number): AsyncIterable<AuditRow[]>;
  /**
   * Rows fromSeq..toSeq as sealed tuples, in chunks: offered by a store that keeps each row's
   * hashed text, so verify hashes it as is instead of rebuilding it from the columns.
   */
  sealedRange?(fromSeq: number, toSeq: number): AsyncIterable<SealedRow[]>;
  count(): Promise<number>;
  addCheckpoint(cp: AuditCheckpointRow): Promise<void>;
  checkpoints(): Promise<AuditCheckpointRow[]>;
}
