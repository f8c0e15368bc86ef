/**
 * Verifying sealed rows ([seq, body, hash], as the SQLite store keeps them) gives exactly the
 * verdict the row verifier gives on the rows those bodies describe — sound or not, same first bad
 * seq, reason and detail — and catches what only a stored body can get wrong (a body naming
 * another seq or prev_hash, a body that is not a JSON object).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from '../../../src/core/audit/checkpoint.js';
import { ChainVerifier, canonicalRowBody, chainRows, chainSeal } from '../../../src/core/audit/hash-chain.js';
import { type LedgerVerifyInput, verifyLedger } from '../../../src/core/audit/ledger-verify.js';
import type { SealedRow } from '../../../src/core/ports/audit-store.js';
import type { ChainRow } from '../../../src/core/audit/types.js';
import { clone, makeRows } from './support/rows.js';

const keys = generateKeyPairSync('ed25519');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const seal = (rows: ChainRow[]): SealedRow[] => rows.map((r) => [r.seq, canonicalRowBody(r), r.hash]);

function input(
  rows: ChainRow[],
  cps: number[] = [],
  over: Partial<LedgerVerifyInput> = {},
): LedgerVerifyInput {
  return {
    from: 1,
    to: rows.length,
    startPrevHash: '0'.repeat(64),
    checkpoints: cps.map((seq) =>
      signCheckpoint(
        { seq, hash: rows[seq - 1]!.hash, time: 1, key_id: 'audit', key_version: 1 },
        keys.privateKey,
      ),
    ),
    toIsHead: true,
    publicKey: keys.publicKey,
    ...over,
  };
}

/** Both verdicts over the same (possibly tampered) rows, chunked as the stores chunk them. */
async function both(rows: ChainRow[], inp: LedgerVerifyInput, sealed = seal(rows)) {
  const chunks = <T>(xs: T[]) =>
    Array.from({ length: Math.ceil(xs.length / 7) }, (_, i) => xs.slice(i * 7, i * 7 + 7));
  return {
    rows: await verifyLedger(chunks(rows), inp),
    sealed: await verifyLedger(chunks(sealed), inp),
  };
}

describe('sealed rows verify as the rows they describe', () => {
  const sound = makeRows(50);

  it('a sound chain, checkpoints and a sub-range', async () => {
    const v = await both(sound, input(sound, [20, 50]));
    expect(v.sealed).toEqual(v.rows);
    expect(v.sealed).toMatchObject({ ok: true, checked: 50, checkpoints_checked: 2 });
    const tail = sound.slice(9);
    const sub = await both(tail, input(sound, [20], { from: 10, startPrevHash: sound[8]!.hash, to: 50 }));
    expect(sub.sealed).toEqual(sub.rows);
    expect(sub.sealed).toMatchObject({ ok: true, checked: 41 });
  });

  const cases: Array<[string, (t: ChainRow[]) => ChainRow[]]> = [
    ['an edited field', (t) => ((t[6]!.action = 'edited'), t)],
    ['an edited metadata text', (t) => ((t[30]!.metadata = '{"attempt":9}'), t)],
    ['a deleted row', (t) => [...t.slice(0, 11), ...t.slice(12)]],
    ['a deleted first row', (t) => t.slice(1)],
    ['a truncated tail', (t) => t.slice(0, 35)],
    ['a duplicated row', (t) => [...t.slice(0, 20), t[19]!, ...t.slice(20)]],
    [
      'two rows swapped',
      (t) => {
        [t[19], t[20]] = [t[20]!, t[19]!];
        return t;
      },
    ],
    [
      'two rows swapped and renumbered',
      (t) => {
        [t[19], t[20]] = [t[20]!, t[19]!];
        t[19]!.seq = 20;
        t[20]!.seq = 21;
        return t;
      },
    ],
    [
      'an inserted row, later rows renumbered',
      (t) => {
        const forged = chainRows([{ ...t[14]!, id: 'forged' }], { seq: 15, hash: t[14]!.hash })[0]!;
        return [...t.slice(0, 15), forged, ...t.slice(15).map((r) => ({ ...r, seq: r.seq + 1 }))];
      },
    ],
    [
      'a re-chained tail',
      (t) => {
        const drafts = t.slice(24).map(({ seq: _s, prev_hash: _p, hash: _h, ...d }) => d);
        drafts[0]!.action = 'covered up';
        return [...t.slice(0, 24), ...chainRows(drafts, { seq: 24, hash: t[23]!.hash })];
      },
    ],
    ['a timestamp of the wrong type', (t) => ((t[12]!.timestamp = 'soon' as never), t)],
  ];
  for (const [name, tamper] of cases) {
    it(`${name}: the same verdict`, async () => {
      const t = tamper(clone(sound));
      // A body the forger wrote from the tampered row (canonical), or, when it cannot be
      // canonicalised, its raw values (what migration 006 stores for such a row).
      const sealed = t.map((r): SealedRow => {
        let body: string;
        try {
          body = canonicalRowBody(r);
        } catch {
          body = JSON.stringify({ ...r, hash: undefined, metadata: JSON.parse(r.metadata as string) });
        }
        return [r.seq, body, r.hash];
      });
      const v = await both(t, input(sound, [20, 40]), sealed);
      expect(v.rows.ok).toBe(false);
      expect(v.sealed).toEqual(v.rows);
    });
  }
});

