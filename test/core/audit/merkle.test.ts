import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  merkleRoot,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/core/audit/merkle.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';

interface Vectors {
  leaf_inputs_hex: string[];
  root_hash_by_tree_size_hex: string[];
  inclusion_proofs_derived: Array<{
    leaf_index: number;
    tree_size: number;
    leaf_input_hex: string;
    root_hex: string;
    proof_hex: string[];
  }>;
  consistency_proofs_derived: Array<{
    size1: number;
    size2: number;
    root1_hex: string;
    root2_hex: string;
    proof_hex: string[];
  }>;
}

const hex = (h: string) => Buffer.from(h, 'hex');
const toHex = (bs: Uint8Array[]) => bs.map((b) => Buffer.from(b).toString('hex'));

describeWithSharedData('RFC 6962 Merkle tree against the transparency-dev vectors', () => {
  let v: Vectors;
  let leaves: Buffer[];

  beforeAll(() => {
    v = JSON.parse(
      readFileSync(sharedPath('vuln', 'merkle', 'rfc6962_test_vectors.json'), 'utf8'),
    ) as Vectors;
    leaves = v.leaf_inputs_hex.map(hex);
  });

  it('computes every root, sizes 0 to 8', () => {
    expect(v.root_hash_by_tree_size_hex).toHaveLength(9);
    v.root_hash_by_tree_size_hex.forEach((root, n) =>
      expect(merkleRoot(leaves.slice(0, n)).toString('hex'), `size ${n}`).toBe(root),
    );
    expect(EMPTY_ROOT.toString('hex')).toBe(v.root_hash_by_tree_size_hex[0]);
  });

  it('generates and verifies all 36 inclusion proofs', () => {
    expect(v.inclusion_proofs_derived).toHaveLength(36);
    for (const c of v.inclusion_proofs_derived) {
      const hashes = leaves.slice(0, c.tree_size).map(leafHash);
      const proof = inclusionProof(hashes, c.leaf_index);
      expect(toHex(proof), `${c.leaf_index}/${c.tree_size}`).toEqual(c.proof_hex);
      expect(
        verifyInclusion(
          leafHash(hex(c.leaf_input_hex)),
          c.leaf_index,
          c.tree_size,
          c.proof_hex.map(hex),
          hex(c.root_hex),
        ),
      ).toBe(true);
    }
  });

  it('rejects inclusion proofs for the wrong leaf, index, size, root, or with a changed or missing node', () => {
    for (const c of v.inclusion_proofs_derived.filter((x) => x.tree_size > 1)) {
      const proof = c.proof_hex.map(hex);
      const leaf = leafHash(hex(c.leaf_input_hex));
      const root = hex(c.root_hex);
      expect(verifyInclusion(leafHash(Buffer.from('other')), c.leaf_index, c.tree_size, proof, root)).toBe(
        false,
      );
      expect(verifyInclusion(leaf, (c.leaf_index + 1) % c.tree_size, c.tree_size, proof, root)).toBe(false);
      // A size travels with its root (a signed tree head): claim the next size with that size's root.
      const nextRoot = v.root_hash_by_tree_size_hex[c.tree_size + 1];
      if (nextRoot)
        expect(verifyInclusion(leaf, c.leaf_index, c.tree_size + 1, proof, hex(nextRoot))).toBe(false);
      expect(
        verifyInclusion(
          leaf,
          c.leaf_index,
          c.tree_size,
          proof,
          hex(v.root_hash_by_tree_size_hex[0] as string),
        ),
      ).toBe(false);
      expect(verifyInclusion(leaf, c.leaf_index, c.tree_size, proof.slice(1), root)).toBe(false);
      const bent = proof.map((p, i) => (i === 0 ? Buffer.from(p.map((b, j) => (j === 0 ? b ^ 1 : b))) : p));
      expect(verifyInclusion(leaf, c.leaf_index, c.tree_size, bent, root)).toBe(false);
      // the raw (unprefixed) leaf data instead of its leaf hash: second-preimage defence
      expect(verifyInclusion(hex(c.leaf_input_hex), c.leaf_index, c.tree_size, proof, root)).toBe(false);
    }
  });

  it('generates and verifies all 28 consistency proofs', () => {
    expect(v.consistency_proofs_derived).toHaveLength(28);
    for (const c of v.consistency_proofs_derived) {
      const hashes = leaves.slice(0, c.size2).map(leafHash);
      expect(toHex(consistencyProof(hashes, c.size1)), `${c.size1}->${c.size2}`).toEqual(c.proof_hex);
      expect(
        verifyConsistency(c.size1, c.size2, hex(c.root1_hex), hex(c.root2_hex), c.proof_hex.map(hex)),
      ).toBe(true);
    }
  });

  it('rejects consistency proofs with the wrong sizes, roots, or a changed node', () => {
    for (const c of v.consistency_proofs_derived) {
      const proof = c.proof_hex.map(hex);
      const r1 = hex(c.root1_hex);
      const r2 = hex(c.root2_hex);
      expect(verifyConsistency(c.size1, c.size2, r2, r2, proof)).toBe(false);
      expect(verifyConsistency(c.size1, c.size2, r1, r1, proof)).toBe(false);
      const nextRoot = v.root_hash_by_tree_size_hex[c.size2 + 1];
      if (nextRoot) expect(verifyConsistency(c.size1, c.size2 + 1, r1, hex(nextRoot), proof)).toBe(false);
      if (c.size1 > 1)
        expect(
          verifyConsistency(
            c.size1 - 1,
            c.size2,
            hex(v.root_hash_by_tree_size_hex[c.size1 - 1] as string),
            r2,
            proof,
          ),
        ).toBe(false);
      const bent = proof.map((p, i) =>
        i === proof.length - 1 ? Buffer.from(p.map((b, j) => (j === 0 ? b ^ 1 : b))) : p,
      );
      expect(verifyConsistency(c.size1, c.size2, r1, r2, bent)).toBe(false);
    }
  });
});

