/**
 * The audit redactor's HMAC key comes from the keyring (`bulwark.audit.redaction`): markers keep
 * equal values correlatable across instances sharing the keyring, differ between keyrings, change
 * after a rotation (at the next start), and never disturb the audit chain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { OWN_KEYS } from '../../src/app/keys/own-keys.js';
import { verifyChain } from '../../src/core/audit/hash-chain.js';
import { newMasterKey } from './keys-app.js';

const MARKER = /\[REDACTED:password:([0-9a-f]{12})\]/;

async function markerFor(b: Bulwark, secret: string): Promise<string> {
  const row = await b.audit.append({
    event_type: 'config_change',
    source_ip: '127.0.0.1',
    action: 'test.redaction',
    outcome: 'allowed',
    metadata: { password: secret },
  });
  expect(row.metadata).not.toContain(secret);
  const m = MARKER.exec(row.metadata);
  expect(m, row.metadata).not.toBeNull();
  return m![1]!;
}

describe('redaction HMAC key from the keyring', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-redact-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keys the markers, survives rotation, and leaves the chain verifiable', async () => {
    const url = `sqlite:${path.join(dir, 'r.db')}`;
    const key = newMasterKey();
    const open = () => createBulwark({ database_url: url, master_key: key }, { logLevel: 'silent', env: {} });
    const one = await open();
    const two = await open();
    const other = await createBulwark(
      { database_url: 'sqlite::memory:', master_key: newMasterKey() },
      { logLevel: 'silent', env: {} },
    );
    let before: string;
    try {
      before = await markerFor(one, 'correct horse battery');
      expect(await markerFor(two, 'correct horse battery')).toBe(before); // same keyring: correlatable
      expect(await markerFor(one, 'another secret value')).not.toBe(before);
      expect(await markerFor(other, 'correct horse battery')).not.toBe(before); // another keyring
      await one.keys.rotate(
        OWN_KEYS.auditRedaction.name,
        { notes: 'yearly' },
        { id: 'test', ip: '127.0.0.1' },
      );
    } finally {
      await one.close();
      await two.close();
      await other.close();
    }
    const restarted = await open();
    try {
      const after = await markerFor(restarted, 'correct horse battery');
      expect(after).not.toBe(before);
      const rows = await restarted.store.db
        .selectFrom('security_audit_log')
        .selectAll()
        .orderBy('seq')
        .execute();
      expect(rows.filter((r) => r.metadata.includes(before))).toHaveLength(2); // old entries untouched
      const verdict = await verifyChain(
        rows.map((r) => ({ ...r, seq: Number(r.seq), timestamp: Number(r.timestamp) })),
      );
      expect(verdict).toMatchObject({ ok: true, count: rows.length });
    } finally {
      await restarted.close();
    }
  });
});
