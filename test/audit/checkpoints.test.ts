import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { loadConfig } from '../../src/app/config.js';
import { loadCheckpointSigner } from '../../src/app/audit/file-checkpoint-signer.js';
import { generateCheckpointKeyPair, verifyCheckpoint } from '../../src/core/audit/checkpoint.js';
import { checkInclusionProof } from '../../src/core/audit/inclusion-proof.js';
import { leafHash, rootFromLeafHashes } from '../../src/core/audit/merkle.js';
import { BulwarkError } from '../../src/core/errors.js';
import { buildServer } from '../../src/http/server.js';
import { bearer } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';
import { KEYS, event } from './support/ledger.js';

describeEachBackend('audit checkpoints and proofs', (backend) => {
  let b: Bulwark;
  let app: FastifyInstance;
  let admin: string;
  let read: string;
  // Entries written before the test's own: the two token creations, and the keyring's own keys
  // (created at start, each with a key.create entry). Checkpoints every 10 follow from this base.
  let base: number;
  beforeAll(async () => {
    b = await createBulwark(
      { database_url: backend.url(), audit_signing_key: KEYS.privateKeyPem, audit_checkpoint_every: 10 },
      { logLevel: 'silent', env: {} },
    );
    app = await buildServer(b);
    const actor = { id: 't', ip: '127.0.0.1' };
    admin = (await b.tokens.create({ scope: 'admin', name: 'a' }, actor)).token;
    read = (await b.tokens.create({ scope: 'read', name: 'r' }, actor)).token;
    base = (await b.audit.verify()).to;
    // Below 5, five batches of 5 cross 10 and 20 exactly once each: checkpoints at base+10, base+20.
    expect(base).toBeLessThan(5);
  });
  afterAll(async () => {
    await app?.close();
    await b?.close();
  });

  it('signs a checkpoint every N events, verifiable with the public key alone', async () => {
    for (let i = 0; i < 5; i++)
      await b.audit.appendBatch(Array.from({ length: 5 }, (_, j) => event(i * 5 + j)));
    const cps = await b.audit.checkpoints();
    // Batches of 5 end at base+5 … base+25.
    expect(cps.map((c) => c.seq)).toEqual([base + 10, base + 20]);
    for (const c of cps) expect(verifyCheckpoint(c, KEYS.publicKeyPem)).toBe(true);
    expect(await b.audit.verify()).toMatchObject({
      ok: true,
      checked: base + 25,
      checkpoints_checked: 2,
      checkpoints: 'verified',
    });
  });

  it('signs on demand over HTTP (admin), once per head; lists checkpoints (read)', async () => {
    const first = await app.inject({
      method: 'POST',
      url: '/security/logs/checkpoints',
      headers: bearer(admin),
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      created: true,
      checkpoint: { seq: base + 25, key_id: 'audit-checkpoint', key_version: 1 },
    });
    const again = await app.inject({
      method: 'POST',
      url: '/security/logs/checkpoints',
      headers: bearer(admin),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().created).toBe(false);
    expect(
      (await app.inject({ method: 'POST', url: '/security/logs/checkpoints', headers: bearer(read) }))
        .statusCode,
    ).toBe(403);
    const list = await app.inject({
      method: 'GET',
      url: '/security/logs/checkpoints',
      headers: bearer(read),
    });
    expect(list.json().items.map((c: { seq: number }) => c.seq)).toEqual([base + 10, base + 20, base + 25]);
    expect(list.json().items[0].time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('proves one event over HTTP against the covering checkpoint; the proof checks offline', async () => {
    const seq = base + 11;
    const covering = base + 20;
    const r = await app.inject({ method: 'GET', url: `/security/logs/${seq}/proof`, headers: bearer(read) });
    expect(r.statusCode).toBe(200);
    const p = r.json();
    expect(p).toMatchObject({ seq, leaf_index: seq - 1, tree_size: covering });
    expect(p.checkpoint.seq).toBe(covering);
    expect(checkInclusionProof(p)).toEqual({ ok: true });
    const hashes: Buffer[] = [];
    for await (const chunk of b.audit.range(1, covering))
      for (const row of chunk) hashes.push(leafHash(Buffer.from(row.hash, 'hex')));
    expect(p.root).toBe(rootFromLeafHashes(hashes).toString('hex'));
    expect(checkInclusionProof(p, 'f'.repeat(64)).ok).toBe(false);
    const tampered = { ...p, row: { ...p.row, action: 'other' } };
    expect(checkInclusionProof(tampered)).toEqual({
      ok: false,
      reason: 'the row does not match its hash (altered)',
    });
    const sized = (
      await app.inject({
        method: 'GET',
        url: `/security/logs/${seq}/proof?tree_size=${base + 23}`,
        headers: bearer(read),
      })
    ).json();
    expect(sized.tree_size).toBe(base + 23);
    expect(checkInclusionProof(sized).ok).toBe(true);
    expect(
      (await app.inject({ method: 'GET', url: '/security/logs/999/proof', headers: bearer(read) }))
        .statusCode,
    ).toBe(400); // past the head: a validation error naming the head, as verify's range
    expect(
      (await app.inject({ method: 'GET', url: '/security/logs/abc/proof', headers: bearer(read) }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/security/logs/${seq}/proof?tree_size=${seq - 1}`,
          headers: bearer(read),
        })
      ).statusCode,
    ).toBe(400);
  });
});

describe('checkpoint signer configuration', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'bulwark-cp-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (over: Record<string, unknown>) => {
    try {
      return loadCheckpointSigner(loadConfig(over, {}));
    } catch (e) {
      return e as BulwarkError;
    }
  };

  it('no key: no signer; a bad key names the setting and never echoes the value', () => {
    expect(load({})).toBeUndefined();
    const bad = load({ audit_signing_key: 'not-a-key-SECRETVALUE' }) as BulwarkError;
    expect(bad.code).toBe('config_invalid');
    expect(bad.message).toContain('BULWARK_AUDIT_SIGNING_KEY');
    expect(bad.message).not.toContain('SECRETVALUE');
    const pub = load({ audit_signing_key: KEYS.publicKeyPem }) as BulwarkError;
    expect(pub.code).toBe('config_invalid');
    const both = load({
      audit_signing_key: KEYS.privateKeyPem,
      audit_signing_key_file: '/x',
    }) as BulwarkError;
    expect(both.message).toMatch(/not both/);
    const missing = load({ audit_signing_key_file: path.join(dir, 'nope.pem') }) as BulwarkError;
    expect(missing.message).toMatch(/ENOENT/);
    const rsa = load({ audit_previous_public_keys: ['garbage'] });
    expect(rsa).toBeUndefined(); // previous keys are only read with a signing key
  });

  it('env: BULWARK_AUDIT_SIGNING_KEY_FILE, key id and version', async () => {
    const file = path.join(dir, 'k.pem');
    writeFileSync(file, KEYS.privateKeyPem, { mode: 0o600 });
    const cfg = loadConfig(
      {},
      { BULWARK_AUDIT_SIGNING_KEY_FILE: file, BULWARK_AUDIT_KEY_ID: 'prod', BULWARK_AUDIT_KEY_VERSION: '3' },
    );
    const signer = loadCheckpointSigner(cfg)!;
    const cp = await signer.sign({ seq: 1, hash: 'a'.repeat(64), time: 1 });
    expect(cp).toMatchObject({ key_id: 'prod', key_version: 3 });
    expect(verifyCheckpoint(cp, KEYS.publicKeyPem)).toBe(true);
  });

  it('rotation: checkpoints of the old version still verify through BULWARK_AUDIT_PREVIOUS_PUBLIC_KEYS', async () => {
    const url = `sqlite:${path.join(dir, 'rot.db')}`;
    const v1 = await createBulwark(
      { database_url: url, audit_signing_key: KEYS.privateKeyPem },
      { logLevel: 'silent', env: {} },
    );
    await v1.audit.appendBatch([event(1), event(2)]);
    await v1.audit.checkpoint();
    await v1.close();
    const next = generateCheckpointKeyPair();
    const oldPub = path.join(dir, 'v1.pub.pem');
    writeFileSync(oldPub, KEYS.publicKeyPem);
    const v2 = await createBulwark(
      { database_url: url, audit_signing_key: next.privateKeyPem, audit_key_version: 2 },
      { logLevel: 'silent', env: { BULWARK_AUDIT_PREVIOUS_PUBLIC_KEYS: `audit-checkpoint@1=${oldPub}` } },
    );
    try {
      await v2.audit.append(event(3) as never);
      await v2.audit.checkpoint();
      expect(await v2.audit.verify()).toMatchObject({ ok: true, checkpoints_checked: 2 });
    } finally {
      await v2.close();
    }
    const noOld = await createBulwark(
      { database_url: url, audit_signing_key: next.privateKeyPem, audit_key_version: 2 },
      { logLevel: 'silent', env: {} },
    );
    try {
      expect(await noOld.audit.verify()).toMatchObject({
        ok: false,
        reason: 'checkpoint_key_unknown',
        first_bad_seq: 2,
      });
    } finally {
      await noOld.close();
    }
  });

  it('the serve timer signs the head when events arrived', async () => {
    const b = await createBulwark(
      { database_url: 'sqlite::memory:', audit_signing_key: KEYS.privateKeyPem, audit_checkpoint_every: 0 },
      { logLevel: 'silent', env: {} },
    );
    try {
      await b.audit.appendBatch([event(1), event(2), event(3)]);
      const head = (await b.audit.verify()).to; // after the keyring's own start-up entries
      b.audit.startCheckpointTimer(1);
      const deadline = Date.now() + 10_000;
      while ((await b.audit.checkpoints()).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect((await b.audit.checkpoints()).map((c) => c.seq)).toEqual([head]);
    } finally {
      await b.close();
    }
  });
});
