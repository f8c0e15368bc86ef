/**
 * RFC 6962 (Certificate Transparency) Merkle tree hashing, with inclusion and consistency proofs.
 *
 *   leaf hash  = SHA-256(0x00 ‖ data)
 *   node hash  = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({})    = SHA-256("")
 *   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])) with k the largest power of two < n
 *
 * Proof generation follows RFC 6962 §2.1.1–2.1.2 (PATH and PROOF); verification follows RFC 9162
 * §2.1.3.2 and §2.1.4.2. Sizes and indexes are plain numbers: arithmetic avoids 32-bit bit
 * operators so trees past 2^31 leaves stay correct. Over the audit log, a leaf is a row's hash, so
 * an exported tree head lets an auditor check one row's inclusion or that a later log extends an
 * earlier one.
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** SHA-256(0x00 ‖ data). */
export const leafHash = (data: Uint8Array): Buffer =>
  createHash('sha256').update(LEAF_PREFIX).update(data).digest();

/** SHA-256(0x01 ‖ left ‖ right). */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer =>
  createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();

/** SHA-256 of the empty string: the root of an empty tree. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** Largest power of two strictly less than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** MTH over leaf hashes [from, to). */
function subtreeRoot(hashes: readonly Uint8Array[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return Buffer.from(hashes[from] as Uint8Array);
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(hashes, from, from + k), subtreeRoot(hashes, from + k, to));
}

/** Root of the tree whose leaves have these leaf hashes. */
export const rootFromLeafHashes = (hashes: readonly Uint8Array[]): Buffer =>
  subtreeRoot(hashes, 0, hashes.length);

/** Root of the tree over raw leaf data. */
export const merkleRoot = (leaves: readonly Uint8Array[]): Buffer => rootFromLeafHashes(leaves.map(leafHash));

/** RFC 6962 PATH(m, D[n]): audit path for leaf `index` of the tree over `hashes` (leaf hashes). */
export function inclusionProof(hashes: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= hashes.length)
    throw new RangeError(`leaf index ${index} is outside a tree of ${hashes.length}`);
  const path: Buffer[] = [];
  const walk = (m: number, from: number, to: number): void => {
    const n = to - from;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, from, from + k);
      path.push(subtreeRoot(hashes, from + k, to));
    } else {
      walk(m - k, from + k, to);
      path.push(subtreeRoot(hashes, from, from + k));
    }
  };
  walk(index, 0, hashes.length);
  return path;
}

/** RFC 6962 PROOF(m, D[n]): consistency proof that the first `size1` leaves are a prefix of all of `hashes`. */
export function consistencyProof(hashes: readonly Uint8Array[], size1: number): Buffer[] {
  const n = hashes.length;
  if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > n)
    throw new RangeError(`old size ${size1} is outside 0..${n}`);
  if (size1 === 0 || size1 === n) return [];
  const proof: Buffer[] = [];
  const sub = (m: number, from: number, to: number, complete: boolean): void => {
    const size = to - from;
    if (m === size) {
      if (!complete) proof.push(subtreeRoot(hashes, from, to));
      return;
    }
    const k = splitPoint(size);
    if (m <= k) {
      sub(m, from, from + k, complete);
      proof.push(subtreeRoot(hashes, from + k, to));
    } else {
      sub(m - k, from + k, to, false);
      proof.push(subtreeRoot(hashes, from, from + k));
    }
  };
  sub(size1, 0, n, true);
  return proof;
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;

/** RFC 9162 §2.1.3.2: does `proof` show leaf hash `leaf` at `index` in the tree of `treeSize` with `root`? */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize)
    return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (size2, root2) extends the tree (size1, root1)? */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1)
    return false;
  if (size1 === size2) return proof.length === 0 && equal(root1, root2);
  if (size1 === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  // When size1 is a power of two, the old root itself is the first node of the path.
  const path: Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(fr, root1) && equal(sr, root2);
}

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
