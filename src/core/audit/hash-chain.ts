/**
 * The tamper-evident hash chain over audit rows, and its streaming verifier.
 *
 * row.hash = SHA-256 hex of  prev_hash ‖ canonical JSON of the row without `hash`
 * (keys sorted: action, event_type, id, metadata, outcome, prev_hash, seq, source_ip, timestamp,
 * user_id). The first row's prev_hash is GENESIS_HASH (64 zeros); seq starts at 1 and has no gaps.
 *
 * verifyChain detects, and names the first bad seq of:
 * - an edited row (its hash no longer matches: `hash_mismatch`),
 * - a deleted row (`seq_gap`), an inserted, duplicated or swapped row (`seq_not_increasing`,
 *   or `prev_hash_mismatch` when the seqs were renumbered),
 * - a re-chained tail — an edit whose following hashes were all recomputed, so the chain is
 *   self-consistent — as soon as a signed checkpoint disagrees (`checkpoint_mismatch`),
 * - a truncated tail: the rows end before the last signed checkpoint (`truncated`),
 * - a forged checkpoint: one whose Ed25519 signature does not verify (`checkpoint_signature_invalid`).
 * What no verifier can see: a re-chained tail after the last checkpoint, or a truncation of rows
 * written since it. Checkpoint often.
 *
 * Speed: the row body is built by hand in canonical order (no sorted copies), metadata held as
 * canonical text is used as is, and hashing uses the one-shot crypto.hash where Node has it. A
 * store that keeps each row's body (SQLite) is verified from it as is (ChainVerifier.pushSealed):
 * no row is rebuilt unless it fails, and then it is checked exactly as push checks a row.
 */
import * as crypto from 'node:crypto';
import type { AuditDraft, ChainLink, ChainSealer } from '../ports/audit-store.js';
import { NEEDS_ESCAPE, canonicalJson, jsonString } from './canonical-json.js';
import { type CheckpointKeyLookup, type SignedCheckpoint, verifyCheckpointWith } from './checkpoint.js';
import type { ChainRow } from './types.js';

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

const HEX64 = /^[0-9a-f]{64}$/;

type HashFn = (data: string) => string;
const sha256Hex: HashFn =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

class MalformedRow extends Error {}

const safeInt = (v: unknown, field: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new MalformedRow(`${field} must be a safe integer`);
  return v;
};

/** Canonical JSON of a row without its hash (the text hashed after prev_hash). */
export function canonicalRowBody(row: Omit<ChainRow, 'hash'>): string {
  return hashInput('', row);
}

/**
 * `prefix` ‖ canonical JSON of `row` without its hash, built as one string: hashing a string made
 * of two parts first costs a flattening copy, so the prefix goes into the same template.
 */
function hashInput(prefix: string, row: Omit<ChainRow, 'hash'>): string {
  const { action, event_type, id, outcome, prev_hash, source_ip, user_id } = row;
  if (
    typeof action !== 'string' ||
    typeof event_type !== 'string' ||
    typeof id !== 'string' ||
    typeof outcome !== 'string' ||
    typeof prev_hash !== 'string' ||
    typeof source_ip !== 'string' ||
    (user_id !== null && typeof user_id !== 'string')
  ) {
    throw new MalformedRow('a text field is not a string');
  }
  const seq = safeInt(row.seq, 'seq');
  const timestamp = safeInt(row.timestamp, 'timestamp');
  const meta = typeof row.metadata === 'string' ? row.metadata : canonicalJson(row.metadata);
  // Hot path: the text fields rarely need escaping. One escape check per field: cheaper than one
  // check over their concatenation, which would first be copied into a new flat string.
  if (
    !NEEDS_ESCAPE.test(action) &&
    !NEEDS_ESCAPE.test(event_type) &&
    !NEEDS_ESCAPE.test(id) &&
    !NEEDS_ESCAPE.test(outcome) &&
    !NEEDS_ESCAPE.test(prev_hash) &&
    !NEEDS_ESCAPE.test(source_ip) &&
    (user_id === null || !NEEDS_ESCAPE.test(user_id))
  ) {
    return (
      `${prefix}{"action":"${action}","event_type":"${event_type}","id":"${id}","metadata":${meta},"outcome":"${outcome}",` +
      `"prev_hash":"${prev_hash}","seq":${seq},"source_ip":"${source_ip}","timestamp":${timestamp},"user_id":${user_id === null ? 'null' : `"${user_id}"`}}`
    );
  }
  return (
    `${prefix}{"action":${jsonString(action)},"event_type":${jsonString(event_type)},"id":${jsonString(id)},"metadata":${meta},` +
    `"outcome":${jsonString(outcome)},"prev_hash":${jsonString(prev_hash)},"seq":${seq},"source_ip":${jsonString(source_ip)},` +
    `"timestamp":${timestamp},"user_id":${user_id === null ? 'null' : jsonString(user_id)}}`
  );
}

