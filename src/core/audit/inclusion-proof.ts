/**
 * Proving one audit row to an auditor without handing over the log: an RFC 6962 inclusion proof
 * over the tree whose leaves are the rows' chain hashes (leaf i = row seq i+1; leaf hash =
 * SHA-256(0x00 ‖ 32 bytes of the row hash)). The proof carries the row itself, so the checker
 * recomputes the row's hash from its content first: an edited row cannot reuse a genuine leaf.
 *
 * What the proof shows: the row, unchanged, is leaf `leaf_index` of the tree with `root` and
 * `tree_size`. Trust in the root comes from outside (a root the auditor computed from an export
 * they verified, or one published earlier); see docs/DECISIONS.md.
 */
import { hashRow } from './hash-chain.js';
import { inclusionProof, leafHash, rootFromLeafHashes, verifyInclusion } from './merkle.js';
import type { ChainRow } from './types.js';

export interface InclusionProof {
  seq: number;
  leaf_index: number;
  tree_size: number;
  /** Hex SHA-256(0x00 ‖ row hash bytes). */
  leaf_hash: string;
  /** Hex Merkle tree hash over leaves 1..tree_size. */
  root: string;
  /** Hex sibling hashes, leaf to root (RFC 6962 PATH). */
  audit_path: string[];
  /** The row as stored (metadata as its canonical JSON text). */
  row: ChainRow;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The proof for `row` in the tree over `rowHashes` (hex chain hashes of rows 1..n in order). */
export function buildInclusionProof(rowHashes: readonly string[], row: ChainRow): InclusionProof {
  const leaves = rowHashes.map((h) => leafHash(Buffer.from(h, 'hex')));
  const index = row.seq - 1;
  return {
    seq: row.seq,
    leaf_index: index,
    tree_size: leaves.length,
    leaf_hash: hex(leaves[index]!),
    root: hex(rootFromLeafHashes(leaves)),
    audit_path: inclusionProof(leaves, index).map(hex),
    row,
  };
}

export type ProofCheck = { ok: true } | { ok: false; reason: string };

const HEX64 = /^[0-9a-f]{64}$/;

/** Checks a proof offline: the row's own hash, its leaf, and the path up to `expectedRoot` (default: the proof's root). */
export function checkInclusionProof(proof: InclusionProof, expectedRoot?: string): ProofCheck {
  const root = expectedRoot ?? proof.root;
  if (!HEX64.test(root) || !proof.audit_path.every((p) => HEX64.test(p)))
    return { ok: false, reason: 'root and audit_path must be 64-digit hex hashes' };
  if (expectedRoot !== undefined && expectedRoot !== proof.root)
    return { ok: false, reason: 'the proof is for a different root' };
  const row = proof.row;
  let recomputed: string;
  try {
    recomputed = hashRow(row.prev_hash, row);
  } catch {
    return { ok: false, reason: 'the row is malformed' };
  }
  if (recomputed !== row.hash) return { ok: false, reason: 'the row does not match its hash (altered)' };
  if (proof.leaf_index !== row.seq - 1) return { ok: false, reason: 'leaf_index does not match the row seq' };
  const leaf = leafHash(Buffer.from(row.hash, 'hex'));
  if (hex(leaf) !== proof.leaf_hash) return { ok: false, reason: 'leaf_hash does not match the row hash' };
  const ok = verifyInclusion(
    leaf,
    proof.leaf_index,
    proof.tree_size,
    proof.audit_path.map((p) => Buffer.from(p, 'hex')),
    Buffer.from(root, 'hex'),
  );
  return ok ? { ok: true } : { ok: false, reason: 'the audit path does not lead to the root' };
}