describe('Merkle edge cases and larger trees', () => {
  it('handles equal and empty sizes', () => {
    const hashes = [1, 2, 3].map((i) => leafHash(Buffer.from([i])));
    const root = rootFromLeafHashes(hashes);
    expect(consistencyProof(hashes, 3)).toEqual([]);
    expect(verifyConsistency(3, 3, root, root, [])).toBe(true);
    expect(verifyConsistency(3, 3, root, EMPTY_ROOT, [])).toBe(false);
    expect(verifyConsistency(0, 3, EMPTY_ROOT, root, [])).toBe(true);
    expect(verifyConsistency(4, 3, root, root, [])).toBe(false);
    expect(() => inclusionProof(hashes, 3)).toThrow(RangeError);
    expect(verifyInclusion(hashes[0] as Buffer, 0, 1, [], hashes[0] as Buffer)).toBe(true);
  });

  it('round-trips every inclusion and consistency proof of a 37-leaf tree', () => {
    const hashes = Array.from({ length: 37 }, (_, i) => leafHash(Buffer.from(`row-${i}`)));
    const roots = Array.from({ length: 38 }, (_, n) => rootFromLeafHashes(hashes.slice(0, n)));
    for (let n = 1; n <= 37; n++) {
      for (let i = 0; i < n; i++)
        expect(
          verifyInclusion(
            hashes[i] as Buffer,
            i,
            n,
            inclusionProof(hashes.slice(0, n), i),
            roots[n] as Buffer,
          ),
        ).toBe(true);
      for (let m = 1; m <= n; m++)
        expect(
          verifyConsistency(
            m,
            n,
            roots[m] as Buffer,
            roots[n] as Buffer,
            consistencyProof(hashes.slice(0, n), m),
          ),
          `${m}->${n}`,
        ).toBe(true);
    }
  });
});
