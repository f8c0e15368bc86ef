/**
 * Tampering around the append-only triggers (SQLite: the file opened directly, triggers dropped;
 * PostgreSQL: as the superuser, triggers disabled) and verify naming the first bad seq and why.
 * Every case: 40 events, signed checkpoints at seq 20 and 40.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generateCheckpointKeyPair, signCheckpoint } from '../../src/core/audit/checkpoint.js';
import { hashRow } from '../../src/core/audit/hash-chain.js';
import type { Bulwark } from '../../src/app/bulwark.js';
import { postgresAvailable } from '../support/backends.js';
import { type LedgerDb, type RawDb, event, postgresLedger, sqliteLedger } from './support/ledger.js';

type Tamper = (raw: RawDb) => Promise<void>;

const COLS = 'id, seq, event_type, user_id, source_ip, action, outcome, timestamp, metadata, prev_hash, hash';

async function rowsOf(raw: RawDb, from: number, to: number) {
  return (
    await raw.exec(`select ${COLS} from security_audit_log where seq >= $1 and seq <= $2 order by seq`, [
      from,
      to,
    ])
  ).map((r) => ({ ...r, seq: Number(r.seq), timestamp: Number(r.timestamp) })) as Array<
    Record<string, unknown> & { seq: number; timestamp: number; hash: string; prev_hash: string }
  >;
}

const backends: Array<[string, () => LedgerDb]> = [['sqlite', sqliteLedger]];
if (postgresAvailable || process.env.CI === 'true') backends.push(['postgres', postgresLedger]);

for (const [name, make] of backends) {
  describe(`audit tamper evidence [${name}]`, () => {
    const dbs: LedgerDb[] = [];
    afterAll(async () => {
      for (const d of dbs) await d.cleanup();
    });

    async function tampered(
      tamper: Tamper,
    ): Promise<{ b: Bulwark; verdict: Awaited<ReturnType<Bulwark['audit']['verify']>> }> {
      const db = make();
      dbs.push(db);
      const b = await db.open();
      try {
        await b.audit.appendBatch(Array.from({ length: 20 }, (_, i) => event(i + 1)));
        await b.audit.checkpoint();
        await b.audit.appendBatch(Array.from({ length: 20 }, (_, i) => event(i + 21)));
        await b.audit.checkpoint();
        expect(await b.audit.verify()).toMatchObject({ ok: true, checked: 40, checkpoints_checked: 2 });
        const raw = await db.raw();
        try {
          await tamper(raw);
        } finally {
          await raw.close();
        }
        return { b, verdict: await b.audit.verify() };
      } finally {
        await b.close();
      }
    }

    it('an edited row: hash_mismatch at that row', async () => {
      const { verdict } = await tampered((raw) => raw.setFields(7, { metadata: '{"i":7,"edited":true}' }));
      expect(verdict).toMatchObject({ ok: false, first_bad_seq: 7, reason: 'hash_mismatch', checked: 6 });
    });

    it('an edited outcome (denied → allowed): hash_mismatch at that row', async () => {
      const { verdict } = await tampered((raw) => raw.setFields(33, { outcome: 'allowed' }));
      expect(verdict).toMatchObject({ ok: false, first_bad_seq: 33, reason: 'hash_mismatch' });
    });

    it('a deleted row: seq_gap at the missing seq', async () => {
      const { verdict } = await tampered((raw) =>
        raw.exec('delete from security_audit_log where seq = 12').then(() => {}),
      );
      expect(verdict).toMatchObject({ ok: false, first_bad_seq: 12, reason: 'seq_gap', checked: 11 });
    });

    it('an inserted row (later rows renumbered, the forged row correctly hashed): named as inserted', async () => {
      const { verdict } = await tampered(async (raw) => {
        const [r15] = await rowsOf(raw, 15, 15);
        // Make room: seq 16..40 → 17..41 (from the top down, the seq column is unique).
        for (let s = 40; s >= 16; s--)
          await raw.exec('update security_audit_log set seq = $1 where seq = $2', [s + 1, s]);
        const forged = {
          id: '00000000-0000-7000-8000-000000000016',
          seq: 16,
          event_type: 'auth_success',
          user_id: 'mallory',
          source_ip: '192.0.2.66',
          action: 'login',
          outcome: 'allowed',
          timestamp: r15!.timestamp,
          metadata: '{}',
          prev_hash: r15!.hash,
        };
        await raw.insertRow({ ...forged, hash: hashRow(r15!.hash, forged) });
      });
      expect(verdict).toMatchObject({ ok: false, first_bad_seq: 16, reason: 'prev_hash_mismatch' });
      expect(verdict.detail).toMatch(/inserted/);
    });

    it('two rows swapped: prev_hash_mismatch at the first of them', async () => {
      const { verdict } = await tampered(async (raw) => {
        await raw.exec('update security_audit_log set seq = 1000 where seq = 20');
        await raw.exec('update security_audit_log set seq = 20 where seq = 21');
        await raw.exec('update security_audit_log set seq = 21 where seq = 1000');
      });
      expect(verdict).toMatchObject({
        ok: false,
        first_bad_seq: 20,
        reason: 'prev_hash_mismatch',
        checked: 19,
      });
    });

    it('a truncated tail, head row reset too: detected against the last signed checkpoint', async () => {
      const { verdict } = await tampered(async (raw) => {
        const [r30] = await rowsOf(raw, 30, 30);
        await raw.exec('delete from security_audit_log where seq > 30');
        await raw.exec('update audit_chain_head set seq = 30, hash = $1 where id = 1', [r30!.hash]);
      });
      expect(verdict).toMatchObject({
        ok: false,
        first_bad_seq: 31,
        reason: 'truncated',
        checked: 30,
        to: 30,
      });
    });

    it('a truncated tail, head left alone: truncated at the first missing seq', async () => {
      const { verdict } = await tampered((raw) =>
        raw.exec('delete from security_audit_log where seq > 35').then(() => {}),
      );
      expect(verdict).toMatchObject({ ok: false, first_bad_seq: 36, reason: 'truncated', checked: 35 });
    });

    it('a forged checkpoint (signed with another key): checkpoint_signature_invalid at its seq', async () => {
      const { verdict } = await tampered(async (raw) => {
        const [r30] = await rowsOf(raw, 30, 30);
        const other = generateCheckpointKeyPair();
        const forged = signCheckpoint(
          { seq: 30, hash: r30!.hash, time: Date.now(), key_id: 'audit-checkpoint', key_version: 1 },
          other.privateKeyPem,
        );
        await raw.exec(
          'insert into audit_checkpoints (seq, hash, time, key_id, key_version, signature) values ($1, $2, $3, $4, $5, $6)',
          [forged.seq, forged.hash, forged.time, forged.key_id, forged.key_version, forged.signature],
        );
      });
      expect(verdict).toMatchObject({ ok: false, first_bad_seq: 30, reason: 'checkpoint_signature_invalid' });
    });

    it('an altered checkpoint (hash moved to match a rewrite): checkpoint_signature_invalid', async () => {
      const { verdict } = await tampered((raw) =>
        raw.exec(`update audit_checkpoints set hash = $1 where seq = 20`, ['a'.repeat(64)]).then(() => {}),
      );
      expect(verdict).toMatchObject({ ok: false, first_bad_seq: 20, reason: 'checkpoint_signature_invalid' });
    });

    it('a re-chained tail without the signing key: checkpoint_mismatch, rows since the last good checkpoint suspect', async () => {
      const { verdict } = await tampered(async (raw) => {
        const rows = await rowsOf(raw, 24, 40);
        let prev = rows[0]!.hash;
        for (const r of rows.slice(1)) {
          const changed = {
            ...r,
            metadata: r.seq === 25 ? '{"i":25,"rewritten":true}' : (r.metadata as string),
            prev_hash: prev,
          };
          const h = hashRow(prev, changed as never);
          await raw.setFields(r.seq, { metadata: changed.metadata, prev_hash: prev, hash: h });
          prev = h;
        }
        await raw.exec('update audit_chain_head set hash = $1 where id = 1', [prev]);
      });
      expect(verdict).toMatchObject({
        ok: false,
        first_bad_seq: 21,
        checkpoint_seq: 40,
        reason: 'checkpoint_mismatch',
      });
      expect(verdict.detail).toContain('rows 21..40');
    });

    it('verifies a sub-range, held to a checkpoint inside it; an auditor key that does not match fails', async () => {
      const db = make();
      dbs.push(db);
      const b = await db.open();
      try {
        await b.audit.appendBatch(Array.from({ length: 30 }, (_, i) => event(i + 1)));
        await b.audit.checkpoint();
        expect(await b.audit.verify({ from: 10, to: 30 })).toMatchObject({
          ok: true,
          from: 10,
          to: 30,
          checked: 21,
          checkpoints_checked: 1,
        });
        const wrong = generateCheckpointKeyPair().publicKeyPem;
        expect(await b.audit.verify({ publicKey: wrong })).toMatchObject({
          ok: false,
          reason: 'checkpoint_signature_invalid',
          first_bad_seq: 30,
        });
      } finally {
        await b.close();
      }
    });
  });
}
