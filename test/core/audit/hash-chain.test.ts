import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from '../../../src/core/audit/checkpoint.js';
import { canonicalJson } from '../../../src/core/audit/canonical-json.js';
import {
  GENESIS_HASH,
  canonicalRowBody,
  chainLink,
  chainRows,
  hashRow,
  verifyChain,
  verifyChainSync,
} from '../../../src/core/audit/hash-chain.js';
import type { ChainRow } from '../../../src/core/audit/types.js';
import { clone, makeRows } from './support/rows.js';

const keys = generateKeyPairSync('ed25519');
const checkpointAt = (rows: ChainRow[], seq: number, key = keys.privateKey) =>
  signCheckpoint(
    { seq, hash: (rows[seq - 1] as ChainRow).hash, time: 1_714_570_000_000, key_id: 'audit', key_version: 1 },
    key,
  );
const withCheckpoints = (rows: ChainRow[], ...seqs: number[]) => ({
  checkpoints: seqs.map((s) => checkpointAt(rows, s)),
  publicKey: keys.publicKey,
});

describe('hashRow', () => {
  it('is SHA-256 over prev_hash ‖ canonical JSON of the row without hash', () => {
    const [row] = makeRows(1) as [ChainRow];
    const body = canonicalRowBody(row);
    expect(body).toBe(
      '{"action":"POST /v1/messages #0","event_type":"auth_failure","id":"0190a5d0-0000-7000-8000-000000000001","metadata":{"attempt":0,"path":"/v1/messages"},' +
        `"outcome":"allowed","prev_hash":"${GENESIS_HASH}","seq":1,"source_ip":"2001:db8::1","timestamp":1714566600000,"user_id":null}`,
    );
    expect(row.hash).toBe(
      createHash('sha256')
        .update(GENESIS_HASH + body)
        .digest('hex'),
    );
    expect(hashRow(GENESIS_HASH, row)).toBe(row.hash);
  });

  it('hashes metadata held as an object the same as its canonical text', () => {
    const [row] = makeRows(1) as [ChainRow];
    expect(hashRow(row.prev_hash, { ...row, metadata: { path: '/v1/messages', attempt: 0 } })).toBe(row.hash);
  });

  it('escapes every string, so a crafted field cannot shift the field boundaries', () => {
    const [row] = makeRows(1) as [ChainRow];
    const crafted = { ...row, action: 'x","event_type":"auth_success' };
    expect(canonicalRowBody(crafted)).toContain('"action":"x\\",\\"event_type\\":\\"auth_success"');
  });

  it('builds exactly canonical JSON of the row, whichever text field needs escaping', () => {
    const rows = makeRows(2);
    const fields = ['action', 'event_type', 'id', 'outcome', 'prev_hash', 'source_ip', 'user_id'] as const;
    const awkward = [
      'a"b',
      'a\\b',
      'line\nbreak',
      'nul\u0000',
      'del\u007f',
      'sep\u2028',
      'lone\ud800',
      'é ✓ 😀',
    ];
    for (const row of rows) {
      for (const field of fields) {
        for (const text of awkward) {
          const { hash: _hash, ...withoutHash } = { ...row, [field]: text };
          const expected = canonicalJson({ ...withoutHash, metadata: JSON.parse(row.metadata as string) });
          expect(canonicalRowBody(withoutHash)).toBe(expected);
        }
      }
    }
  });

  it('matches the store port ChainLink', () => {
    const rows = makeRows(3);
    const r2 = rows[1] as ChainRow;
    const { seq, prev_hash, hash, ...draft } = r2;
    expect(chainLink({ ...draft, metadata: r2.metadata as string }, seq, prev_hash)).toBe(hash);
  });
});

describe('verifyChain: a sound chain', () => {
  it('accepts an intact chain and reports its range', async () => {
    const rows = makeRows(50);
    expect(await verifyChain(rows)).toEqual({
      ok: true,
      checked_from: 1,
      checked_to: 50,
      count: 50,
      checkpoints_matched: 0,
    });
  });

  it('streams an async iterable of chunks (as AuditStore.range yields) and matches checkpoints', async () => {
    const rows = makeRows(100);
    async function* chunks() {
      for (let i = 0; i < rows.length; i += 30) yield rows.slice(i, i + 30);
    }
    const res = await verifyChain(chunks(), withCheckpoints(rows, 10, 60, 100));
    expect(res).toMatchObject({ ok: true, count: 100, checkpoints_matched: 3 });
  });

  it('verifies a range that starts mid-chain from the previous hash', () => {
    const rows = makeRows(40);
    const tail = rows.slice(20);
    expect(verifyChainSync(tail, { expectedStartPrevHash: (rows[19] as ChainRow).hash })).toMatchObject({
      ok: true,
      checked_from: 21,
      checked_to: 40,
      count: 20,
    });
    expect(verifyChainSync(tail)).toMatchObject({ ok: false, reason: 'seq_gap', first_bad_seq: 1 });
  });

  it('accepts an empty log, and continues a chain across appends', () => {
    expect(verifyChainSync([])).toEqual({
      ok: true,
      checked_from: null,
      checked_to: null,
      count: 0,
      checkpoints_matched: 0,
    });
    const first = makeRows(5);
    const last = first[4] as ChainRow;
    const more = makeRows(5, { seq: last.seq, hash: last.hash });
    expect(verifyChainSync([...first, ...more])).toMatchObject({ ok: true, count: 10 });
  });
});

