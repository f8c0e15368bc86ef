/** Bulwark's own keys in the keyring: checkpoint signing and the API-token pepper survive rotation. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { KeyringCheckpointSigner } from '../../src/app/keys/keyring-checkpoint-signer.js';
import { OWN_KEYS } from '../../src/app/keys/own-keys.js';
import { verifyCheckpointWith } from '../../src/core/audit/checkpoint.js';
import { hashToken } from '../../src/core/tokens.js';
import { SqlTokenStore } from '../../src/adapters/sql/token-store.js';
import { describeEachBackend } from '../support/backends.js';
import { newMasterKey } from './keys-app.js';

const ops = { id: 'token:ops', ip: '127.0.0.1' };
const HASH = 'ab'.repeat(32);

describeEachBackend("Bulwark's own keys", (backend) => {
  let b: Bulwark;
  beforeEach(async () => {
    b = await createBulwark(
      { database_url: backend.url(), master_key: newMasterKey(), token_pepper: 'legacy-pepper-0123456789' },
      { logLevel: 'silent', env: {} },
    );
  });
  afterEach(async () => {
    await b.close();
  });

  it('signs checkpoints with bulwark.audit.checkpoint; checkpoints from before a rotation still verify', async () => {
    const signer = new KeyringCheckpointSigner(b.keys);
    const first = await signer.sign({ seq: 10, hash: HASH, time: 1_700_000_000_000 });
    expect(first).toMatchObject({ key_id: OWN_KEYS.auditCheckpoint.name, key_version: 1 });
    expect(Buffer.from(first.signature, 'base64')).toHaveLength(64);
    await b.keys.rotate(OWN_KEYS.auditCheckpoint.name, { notes: 'yearly' }, ops);
    const second = await signer.sign({ seq: 20, hash: 'cd'.repeat(32), time: 1_700_000_100_000 });
    expect(second.key_version).toBe(2);
    const keys = await signer.verificationKeys();
    expect(verifyCheckpointWith(first, keys)).toBe('valid');
    expect(verifyCheckpointWith(second, keys)).toBe('valid');
    // A forged or re-labelled checkpoint does not pass.
    expect(verifyCheckpointWith({ ...first, seq: 11 }, keys)).toBe('invalid');
    expect(verifyCheckpointWith({ ...first, key_version: 2 }, keys)).toBe('invalid');
    expect(verifyCheckpointWith({ ...first, key_version: 3 }, keys)).toBe('unknown_key');
    expect(verifyCheckpointWith({ ...first, key_id: 'other' }, keys)).toBe('unknown_key');
    // Retiring version 1 for signing keeps its public key for verification.
    await b.keys.updatePolicy(OWN_KEYS.auditCheckpoint.name, { min_decryption_version: 2 }, ops);
    expect(verifyCheckpointWith(first, await signer.verificationKeys())).toBe('valid');
  });

  it('hashes API tokens under the keyring pepper with its version; rotating the pepper keeps them valid', async () => {
    const old = await b.tokens.create({ scope: 'read', name: 'before-rotation' }, ops);
    const rows = await b.store.db.selectFrom('api_tokens').select(['name', 'token_hash']).execute();
    const stored = rows.find((r) => r.name === 'before-rotation')!.token_hash;
    expect(stored).toMatch(/^bulwark:v1:[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(old.token);
    await b.keys.rotate(OWN_KEYS.tokenPepper.name, {}, ops);
    const fresh = await b.tokens.create({ scope: 'write', name: 'after-rotation' }, ops);
    const freshHash = (
      await b.store.db.selectFrom('api_tokens').select(['name', 'token_hash']).execute()
    ).find((r) => r.name === 'after-rotation')!.token_hash;
    expect(freshHash).toMatch(/^bulwark:v2:/);
    expect((await b.tokens.authenticate(old.token))?.name).toBe('before-rotation');
    expect((await b.tokens.authenticate(fresh.token))?.name).toBe('after-rotation');
    expect(await b.tokens.authenticate(old.token + 'x')).toBeNull();
    // Raising min_decryption_version is how tokens hashed under a retired pepper are cut off.
    await b.keys.updatePolicy(OWN_KEYS.tokenPepper.name, { min_decryption_version: 2 }, ops);
    b.keys.ring().invalidate();
    expect(await b.tokens.authenticate(old.token)).toBeNull();
    expect((await b.tokens.authenticate(fresh.token))?.name).toBe('after-rotation');
  });

  it('keeps accepting tokens hashed before the keyring (BULWARK_TOKEN_PEPPER h1: hashes)', async () => {
    const legacyToken = 'bwk_legacy_token_value_0123456789abcdef';
    const pepper = Buffer.from('legacy-pepper-0123456789', 'utf8');
    await new SqlTokenStore(b.store.db).insert(
      {
        id: '01890a5d-ac96-774b-bcce-b302099a8057',
        name: 'legacy',
        scope: 'admin',
        prefix: legacyToken.slice(0, 10),
        created_at: Date.now(),
        revoked_at: null,
        last_used_at: null,
      },
      hashToken(legacyToken, pepper),
    );
    expect((await b.tokens.authenticate(legacyToken))?.name).toBe('legacy');
    expect(await b.tokens.authenticate('bwk_legacy_token_value_0123456789abcdeX')).toBeNull();
  });
});
