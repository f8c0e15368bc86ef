/**
 * Migration 006 over a ledger as release 005 left it (eleven stored columns, written here the way
 * the 005 store wrote them): the rows read back identical (values and types), verify gives the same
 * verdict as the 005 verifier did — sound, or the same first bad seq, reason and detail for a
 * tampered row, including rows that cannot be canonicalised — and an inclusion proof made before
 * still checks against the proof made after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { openSqlDatabase } from '../../src/adapters/sql/dialect.js';
import { migrateToLatest } from '../../src/adapters/sql/migrate.js';
import { bodyOfOldRow } from '../../src/adapters/sql/migrations/006_audit_body.js';
import { signCheckpoint } from '../../src/core/audit/checkpoint.js';
import { GENESIS_HASH, canonicalRowBody, chainRows } from '../../src/core/audit/hash-chain.js';
import { buildInclusionProof, checkInclusionProof } from '../../src/core/audit/inclusion-proof.js';
import { type LedgerVerification, verifyLedger } from '../../src/core/audit/ledger-verify.js';
import type { AuditRow } from '../../src/core/ports/audit-store.js';
import { KEYS } from './support/ledger.js';
import { AUDIT_ROW_COLUMNS } from '../../src/adapters/sql/audit-store.js';

const COLS = AUDIT_ROW_COLUMNS;
const N = 40;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Canonical metadata texts with what a JSON renderer could get wrong: escapes, non-ASCII, numbers. */
const METADATA = [
  '{"i":0}',
  '{"a":[1,-0.5,1e+21,1.5e-7],"b":{"c":null,"d":true}}',
  '{"s":"line\\nbreak \\"quoted\\" back\\\\slash \\u2028 \\u0001 é 😀 \\ud800"}',
  '{}',
];

function ledgerRows(): AuditRow[] {
  const drafts = Array.from({ length: N }, (_, i) => ({
    id: `00000000-0000-7000-8000-${String(i + 1).padStart(12, '0')}`,
    event_type: i % 2 ? 'auth_failure' : 'auth_success',
    // user_id null on some rows: it must read back null, not "null".
    user_id: i % 5 === 0 ? null : `user-${i % 7}`,
    source_ip: `198.51.100.${i % 250}`,
    action: i === 3 ? 'weird "action" \\ with\tescapes' : `login.${i}`,
    outcome: i % 2 ? 'denied' : 'allowed',
    timestamp: 1_700_000_000_000 + i,
    metadata: METADATA[i % METADATA.length]!,
  }));
  return chainRows(drafts) as AuditRow[];
}

/** A SQLite file migrated to 005 holding `rows` (old shape) and checkpoints at 20 and 40. */
async function ledgerAt005(rows: AuditRow[]): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-m006-'));
  dirs.push(dir);
  const file = path.join(dir, 'ledger.db');
  const db = await openSqlDatabase(`sqlite:${file}`);
  await migrateToLatest(db, { through: '005_component_prefix_index' });
  await db.close();
  const h = new BetterSqlite3(file);
  const insert = h.prepare(
    `insert into security_audit_log (${COLS.join(', ')}) values (${COLS.map(() => '?').join(', ')})`,
  );
  for (const r of rows) insert.run(...COLS.map((c) => r[c]));
  const last = rows[rows.length - 1]!;
  h.prepare('update audit_chain_head set seq = ?, hash = ? where id = 1').run(last.seq, last.hash);
  for (const seq of [20, 40]) {
    const cp = signCheckpoint(
      { seq, hash: rows[seq - 1]!.hash, time: 1_700_000_100_000, key_id: 'audit-checkpoint', key_version: 1 },
      KEYS.privateKeyPem,
    );
    h.prepare(
      'insert into audit_checkpoints (seq, hash, time, key_id, key_version, signature) values (?, ?, ?, ?, ?, ?)',
    ).run(cp.seq, cp.hash, cp.time, cp.key_id, cp.key_version, cp.signature);
  }
  h.close();
  return file;
}

/** What release 005's verify answered: its eleven-column read, through the row verifier. */
async function verdictAt005(file: string): Promise<LedgerVerification> {
  const h = new BetterSqlite3(file, { readonly: true });
  try {
    const head = h.prepare('select seq from audit_chain_head where id = 1').get() as { seq: number };
    const rows = h
      .prepare(`select ${COLS.join(', ')} from security_audit_log where seq >= ? and seq <= ? order by seq`)
      .all(1, head.seq) as AuditRow[];
    const checkpoints = h.prepare('select * from audit_checkpoints order by seq').all() as never[];
    return await verifyLedger([rows], {
      from: 1,
      to: head.seq,
      startPrevHash: GENESIS_HASH,
      checkpoints,
      publicKey: KEYS.publicKeyPem,
      toIsHead: true,
    });
  } finally {
    h.close();
  }
}

const openLedger = (file: string) =>
  createBulwark(
    { database_url: `sqlite:${file}`, audit_signing_key: KEYS.privateKeyPem, audit_checkpoint_every: 0 },
    { logLevel: 'silent', env: {} },
  );

/** Raw edit of the 005 table, triggers out of the way (as tamper.test.ts does). */
function tamper005(file: string, sqlText: string, ...params: unknown[]) {
  const h = new BetterSqlite3(file);
  h.exec('drop trigger security_audit_log_no_update');
  h.prepare(sqlText).run(...params);
  h.close();
}

