/**
 * Verifying a stretch of the audit ledger: the hash chain over streamed rows, held to the signed
 * checkpoints that fall inside the range, and to the chain head the store reports (rows ending
 * before the head or before a checkpoint are a truncated tail). Pure: rows, checkpoints and keys
 * come in, a verdict value comes out (a broken chain is a result, not an exception).
 *
 * When no public key is available the chain is still checked, but checkpoints cannot be: the
 * verdict says `checkpoints: 'unavailable'`, and a re-chained tail or a truncation since the last
 * honest row cannot be detected. That is stated, never papered over.
 */
import type { CheckpointKeyLookup, SignedCheckpoint } from './checkpoint.js';
import type { SealedRow } from '../ports/audit-store.js';
import { type ChainFailureReason, ChainVerifier, GENESIS_HASH, rowFromSealed } from './hash-chain.js';
import type { ChainRow } from './types.js';

export interface LedgerVerification {
  ok: boolean;
  /** First seq of the range asked for. */
  from: number;
  /** Last seq of the range asked for (the head when not given). */
  to: number;
  /** Rows found sound. */
  checked: number;
  first_bad_seq?: number;
  reason?: ChainFailureReason;
  detail?: string;
  /** For checkpoint_mismatch: the checkpoint that disagreed (first_bad_seq is the first row after the last one that agreed). */
  checkpoint_seq?: number;
  /** Signed checkpoints in the range whose signature and hash were checked against the rows. */
  checkpoints_checked: number;
  /** `verified` when checkpoints were checked with a public key, `unavailable` when there was none. */
  checkpoints: 'verified' | 'unavailable';
  warning?: string;
}

export interface LedgerVerifyInput {
  from: number;
  to: number;
  /** Hash of row from-1 (GENESIS_HASH when from is 1). */
  startPrevHash: string;
  /** Every checkpoint the store holds; those outside [from-1, to] are ignored. */
  checkpoints: readonly SignedCheckpoint[];
  /**
   * True when `to` is the ledger's head (no explicit end): then every later checkpoint counts too, so
   * a tail cut together with the head row is still caught against the last signed checkpoint.
   */
  toIsHead: boolean;
  /** Undefined: no key configured, checkpoints cannot be checked. */
  publicKey: CheckpointKeyLookup | undefined;
}

/** Chunks of rows, or of sealed rows (a store that keeps each row's hashed text: the fast path). */
type Chunk = readonly ChainRow[] | readonly SealedRow[];
type Chunks = AsyncIterable<Chunk> | Iterable<Chunk>;

/** seq and hash of a row in either form. */
type Link = ChainRow | SealedRow;
const seqOf = (r: Link): number => (Array.isArray(r) ? r[0] : r.seq);
const hashOf = (r: Link): string => (Array.isArray(r) ? r[2] : r.hash);
function prevHashOf(r: Link): unknown {
  if (!Array.isArray(r)) return r.prev_hash;
  try {
    return rowFromSealed(r[0], r[1], r[2]).prev_hash;
  } catch {
    return undefined;
  }
}

export async function verifyLedger(rows: Chunks, input: LedgerVerifyInput): Promise<LedgerVerification> {
  const { from, to } = input;
  const usable =
    input.publicKey === undefined
      ? []
      : input.checkpoints.filter((c) => c.seq >= from - 1 && (input.toIsHead || c.seq <= to));
  const verifier = new ChainVerifier({
    expectedStartPrevHash: from === 1 ? GENESIS_HASH : input.startPrevHash,
    expectedStartSeq: from,
    checkpoints: usable,
    ...(input.publicKey === undefined ? {} : { publicKey: input.publicKey }),
  });
  // The two rows before the failing one, to tell an inserted row from a broken link.
  let prev1: Link | undefined;
  let prev2: Link | undefined;
  let failedRow: Link | undefined;
  if (!verifier.done && to >= from) {
    outer: for await (const chunk of rows as AsyncIterable<Chunk>) {
      if (chunk.length > 0 && Array.isArray(chunk[0])) {
        const sealed = chunk as readonly SealedRow[];
        for (let i = 0; i < sealed.length; i++) {
          const t = sealed[i]!;
          if (!verifier.pushSealed(t[0], t[1], t[2])) {
            failedRow = t;
            break outer;
          }
          prev2 = prev1;
          prev1 = t;
        }
        continue;
      }
      const plain = chunk as readonly ChainRow[];
      for (let i = 0; i < plain.length; i++) {
        const row = plain[i]!;
        if (!verifier.push(row)) {
          failedRow = row;
          break outer;
        }
        prev2 = prev1;
        prev1 = row;
      }
    }
  }
  const r = verifier.result();
  const out: LedgerVerification = {
    ok: r.ok,
    from,
    to,
    checked: r.count,
    checkpoints_checked: r.checkpoints_matched,
    checkpoints: input.publicKey === undefined ? 'unavailable' : 'verified',
  };
  // Rows ending before the head the store reports: the tail was cut (the head is the range's end).
  if (out.ok && to >= from && (r.checked_to ?? from - 1) < to) {
    const last = r.checked_to ?? from - 1;
    Object.assign(out, {
      ok: false,
      first_bad_seq: last + 1,
      reason: 'truncated' as const,
      detail: `rows end at seq ${last} but the ledger's head is seq ${to}`,
    });
  } else if (!r.ok) {
    Object.assign(out, { first_bad_seq: r.first_bad_seq, reason: r.reason, detail: r.detail });
    if (
      r.reason === 'prev_hash_mismatch' &&
      failedRow !== undefined &&
      prev1 !== undefined &&
      prev2 !== undefined &&
      prevHashOf(failedRow) === hashOf(prev2)
    ) {
      // The row links to the one two back: the row between them was inserted.
      out.first_bad_seq = seqOf(prev1);
      out.detail = `row ${seqOf(prev1)} was inserted: row ${seqOf(failedRow)} links to row ${seqOf(prev2)}`;
    } else if (r.reason === 'checkpoint_mismatch' && r.first_bad_seq !== undefined) {
      // Every row since the last checkpoint that matched may have been rewritten and re-chained.
      const at = r.first_bad_seq;
      const lastGood = usable.reduce((m, c) => (c.seq < at && c.seq > m ? c.seq : m), from - 1);
      out.first_bad_seq = lastGood + 1;
      out.checkpoint_seq = at;
      out.detail = `the signed checkpoint at seq ${at} disagrees with the chain: rows ${lastGood + 1}..${at} were rewritten and re-chained`;
    }
  }
  if (input.publicKey === undefined) {
    const stored = input.checkpoints.length;
    out.warning =
      'no checkpoint public key configured: checkpoints unavailable, so a re-chained or truncated tail cannot be detected' +
      (stored
        ? ` (${stored} stored checkpoint${stored === 1 ? '' : 's'} not checked; pass --public-key)`
        : '');
  }
  return out;
}
