/** Helpers for audit ledger tests: a Bulwark with a checkpoint key, and raw access that goes around the triggers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { type Bulwark, createBulwark } from '../../../src/app/bulwark.js';
import { generateCheckpointKeyPair } from '../../../src/core/audit/checkpoint.js';
import { canonicalRowBody } from '../../../src/core/audit/hash-chain.js';
import type { AuditRow } from '../../../src/core/ports/audit-store.js';
import { PG_BASE_URL, uniqueSchema, dropSchema } from '../../support/backends.js';
import { AUDIT_ROW_COLUMNS } from '../../../src/adapters/sql/audit-store.js';

export const KEYS = generateCheckpointKeyPair();

export const event = (i: number, over: Record<string, unknown> = {}) => ({
  event_type: i % 2 ? 'auth_failure' : 'auth_success',
  source_ip: `198.51.100.${i % 250}`,
  action: `login.${i}`,
  outcome: i % 2 ? 'denied' : 'allowed',
  user_id: `user-${i % 7}`,
  timestamp: 1_700_000_000_000 + i,
  metadata: { i, nested: { list: [i, `v${i}`] } },
  ...over,
});

/** Raw SQL on the ledger's database with the append-only triggers out of the way. */
export interface RawDb {
  exec(sqlText: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /**
   * Sets fields of row `seq` as a forger with raw access would. SQLite: its body is rewritten as
   * the canonical text of the edited row (every column but seq and hash is generated from body),
   * and seq or hash set when given; PostgreSQL: the columns themselves.
   */
  setFields(seq: number, fields: Partial<AuditRow>): Promise<void>;
  /** Inserts a whole row (SQLite: seq, its canonical body, hash). */
  insertRow(row: AuditRow): Promise<void>;
  close(): Promise<void>;
}

const ROW_COLUMNS = AUDIT_ROW_COLUMNS;

export interface LedgerDb {
  url: string;
  /** Opens a Bulwark on this database with the test signing key. */
  open(extra?: Record<string, unknown>): Promise<Bulwark>;
  /** Raw connection as the superuser / file owner, triggers dropped or disabled. */
  raw(): Promise<RawDb>;
  cleanup(): Promise<void>;
}

export function sqliteLedger(): LedgerDb {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-ledger-'));
  const file = path.join(dir, 'ledger.db');
  return {
    url: `sqlite:${file}`,
    open: (extra = {}) =>
      createBulwark(
        {
          database_url: `sqlite:${file}`,
          audit_signing_key: KEYS.privateKeyPem,
          audit_checkpoint_every: 0,
          ...extra,
        },
        { logLevel: 'silent', env: {} },
      ),
    async raw() {
      const h = new BetterSqlite3(file);
      for (const t of ['security_audit_log', 'audit_checkpoints'])
        for (const op of ['update', 'delete']) h.exec(`drop trigger if exists ${t}_no_${op}`);
      const rowAt = (seq: number) =>
        h
          .prepare(`select ${ROW_COLUMNS.join(', ')} from security_audit_log where seq = ?`)
          .get(seq) as AuditRow;
      return {
        exec: async (q, params = []) => {
          const st = h.prepare(q.replace(/\$\d+/g, '?'));
          if (st.reader) return st.all(...params) as Array<Record<string, unknown>>;
          st.run(...params);
          return [];
        },
        setFields: async (seq, fields) => {
          const { hash, seq: newSeq, ...rest } = fields;
          const row = rowAt(seq);
          const body = canonicalRowBody({ ...row, ...rest, seq: newSeq ?? seq });
          h.prepare('update security_audit_log set body = ?, hash = ?, seq = ? where seq = ?').run(
            body,
            hash ?? row.hash,
            newSeq ?? seq,
            seq,
          );
        },
        insertRow: async (row) => {
          h.prepare('insert into security_audit_log (seq, body, hash) values (?, ?, ?)').run(
            row.seq,
            canonicalRowBody(row),
            row.hash,
          );
        },
        close: async () => void h.close(),
      };
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function postgresLedger(): LedgerDb {
  const schema = uniqueSchema('bwaudit');
  const url = `${PG_BASE_URL}?schema=${schema}`;
  return {
    url,
    open: (extra = {}) =>
      createBulwark(
        { database_url: url, audit_signing_key: KEYS.privateKeyPem, audit_checkpoint_every: 0, ...extra },
        { logLevel: 'silent', env: {} },
      ),
    async raw() {
      const c = new pg.Client({ connectionString: PG_BASE_URL, options: `-c search_path=${schema}` });
      await c.connect();
      // As the superuser: the triggers are the application's guard, not the owner's.
      await c.query('alter table security_audit_log disable trigger user');
      await c.query('alter table audit_checkpoints disable trigger user');
      return {
        exec: async (q, params = []) => (await c.query(q, params)).rows,
        setFields: async (seq, fields) => {
          const names = Object.keys(fields);
          await c.query(
            `update security_audit_log set ${names.map((n, i) => `${n} = $${i + 1}`).join(', ')} where seq = $${names.length + 1}`,
            [...names.map((n) => fields[n as keyof AuditRow]), seq],
          );
        },
        insertRow: async (row) => {
          await c.query(
            `insert into security_audit_log (${ROW_COLUMNS.join(', ')}) values (${ROW_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
            ROW_COLUMNS.map((k) => row[k]),
          );
        },
        close: async () => {
          await c.end();
        },
      };
    },
    cleanup: () => dropSchema(schema),
  };
}