/**
 * The hash of `row` chained to `prevHash`: SHA-256 hex over prevHash ‖ canonical(row without hash).
 * `row.prev_hash` is ignored in favour of `prevHash` (they are equal in a sound chain).
 */
export function hashRow(
  prevHash: string,
  row: Omit<ChainRow, 'hash' | 'prev_hash'> & { prev_hash?: string },
): string {
  return sha256Hex(hashInput(prevHash, { ...row, prev_hash: prevHash }));
}

/** hashRow for a row that already carries its prev_hash (no copy: the verifier's hot path). */
const hashStoredRow = (row: ChainRow): string => sha256Hex(hashInput(row.prev_hash, row));

/** prevHash ‖ canonical body of `draft` as the row at `seq`: the text its hash covers. */
const draftHashInput = (draft: AuditDraft, seq: number, prevHash: string): string =>
  hashInput(prevHash, {
    id: draft.id,
    seq,
    event_type: draft.event_type,
    user_id: draft.user_id,
    source_ip: draft.source_ip,
    action: draft.action,
    outcome: draft.outcome,
    timestamp: draft.timestamp,
    metadata: draft.metadata,
    prev_hash: prevHash,
  });

/** The store port's ChainLink: hash of a draft given its seq and the previous row's hash. */
export const chainLink: ChainLink = (draft: AuditDraft, seq: number, prevHash: string): string =>
  sha256Hex(draftHashInput(draft, seq, prevHash));

/**
 * The store port's ChainSealer: the row's body (the text hashed after prevHash), built once, and its
 * hash. Built as one string with the prefix (as chainLink does) and sliced: hashing flattens it, so
 * the body handed to the store is a slice of a flat string, which the driver copies out directly
 * (a body built on its own and concatenated to the prefix would reach the driver as a rope).
 */
export const chainSeal: ChainSealer = (draft: AuditDraft, seq: number, prevHash: string) => {
  const input = draftHashInput(draft, seq, prevHash);
  const hash = sha256Hex(input);
  return { body: input.slice(prevHash.length), hash };
};

/**
 * The row a stored body describes, with the store's own seq and hash: what pushSealed falls back
 * to when the body does not check out, so the fault is named as push names it. Throws MalformedRow
 * when the body is not a JSON object. Metadata is taken as its canonical text, whatever JSON value
 * it is, so a body cannot pass off a JSON string as the metadata text it spells.
 */