describe('verifyChain: tampering', () => {
  it('an edited row (action, metadata, outcome, timestamp, user) is a hash mismatch at that seq', () => {
    const rows = makeRows(20);
    const edits: Array<(r: ChainRow) => void> = [
      (r) => (r.action = `${r.action}!`),
      (r) => (r.metadata = '{"attempt":0,"path":"/v1/other"}'),
      (r) => (r.outcome = 'allowed'),
      (r) => (r.timestamp += 1),
      (r) => (r.user_id = 'someone-else'),
      (r) => (r.source_ip = '198.51.100.1'),
    ];
    for (const edit of edits) {
      const t = clone(rows);
      edit(t[7] as ChainRow);
      expect(verifyChainSync(t)).toMatchObject({
        ok: false,
        reason: 'hash_mismatch',
        first_bad_seq: 8,
        checked_to: 7,
        count: 7,
      });
    }
  });

  it('a deleted row is a seq gap', () => {
    const t = makeRows(20);
    t.splice(5, 1);
    expect(verifyChainSync(t)).toMatchObject({ ok: false, reason: 'seq_gap', first_bad_seq: 6 });
  });

  it('a deleted row with the rest renumbered no longer links', () => {
    const t = makeRows(20);
    t.splice(5, 1);
    t.forEach((r, i) => (r.seq = i + 1));
    expect(verifyChainSync(t)).toMatchObject({ ok: false, reason: 'prev_hash_mismatch', first_bad_seq: 6 });
  });

  it('an inserted row is caught (duplicate seq, or a forged link)', () => {
    const rows = makeRows(20);
    const dup = clone(rows);
    dup.splice(10, 0, { ...(rows[9] as ChainRow), action: 'forged' });
    expect(verifyChainSync(dup)).toMatchObject({
      ok: false,
      reason: 'seq_not_increasing',
      first_bad_seq: 10,
    });
    // A well-formed forged row linked to row 10 and hashed correctly, the rest renumbered:
    const forged = clone(rows);
    const [fake] = chainRows([{ ...(rows[10] as ChainRow), action: 'forged' }], {
      seq: 10,
      hash: (rows[9] as ChainRow).hash,
    });
    forged.splice(10, 0, fake as ChainRow);
    forged.forEach((r, i) => (r.seq = i + 1));
    expect(verifyChainSync(forged)).toMatchObject({
      ok: false,
      reason: 'prev_hash_mismatch',
      first_bad_seq: 12,
    });
  });

  it('swapped rows are caught, renumbered or not', () => {
    const t = makeRows(20);
    [t[4], t[5]] = [t[5] as ChainRow, t[4] as ChainRow];
    // seq 4 is followed by seq 6: reported as the gap where seq 5 should be.
    expect(verifyChainSync(t)).toMatchObject({
      ok: false,
      reason: 'seq_gap',
      first_bad_seq: 5,
      checked_to: 4,
    });
    const renumbered = makeRows(20);
    [renumbered[4], renumbered[5]] = [renumbered[5] as ChainRow, renumbered[4] as ChainRow];
    (renumbered[4] as ChainRow).seq = 5;
    (renumbered[5] as ChainRow).seq = 6;
    expect(verifyChainSync(renumbered)).toMatchObject({
      ok: false,
      reason: 'prev_hash_mismatch',
      first_bad_seq: 5,
    });
  });

  it('a truncated tail is caught against the last signed checkpoint, not without one', () => {
    const rows = makeRows(30);
    const cps = withCheckpoints(rows, 10, 25);
    expect(verifyChainSync(rows.slice(0, 22))).toMatchObject({ ok: true });
    expect(verifyChainSync(rows.slice(0, 22), cps)).toMatchObject({
      ok: false,
      reason: 'truncated',
      first_bad_seq: 23,
      checked_to: 22,
    });
    expect(verifyChainSync([], cps)).toMatchObject({ ok: false, reason: 'truncated', first_bad_seq: 1 });
  });

  it('a re-chained tail (self-consistent after an edit) is caught by the next signed checkpoint', () => {
    const rows = makeRows(30);
    const cps = withCheckpoints(rows, 10, 20);
    // Rewrite row 14 and recompute every hash after it: the chain alone looks sound.
    const t = clone(rows);
    const drafts = t.slice(13).map(({ seq: _s, prev_hash: _p, hash: _h, ...d }) => d);
    (drafts[0] as { action: string }).action = 'covered up';
    const rechained = [...t.slice(0, 13), ...chainRows(drafts, { seq: 13, hash: (t[12] as ChainRow).hash })];
    expect(verifyChainSync(rechained)).toMatchObject({ ok: true, count: 30 });
    const res = verifyChainSync(rechained, cps);
    expect(res).toMatchObject({
      ok: false,
      reason: 'checkpoint_mismatch',
      first_bad_seq: 20,
      checked_to: 19,
    });
    expect(res.detail).toContain('from seq 11 to 20');
  });

  it('a forged checkpoint (bad signature, wrong key, altered payload) is refused before any row is read', () => {
    const rows = makeRows(10);
    const good = checkpointAt(rows, 5);
    const other = generateKeyPairSync('ed25519');
    const forgedByOtherKey = checkpointAt(rows, 8, other.privateKey);
    const altered = { ...good, seq: 6, hash: (rows[5] as ChainRow).hash };
    const flipped = {
      ...good,
      signature: Buffer.from(
        Buffer.from(good.signature, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b)),
      ).toString('base64'),
    };
    for (const cp of [forgedByOtherKey, altered, flipped]) {
      expect(verifyChainSync(rows, { checkpoints: [good, cp], publicKey: keys.publicKey })).toMatchObject({
        ok: false,
        reason: 'checkpoint_signature_invalid',
        first_bad_seq: cp.seq,
        count: 0,
      });
    }
  });

  it('checkpoints without a public key, or with an unknown key id, are reported, not trusted', () => {
    const rows = makeRows(5);
    const cp = checkpointAt(rows, 3);
    expect(verifyChainSync(rows, { checkpoints: [cp] })).toMatchObject({
      ok: false,
      reason: 'checkpoint_key_unknown',
    });
    const lookup = (id: string, v: number) => (id === 'audit' && v === 1 ? keys.publicKey : undefined);
    expect(verifyChainSync(rows, { checkpoints: [cp], publicKey: lookup })).toMatchObject({
      ok: true,
      checkpoints_matched: 1,
    });
    expect(
      verifyChainSync(rows, { checkpoints: [{ ...cp, key_version: 2 }], publicKey: lookup }),
    ).toMatchObject({ ok: false, reason: 'checkpoint_key_unknown' });
  });

  it('a checkpoint just before a mid-chain range pins the expected start', () => {
    const rows = makeRows(20);
    const cps = withCheckpoints(rows, 10);
    expect(
      verifyChainSync(rows.slice(10), { ...cps, expectedStartPrevHash: (rows[9] as ChainRow).hash }),
    ).toMatchObject({ ok: true, checkpoints_matched: 1 });
    expect(
      verifyChainSync(rows.slice(10), { ...cps, expectedStartPrevHash: (rows[8] as ChainRow).hash }),
    ).toMatchObject({ ok: false, reason: 'checkpoint_mismatch' });
  });

  it('a malformed row (seq not a number, bad field type) is reported, not thrown', () => {
    const t = makeRows(5);
    (t[2] as unknown as { timestamp: string }).timestamp = 'yesterday';
    expect(verifyChainSync(t)).toMatchObject({ ok: false, reason: 'malformed_row', first_bad_seq: 3 });
    const u = makeRows(5);
    (u[1] as unknown as { seq: string }).seq = '2';
    expect(verifyChainSync(u)).toMatchObject({ ok: false, reason: 'malformed_row', first_bad_seq: 2 });
  });
});

describe('verifyChain at volume', () => {
  // Throughput is measured in bench/ (npm run bench:audit); here, that 100,000 rows verify whole.
  it('verifies 100,000 rows, synchronously and streamed in chunks', async () => {
    const rows = JSON.parse(JSON.stringify(makeRows(100_000))) as ChainRow[];
    expect(verifyChainSync(rows)).toMatchObject({ ok: true, count: 100_000 });
    const chunks = Array.from({ length: 100 }, (_, i) => rows.slice(i * 1000, (i + 1) * 1000));
    async function* stream() {
      yield* chunks;
    }
    expect(await verifyChain(stream())).toMatchObject({ ok: true, count: 100_000 });
  });
});