describe('what only a stored body can get wrong', () => {
  const rows = makeRows(10);
  const push = (sealed: SealedRow[]) => {
    const v = new ChainVerifier();
    for (const s of sealed) if (!v.pushSealed(...s)) break;
    return v.result();
  };
  const at = (i: number, f: (s: SealedRow) => SealedRow) => seal(rows).map((s, j) => (j === i ? f(s) : s));

  it('a body naming another seq than its row: hash_mismatch at the row', () => {
    // Row 5's seq column says 5, its body (correctly hashed by a forger) says 6.
    const body = canonicalRowBody({ ...rows[4]!, seq: 6 });
    expect(push(at(4, () => [5, body, sha(rows[3]!.hash + body)]))).toMatchObject({
      ok: false,
      first_bad_seq: 5,
      reason: 'hash_mismatch',
    });
  });

  it('a body naming another prev_hash, hashed after the real one: prev_hash_mismatch', () => {
    const body = canonicalRowBody({ ...rows[4]!, prev_hash: 'e'.repeat(64) });
    expect(push(at(4, () => [5, body, sha(rows[3]!.hash + body)]))).toMatchObject({
      ok: false,
      first_bad_seq: 5,
      reason: 'prev_hash_mismatch',
    });
  });

  it('a body with a leading zero in its seq, correctly hashed: malformed_row (not JSON)', () => {
    const body = canonicalRowBody(rows[4]!).replace('"seq":5,', '"seq":05,');
    expect(push(at(4, () => [5, body, sha(rows[3]!.hash + body)]))).toMatchObject({
      ok: false,
      first_bad_seq: 5,
      reason: 'malformed_row',
      detail: 'row 5: body is not JSON',
    });
  });

  it('a body that is not a JSON object: malformed_row, after the seq checks', () => {
    expect(push(at(4, ([s, , h]) => [s, 'not json', h]))).toMatchObject({
      first_bad_seq: 5,
      reason: 'malformed_row',
      detail: 'row 5: body is not JSON',
    });
    expect(push(at(4, ([s, , h]) => [s, '[1,2]', h]))).toMatchObject({
      reason: 'malformed_row',
      detail: 'row 5: body is not a JSON object',
    });
    expect(push(at(4, ([s, , h]) => [s, 42 as never, h]))).toMatchObject({
      reason: 'malformed_row',
      detail: 'row 5: body is not text',
    });
    // A missing row before a malformed one is the fault named first.
    const gap = seal(rows).filter((_, j) => j !== 3);
    gap[3] = [5, 'not json', gap[3]![2]];
    expect(push(gap)).toMatchObject({ first_bad_seq: 4, reason: 'seq_gap' });
  });

  it('a body whose metadata is a JSON string spelling the metadata text: hash_mismatch (no laundering)', () => {
    const r = rows[4]!;
    const body = canonicalRowBody(r).replace(
      `"metadata":${r.metadata as string}`,
      `"metadata":${JSON.stringify(r.metadata)}`,
    );
    expect(push(at(4, ([s, , h]) => [s, body, h]))).toMatchObject({
      first_bad_seq: 5,
      reason: 'hash_mismatch',
    });
  });

  it('a body reformatted without changing a value: hash_mismatch (the stored text is the evidence)', () => {
    // Pretty-printed, keys reordered or 1 written as 1.0: the same values, another text. The old
    // fallback re-canonicalised the parsed body and accepted it, so a migration or an edit that
    // reformats a row hid what the old verifier reported (new-user trial, D2).
    const canonical = canonicalRowBody(rows[4]!);
    for (const body of [
      JSON.stringify(JSON.parse(canonical), null, 1),
      JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(canonical) as object).reverse())),
      canonical.replace('"timestamp":', ' "timestamp":'),
    ]) {
      expect(body).not.toBe(canonical);
      expect(push(at(4, ([s, , h]) => [s, body, h]))).toMatchObject({
        ok: false,
        first_bad_seq: 5,
        reason: 'hash_mismatch',
      });
    }
  });

  it('a body with a duplicated key, its last copy the original: hash_mismatch (trial D1)', () => {
    // SQLite's json_extract (the generated columns: what every query shows) reads the FIRST copy of
    // a key, JSON.parse the last: the forged first copy must not pass as the original row.
    const canonical = canonicalRowBody(rows[4]!);
    const forged = `{"action":"EVIL","user_id":"mallory","source_ip":"6.6.6.6",${canonical.slice(1)}`;
    expect(push(at(4, ([s, , h]) => [s, forged, h]))).toMatchObject({
      ok: false,
      first_bad_seq: 5,
      reason: 'hash_mismatch',
    });
    // Another seq spelled first inside the body, the real one last: the same.
    const seqForged = canonical.replace('{"action":', '{"seq":6,"action":');
    expect(push(at(4, ([s, , h]) => [s, seqForged, h]))).toMatchObject({
      ok: false,
      first_bad_seq: 5,
      reason: 'hash_mismatch',
    });
  });

  it('chainSeal returns the body its hash covers', () => {
    const r = rows[2]!;
    const { body, hash } = chainSeal(r as never, r.seq, r.prev_hash);
    expect(body).toBe(canonicalRowBody(r));
    expect(hash).toBe(r.hash);
    expect(sha(r.prev_hash + body)).toBe(hash);
  });
});