export function rowFromSealed(seq: number, body: unknown, hash: string): ChainRow {
  if (typeof body !== 'string') throw new MalformedRow('body is not text');
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new MalformedRow('body is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new MalformedRow('body is not a JSON object');
  const o = v as Record<string, unknown>;
  let metadata: string;
  try {
    metadata = canonicalJson(o.metadata);
  } catch {
    throw new MalformedRow('metadata is not JSON');
  }
  return {
    id: o.id,
    seq,
    event_type: o.event_type,
    user_id: o.user_id,
    source_ip: o.source_ip,
    action: o.action,
    outcome: o.outcome,
    timestamp: o.timestamp,
    metadata,
    prev_hash: o.prev_hash,
    hash,
  } as ChainRow;
}

// In a body, `,"prev_hash":"<64 hex>"` comes right before `,"seq":` (keys in canonical order).
const SEQ_KEY = ',"seq":';
const PREV_KEY = ',"prev_hash":"';
const PREV_KEY_AT = PREV_KEY.length + 64 + 1;

/**
 * True when `body` names `seq` as its seq and `prev` as its prev_hash. The last `,"seq":` is the
 * top-level key: after it come only source_ip, timestamp and user_id (strings and a number), and an
 * unescaped quote cannot occur inside a JSON string, so neither key can be spelled inside a value.
 */
function bodyLinks(body: string, seq: number, prev: string): boolean {
  const at = body.lastIndexOf(SEQ_KEY);
  // slice + === rather than startsWith at a position: several times faster in V8.
  if (
    at < PREV_KEY_AT ||
    body.charCodeAt(at - 1) !== 34 ||
    body.slice(at - 65, at - 1) !== prev ||
    body.slice(at - PREV_KEY_AT, at - 65) !== PREV_KEY
  )
    return false;
  let i = at + SEQ_KEY.length;
  let c = body.charCodeAt(i);
  // One digit at least, no leading zero (canonical numbers have none).
  if (c < 48 || c > 57 || (c === 48 && seq !== 0)) return false;
  let n = 0;
  while (c >= 48 && c <= 57) {
    n = n * 10 + (c - 48);
    c = body.charCodeAt(++i);
  }
  return c === 44 && n === seq;
}

/** Rows `drafts` chained after (headSeq, headHash): seq, prev_hash and hash filled in. */
export function chainRows<T extends Omit<ChainRow, 'seq' | 'prev_hash' | 'hash'>>(
  drafts: readonly T[],
  head: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): Array<T & { seq: number; prev_hash: string; hash: string }> {
  let prev = head.hash;
  let seq = head.seq;
  return drafts.map((d) => {
    seq++;
    const row = { ...d, seq, prev_hash: prev, hash: '' };
    row.hash = hashStoredRow(row);
    prev = row.hash;
    return row;
  });
}

export type ChainFailureReason =
  | 'malformed_row'
  | 'seq_gap'
  | 'seq_not_increasing'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  | 'checkpoint_mismatch'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_key_unknown'
  | 'truncated';

export interface ChainVerification {
  ok: boolean;
  /** seq of the first row read (null when none). */
  checked_from: number | null;
  /** seq of the last row found sound (null when none). */
  checked_to: number | null;
  /** Rows found sound. */
  count: number;
  /** Signed checkpoints compared against a row (or the start). */
  checkpoints_matched: number;
  first_bad_seq?: number;
  reason?: ChainFailureReason;
  /** Plain words on what is wrong. */
  detail?: string;
}

export interface VerifyOptions {
  /** prev_hash the first row must carry (default GENESIS_HASH: verification from the start). */
  expectedStartPrevHash?: string;
  /** seq the first row must carry (default 1 when starting at genesis, unchecked otherwise). */
  expectedStartSeq?: number;
  /** Signed checkpoints to hold the rows to; their signatures are verified first. */
  checkpoints?: readonly SignedCheckpoint[];
  /** The Ed25519 public key (or a lookup by key id and version) for the checkpoints. */
  publicKey?: CheckpointKeyLookup;
}

/** Incremental verifier: push rows in seq order, then read result(). Stops at the first fault. */
export class ChainVerifier {
  private prevHash: string;
  private prevSeq: number | null = null;
  private readonly startSeq: number | undefined;
  private readonly bySeq = new Map<number, SignedCheckpoint[]>();
  private maxCheckpointSeq = -Infinity;
  private lastCheckpointSeq: number | null = null;
  private res: ChainVerification = {
    ok: true,
    checked_from: null,
    checked_to: null,
    count: 0,
    checkpoints_matched: 0,
  };
  private failed = false;

  constructor(opts: VerifyOptions = {}) {
    this.prevHash = opts.expectedStartPrevHash ?? GENESIS_HASH;
    this.startSeq = opts.expectedStartSeq ?? (this.prevHash === GENESIS_HASH ? 1 : undefined);
    for (const cp of opts.checkpoints ?? []) {
      if (this.failed) break;
      const verdict = opts.publicKey === undefined ? 'unknown_key' : verifyCheckpointWith(cp, opts.publicKey);
      if (verdict === 'unknown_key') {
        this.fail(
          cp.seq,
          'checkpoint_key_unknown',
          `no public key for checkpoint key ${cp.key_id} v${cp.key_version}`,
        );
      } else if (verdict !== 'valid') {
        this.fail(
          cp.seq,
          'checkpoint_signature_invalid',
          `checkpoint at seq ${cp.seq} has an invalid signature`,
        );
      } else {
        const list = this.bySeq.get(cp.seq);
        if (list) list.push(cp);
        else this.bySeq.set(cp.seq, [cp]);
        if (cp.seq > this.maxCheckpointSeq) this.maxCheckpointSeq = cp.seq;
      }
    }
  }

  get done(): boolean {
    return this.failed;
  }

  private fail(seq: number, reason: ChainFailureReason, detail: string): false {
    this.failed = true;
    this.res = { ...this.res, ok: false, first_bad_seq: seq, reason, detail };
    return false;
  }

  /** Checks one row; false once the chain has failed (further rows are ignored). */
  push(row: ChainRow): boolean {
    if (this.failed) return false;
    const seq = row.seq;
    if (!this.seqFollows(seq)) return false;
    if (row.prev_hash !== this.prevHash)
      return this.fail(seq, 'prev_hash_mismatch', `row ${seq} does not link to the previous row`);
    let h: string;
    try {
      h = hashStoredRow(row);
    } catch (e) {
      return this.fail(seq, 'malformed_row', `row ${seq}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (h !== row.hash)
      return this.fail(seq, 'hash_mismatch', `row ${seq} was altered (its hash does not match its content)`);
    return this.accept(seq, h);
  }

  /**
   * Checks one row as a store keeps it: `body` is the text hashed after the previous row's hash.
   * A sound row costs one SHA-256 and two scans of its tail: it follows the previous seq,
   * H(previous hash ‖ body) is its hash, and body names the same seq and previous hash.
   *
   * The stored body is the evidence: a row whose body does not hash to its hash FAILS, whatever
   * the body parses to. The body is parsed only to name the fault as push names it. It is never
   * re-canonicalised and accepted: a body with a duplicated key (SQLite's json_extract, which the
   * generated columns use, reads the first copy, JSON.parse the last) or with reformatted metadata
   * would otherwise check as its original while every query shows the forged copy.
   */
  pushSealed(seq: number, body: string, hash: string): boolean {
    if (this.failed) return false;
    if (!this.seqFollows(seq)) return false;
    const prev = this.prevHash;
    if (typeof body === 'string' && sha256Hex(prev + body) === hash && bodyLinks(body, seq, prev))
      return this.accept(seq, hash);
    let row: ChainRow;
    try {
      row = rowFromSealed(seq, body, hash);
      if (row.prev_hash !== prev)
        return this.fail(seq, 'prev_hash_mismatch', `row ${seq} does not link to the previous row`);
      hashStoredRow(row);
    } catch (e) {
      return this.fail(seq, 'malformed_row', `row ${seq}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.fail(seq, 'hash_mismatch', `row ${seq} was altered (its hash does not match its content)`);
  }

  /** Checks that `seq` is the next one expected (and, for the first row, the start); fails if not. */
  private seqFollows(seq: number): boolean {
    if (!Number.isSafeInteger(seq))
      return this.fail(
        this.prevSeq === null ? (this.startSeq ?? 0) : this.prevSeq + 1,
        'malformed_row',
        'seq is not an integer',
      );
    if (this.prevSeq === null) {
      this.res.checked_from = seq;
      if (this.startSeq !== undefined && seq !== this.startSeq) {
        return seq > this.startSeq
          ? this.fail(
              this.startSeq,
              'seq_gap',
              `expected the first row to be seq ${this.startSeq}, got ${seq}`,
            )
          : this.fail(
              seq,
              'seq_not_increasing',
              `expected the first row to be seq ${this.startSeq}, got ${seq}`,
            );
      }
      // A checkpoint just before the range pins the start.
      for (const cp of this.bySeq.get(seq - 1) ?? []) {
        if (cp.hash !== this.prevHash)
          return this.fail(
            seq,
            'checkpoint_mismatch',
            `checkpoint at seq ${seq - 1} disagrees with the expected start`,
          );
        this.res.checkpoints_matched++;
      }
    } else if (seq !== this.prevSeq + 1) {
      return seq > this.prevSeq + 1
        ? this.fail(this.prevSeq + 1, 'seq_gap', `seq ${this.prevSeq + 1}..${seq - 1} missing`)
        : this.fail(seq, 'seq_not_increasing', `seq ${seq} follows seq ${this.prevSeq}`);
    }
    return true;
  }

  /** Row `seq`, hash `h`, found sound: holds it to the checkpoints at seq and moves on. */
  private accept(seq: number, h: string): boolean {
    const cps = this.bySeq.get(seq);
    if (cps !== undefined) {
      for (const cp of cps) {
        if (cp.hash !== h) {
          const since =
            this.lastCheckpointSeq === null ? 'the start of the range' : `seq ${this.lastCheckpointSeq + 1}`;
          return this.fail(
            seq,
            'checkpoint_mismatch',
            `signed checkpoint at seq ${seq} disagrees with the chain: rows from ${since} to ${seq} were rewritten and re-chained`,
          );
        }
        this.res.checkpoints_matched++;
        this.lastCheckpointSeq = seq;
      }
    }
    this.prevHash = h;
    this.prevSeq = seq;
    this.res.checked_to = seq;
    this.res.count++;
    return true;
  }

  /** The verdict; also detects a tail truncated before the last signed checkpoint. */
  result(): ChainVerification {
    if (!this.failed && this.maxCheckpointSeq >= 1) {
      const last = this.prevSeq ?? (this.startSeq ?? 1) - 1;
      if (this.maxCheckpointSeq > last) {
        this.fail(
          last + 1,
          'truncated',
          `rows end at seq ${last} but a signed checkpoint covers seq ${this.maxCheckpointSeq}`,
        );
      }
    }
    return { ...this.res };
  }
}

type RowsOrChunks = ChainRow | readonly ChainRow[];

/** Verifies rows (or chunks of rows) from a synchronous iterable. */
export function verifyChainSync(rows: Iterable<RowsOrChunks>, opts: VerifyOptions = {}): ChainVerification {
  const v = new ChainVerifier(opts);
  outer: for (const item of rows) {
    if (v.done) break;
    if (isChunk(item)) {
      for (const r of item) if (!v.push(r)) break outer;
    } else if (!v.push(item)) break;
  }
  return v.result();
}

/**
 * Streams rows (or chunks of rows, as AuditStore.range yields them) from a sync or async iterable
 * and verifies them in one pass with constant memory. Stops reading at the first fault.
 */
export async function verifyChain(
  rows: Iterable<RowsOrChunks> | AsyncIterable<RowsOrChunks>,
  opts: VerifyOptions = {},
): Promise<ChainVerification> {
  if (!(Symbol.asyncIterator in rows)) return verifyChainSync(rows, opts);
  const v = new ChainVerifier(opts);
  outer: for await (const item of rows) {
    if (v.done) break;
    if (isChunk(item)) {
      for (const r of item) if (!v.push(r)) break outer;
    } else if (!v.push(item)) break;
  }
  return v.result();
}

const isChunk = (item: RowsOrChunks): item is readonly ChainRow[] => Array.isArray(item);

/** True for a 64-character lower-case hex SHA-256. */
export const isHashHex = (s: unknown): s is string => typeof s === 'string' && HEX64.test(s);