describe('migration 006 (SQLite audit rows keep their hashed text)', () => {
  it('keeps a sound ledger sound: rows read back identical, checkpoints and an earlier proof still hold', async () => {
    const rows = ledgerRows();
    const file = await ledgerAt005(rows);
    expect(await verdictAt005(file)).toMatchObject({ ok: true, checked: N, checkpoints_checked: 2 });
    const proofBefore = buildInclusionProof(
      rows.slice(0, 20).map((r) => r.hash),
      rows[6]!,
    );

    const b = await openLedger(file);
    try {
      expect(await b.audit.verify()).toMatchObject({ ok: true, checked: N, checkpoints_checked: 2 });
      // Values and types: timestamp a number, user_id null, metadata its canonical text.
      const listed = await b.audit.list({}, { limit: 100, order: 'asc' });
      expect(listed.items).toEqual(rows);
      const ranged: AuditRow[] = [];
      for await (const chunk of b.audit.range(1, N)) ranged.push(...chunk);
      expect(ranged).toEqual(rows);
      expect(ranged.filter((r) => r.user_id === null)).toHaveLength(8);

      const proofAfter = await b.audit.proof(7, 20);
      const { checkpoint, ...proof } = proofAfter;
      expect(proof).toEqual(proofBefore);
      expect(checkpoint?.seq).toBe(20);
      expect(checkInclusionProof(proofBefore, proofAfter.root)).toEqual({ ok: true });

      // Appends continue the migrated chain.
      await b.audit.append({
        event_type: 'config_change',
        source_ip: '10.0.0.1',
        action: 'after.migration',
        outcome: 'allowed',
      });
      expect(await b.audit.verify()).toMatchObject({ ok: true, checked: N + 1 });
    } finally {
      await b.close();
    }
  });

  const tampers: Array<[string, string, unknown[], Partial<LedgerVerification>]> = [
    [
      'an edited outcome',
      `update security_audit_log set outcome = 'allowed' where seq = 8`,
      [],
      { first_bad_seq: 8, reason: 'hash_mismatch' },
    ],
    [
      'metadata that is not JSON',
      `update security_audit_log set metadata = 'not json' where seq = 5`,
      [],
      { first_bad_seq: 5, reason: 'hash_mismatch' },
    ],
    [
      'a timestamp of the wrong type',
      `update security_audit_log set timestamp = 'soon' where seq = 12`,
      [],
      { first_bad_seq: 12, reason: 'malformed_row', detail: 'row 12: timestamp must be a safe integer' },
    ],
    [
      'a fractional timestamp',
      `update security_audit_log set timestamp = 1.5 where seq = 13`,
      [],
      { first_bad_seq: 13, reason: 'malformed_row' },
    ],
    [
      'a seq that is not an integer',
      `update security_audit_log set seq = 'x' where seq = 40`,
      [],
      { first_bad_seq: 40, reason: 'truncated' },
    ],
    // Same values, another text: the old verifier hashes the stored text and reports these; the
    // migration must not reformat them into their canonical form (new-user trial, D2).
    [
      'metadata reformatted with whitespace',
      `update security_audit_log set metadata = replace(replace(metadata, ':', ' : '), ',', ', ') where seq = 10`,
      [],
      { first_bad_seq: 10, reason: 'hash_mismatch' },
    ],
    [
      'metadata with a leading space',
      `update security_audit_log set metadata = ' ' || metadata where seq = 11`,
      [],
      { first_bad_seq: 11, reason: 'hash_mismatch' },
    ],
    [
      'an edited prev_hash',
      `update security_audit_log set prev_hash = ? where seq = 9`,
      ['f'.repeat(64)],
      { first_bad_seq: 9, reason: 'prev_hash_mismatch' },
    ],
  ];
  for (const [name, sqlText, params, expected] of tampers) {
    it(`${name}: the same verdict after the migration as before`, async () => {
      const file = await ledgerAt005(ledgerRows());
      tamper005(file, sqlText, ...params);
      const before = await verdictAt005(file);
      expect(before).toMatchObject({ ok: false, ...expected });
      const b = await openLedger(file);
      try {
        const after = await b.audit.verify();
        expect(after).toEqual(before);
      } finally {
        await b.close();
      }
    });
  }

  it('keeps a row whose seq is not an integer in security_audit_log_unchained', async () => {
    const file = await ledgerAt005(ledgerRows());
    tamper005(file, `update security_audit_log set seq = 'x' where seq = 40`);
    const b = await openLedger(file);
    await b.close();
    const h = new BetterSqlite3(file, { readonly: true });
    try {
      expect(h.prepare('select seq, action from security_audit_log_unchained').all()).toEqual([
        { seq: 'x', action: 'login.39' },
      ]);
      expect(h.prepare('select count(*) as n from security_audit_log').get()).toEqual({ n: N - 1 });
    } finally {
      h.close();
    }
  });

  it('stores a row that cannot be canonicalised by its raw values, a text that cannot match its hash', () => {
    const [row] = ledgerRows();
    expect(bodyOfOldRow(row as never)).toBe(canonicalRowBody(row!));
    const broken = { ...row, timestamp: 'soon' };
    const body = bodyOfOldRow(broken);
    expect(JSON.parse(body)).toMatchObject({ timestamp: 'soon', seq: 1, metadata: { i: 0 } });
    expect(body).not.toContain(row!.hash);
    const notJson = bodyOfOldRow({ ...row, metadata: 'not json' });
    expect(JSON.parse(notJson)).toMatchObject({ metadata: 'not json' });
  });
});
