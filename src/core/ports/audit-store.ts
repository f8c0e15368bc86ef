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
  append(drafts: AuditDraft[], link: ChainLink): Promise<AuditRow[]>;
  head(): Promise<{ seq: number; hash: string }>;
  list(filter: AuditFilter, page: AuditPageRequest): Promise<Page<AuditRow>>;
  /** Rows fromSeq..toSeq (inclusive) in sequence order, streamed in chunks. */
  range(fromSeq: number, toSeq: number, chunkSize?: number): AsyncIterable<AuditRow[]>;
  count(): Promise<number>;
  addCheckpoint(cp: AuditCheckpointRow): Promise<void>;
  checkpoints(): Promise<AuditCheckpointRow[]>;
}
