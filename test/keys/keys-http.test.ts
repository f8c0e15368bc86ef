/** The keyring's HTTP API on both backends: management, rotation, policy, crypto and bad input. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, type TestApp } from '../support/app.js';
import { startKeysApp } from './keys-app.js';
import { describeEachBackend } from '../support/backends.js';

describeEachBackend('keys HTTP API', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startKeysApp(backend.url());
  });
  afterAll(() => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    scope: 'read' | 'write' | 'admin' = 'admin',
  ) =>
    t.app.inject({
      method,
      url,
      headers: bearer(t.tokens[scope]),
      ...(body !== undefined ? { payload: body as object } : {}),
    });

  it('documents the key routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const p of [
      '/keys',
      '/keys/{name}',
      '/keys/{name}/rotations',
      '/keys/{name}/policy',
      '/auth/rotate-keys',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });

  it('creates a key (admin), lists and shows it without material', async () => {
    const created = await call('POST', '/keys', {
      name: 'orders.pii',
      type: 'aes256-gcm',
      policy: { auto_rotate_period: '30d' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/keys/orders.pii');
    expect(created.json()).toMatchObject({
      name: 'orders.pii',
      type: 'aes256-gcm',
      latest_version: 1,
      policy: {
        min_decryption_version: 1,
        auto_rotate_period_ms: 30 * 86_400_000,
        auto_rotate_period: '30d',
        deletion_allowed: false,
      },
      versions: [{ version: 1, usable: true }],
    });
    expect((await call('POST', '/keys', { name: 'orders.pii', type: 'ed25519' })).statusCode).toBe(409);
    expect((await call('POST', '/keys', { name: 'x', type: 'aes256-gcm' }, 'write')).statusCode).toBe(403);
    const list = await call('GET', '/keys', undefined, 'read');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((k: { name: string }) => k.name)).toContain('orders.pii');
    const shown = await call('GET', '/keys/orders.pii', undefined, 'read');
    expect(shown.statusCode).toBe(200);
    expect(shown.body).not.toMatch(/mk1:|material|secret/);
    expect(shown.json().next_rotation_due_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('rotates via POST /auth/rotate-keys: 202 with the events, listed under /rotations', async () => {
    await call('POST', '/keys', { name: 'rot.a', type: 'aes256-gcm' });
    await call('POST', '/keys', { name: 'rot.b', type: 'hmac-sha256' });
    const one = await call('POST', '/auth/rotate-keys', { key_name: 'rot.a', notes: 'incident 7' });
    expect(one.statusCode).toBe(202);
    expect(one.json().rotations).toMatchObject([
      {
        key_id: 'rot.a',
        version_from: 1,
        version_to: 2,
        rotated_by: 'token:test-admin',
        notes: 'incident 7',
      },
    ]);
    expect(one.json().rotations[0].timestamp).toMatch(/Z$/);
    const many = await call('POST', '/auth/rotate-keys', { key_names: ['rot.a', 'rot.b'] });
    expect(many.statusCode).toBe(202);
    expect(many.json().rotations.map((e: { version_to: number }) => e.version_to)).toEqual([3, 2]);
    const rotations = await call('GET', '/keys/rot.a/rotations', undefined, 'read');
    expect(rotations.json().items.map((e: { version_to: number }) => e.version_to)).toEqual([2, 3]);
    const audit = await call('GET', '/keys/rot.a', undefined, 'read');
    expect(audit.json().latest_version).toBe(3);
    // Bad rotation requests: nothing rotated.
    for (const [body, field] of [
      [{}, 'key_name'],
      [{ key_name: 'rot.a', key_names: ['rot.b'] }, 'key_name'],
      [{ key_name: 'rot.a', extra: 1 }, 'extra'],
      [{ key_name: '../etc' }, 'key_name'],
      [{ key_names: [] }, 'key_names'],
    ] as const) {
      const res = await call('POST', '/auth/rotate-keys', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message).toContain(field);
    }
    expect((await call('POST', '/auth/rotate-keys', { key_names: ['rot.a', 'ghost'] })).statusCode).toBe(404);
    // Check-and-set: a stale expected_version is a clear 409, nothing rotated.
    const stale = await call('POST', '/auth/rotate-keys', { key_name: 'rot.a', expected_version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'conflict' });
    expect(stale.json().message).toContain('version 3');
    expect(
      (await call('POST', '/auth/rotate-keys', { key_names: ['rot.a'], expected_version: 3 })).statusCode,
    ).toBe(400);
    expect((await call('POST', '/auth/rotate-keys', { key_name: 'rot.a' }, 'write')).statusCode).toBe(403);
    expect((await call('GET', '/keys/rot.a', undefined, 'read')).json().latest_version).toBe(3);
  });

  it('changes the policy with PUT or PATCH (admin), refusing bad values naming the field', async () => {
    await call('POST', '/keys', { name: 'pol', type: 'aes256-gcm' });
    await call('POST', '/auth/rotate-keys', { key_name: 'pol' });
    const patched = await call('PATCH', '/keys/pol/policy', { min_decryption_version: 2 });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().policy.min_decryption_version).toBe(2);
    expect(patched.json().versions).toEqual([
      expect.objectContaining({ version: 1, usable: false }),
      expect.objectContaining({ version: 2, usable: true }),
    ]);
    const put = await call('PUT', '/keys/pol/policy', { auto_rotate_period: '0' });
    expect(put.json().policy).toMatchObject({ auto_rotate_period_ms: 0, auto_rotate_period: '0' });
    for (const [body, field] of [
      [{ min_decryption_version: 9 }, 'policy.min_decryption_version'],
      [{ auto_rotate_period: '5m' }, 'policy.auto_rotate_period_ms'],
      [{ auto_rotate_period: 'soon' }, 'policy.auto_rotate_period'],
      [{ deletion_allowed: 'yes' }, 'deletion_allowed'],
      [{ colour: 'red' }, 'colour'],
    ] as const) {
      const res = await call('PATCH', '/keys/pol/policy', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message).toContain(field);
    }
    expect((await call('PATCH', '/keys/ghost/policy', { deletion_allowed: true })).statusCode).toBe(404);
    expect((await call('PATCH', '/keys/pol/policy', { deletion_allowed: true }, 'write')).statusCode).toBe(
      403,
    );
    // Deletion: refused until allowed, then only below min_decryption_version.
    expect((await call('DELETE', '/keys/pol/versions?below=2')).statusCode).toBe(400);
    await call('PATCH', '/keys/pol/policy', { deletion_allowed: true });
    const del = await call('DELETE', '/keys/pol/versions?below=2');
    expect(del.statusCode).toBe(200);
    expect(del.json().versions.map((v: { version: number }) => v.version)).toEqual([2]);
  });

  it('encrypts, decrypts, rewraps, signs and MACs; bad ciphertexts are 400 crypto_failed', async () => {
    await call('POST', '/keys', { name: 'data', type: 'aes256-gcm' });
    await call('POST', '/keys', { name: 'signer', type: 'ed25519' });
    await call('POST', '/keys', { name: 'mac', type: 'hmac-sha256' });
    const enc = await call(
      'POST',
      '/keys/data/encrypt',
      { plaintext: 'IBAN DE89 3704', aad: 'customer-9' },
      'write',
    );
    expect(enc.statusCode).toBe(200);
    const ct: string = enc.json().ciphertext;
    expect(ct).toMatch(/^bulwark:v1:[A-Za-z0-9_-]+$/);
    expect((await call('POST', '/keys/data/encrypt', { plaintext: 'x' }, 'read')).statusCode).toBe(403);
    const dec = await call('POST', '/keys/data/decrypt', { ciphertext: ct, aad: 'customer-9' }, 'write');
    expect(dec.json()).toEqual({
      plaintext: 'IBAN DE89 3704',
      plaintext_base64: Buffer.from('IBAN DE89 3704').toString('base64'),
    });
    const bin = await call(
      'POST',
      '/keys/data/encrypt',
      { plaintext_base64: Buffer.from([0xff, 0, 1]).toString('base64') },
      'write',
    );
    const binDec = await call('POST', '/keys/data/decrypt', { ciphertext: bin.json().ciphertext }, 'write');
    expect(binDec.json()).toEqual({
      plaintext: null,
      plaintext_base64: Buffer.from([0xff, 0, 1]).toString('base64'),
    });

    const body = ct.slice('bulwark:v1:'.length);
    const flipped = body.slice(0, 20) + (body[20] === 'A' ? 'B' : 'A') + body.slice(21);
    const bad: [string, Record<string, unknown>, number, string][] = [
      ['tampered', { ciphertext: `bulwark:v1:${flipped}`, aad: 'customer-9' }, 400, 'crypto_failed'],
      ['wrong aad', { ciphertext: ct, aad: 'customer-10' }, 400, 'crypto_failed'],
      ['missing aad', { ciphertext: ct }, 400, 'crypto_failed'],
      ['truncated', { ciphertext: ct.slice(0, 30), aad: 'customer-9' }, 400, 'crypto_failed'],
      ['not a token', { ciphertext: 'hello', aad: 'customer-9' }, 400, 'crypto_failed'],
      [
        'unknown version',
        { ciphertext: ct.replace('bulwark:v1:', 'bulwark:v9:'), aad: 'customer-9' },
        400,
        'crypto_failed',
      ],
      ['both spellings', { ciphertext: ct, aad: 'a', aad_base64: 'YQ==' }, 400, 'validation_failed'],
      ['extra field', { ciphertext: ct, key: 'x' }, 400, 'validation_failed'],
    ];
    for (const [label, payload, status, code] of bad) {
      const res = await call('POST', '/keys/data/decrypt', payload, 'write');
      expect(res.statusCode, label).toBe(status);
      expect(res.json().code, label).toBe(code);
      expect(res.body, label).not.toContain('IBAN');
    }
    const unknown = await call('POST', '/keys/ghost/decrypt', { ciphertext: ct }, 'write');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('not_found');
    const wrongType = await call('POST', '/keys/signer/encrypt', { plaintext: 'x' }, 'write');
    expect(wrongType.statusCode).toBe(400);

    // Below min_decryption_version after a rotation: refused, and rewrap first keeps the data.
    await call('POST', '/auth/rotate-keys', { key_name: 'data' });
    const rewrapped = await call('POST', '/keys/data/rewrap', { ciphertext: ct, aad: 'customer-9' }, 'write');
    expect(rewrapped.json().ciphertext).toMatch(/^bulwark:v2:/);
    expect(rewrapped.body).not.toContain('IBAN');
    await call('PATCH', '/keys/data/policy', { min_decryption_version: 2 });
    const retired = await call('POST', '/keys/data/decrypt', { ciphertext: ct, aad: 'customer-9' }, 'write');
    expect(retired.statusCode).toBe(400);
    expect(retired.json()).toMatchObject({ code: 'crypto_failed' });
    expect(retired.json().message).toContain('min_decryption_version');
    const ok = await call(
      'POST',
      '/keys/data/decrypt',
      { ciphertext: rewrapped.json().ciphertext, aad: 'customer-9' },
      'write',
    );
    expect(ok.json().plaintext).toBe('IBAN DE89 3704');

    const sig = await call('POST', '/keys/signer/sign', { data: 'release 1.2.3' }, 'write');
    expect(sig.json().signature).toMatch(/^bulwark:v1:/);
    expect(
      (
        await call(
          'POST',
          '/keys/signer/verify',
          { data: 'release 1.2.3', signature: sig.json().signature },
          'write',
        )
      ).json(),
    ).toEqual({ valid: true });
    expect(
      (
        await call(
          'POST',
          '/keys/signer/verify',
          { data: 'release 1.2.4', signature: sig.json().signature },
          'write',
        )
      ).json(),
    ).toEqual({ valid: false });
    expect(
      (await call('POST', '/keys/signer/verify', { data: 'x', signature: 'garbage' }, 'write')).json(),
    ).toEqual({ valid: false });
    const mac = await call('POST', '/keys/mac/hmac', { data: 'user@example.com' }, 'write');
    expect(
      (
        await call(
          'POST',
          '/keys/mac/verify-hmac',
          { data: 'user@example.com', mac: mac.json().mac },
          'write',
        )
      ).json(),
    ).toEqual({ valid: true });
  });

  it("refuses Bulwark's own keys on every crypto route, whatever the scope, and audits the attempt", async () => {
    // The tester's forgery: a write token signing a checkpoint payload, or MAC-ing a guess with the
    // redaction or pepper key. Signing once makes the checkpoint key exist (created on first use).
    await t.bulwark.audit.append({
      event_type: 'config_change',
      user_id: 'test',
      source_ip: '127.0.0.1',
      action: 'test.event',
      outcome: 'allowed',
      metadata: {},
    });
    await t.bulwark.audit.checkpoint();
    const attempts: [string, string, object][] = [
      ['bulwark.audit.checkpoint', 'sign', { data: '{"hash":"ffff","seq":1}' }],
      ['bulwark.audit.checkpoint', 'verify', { data: 'x', signature: 'AAAA' }],
      ['bulwark.audit.redaction', 'hmac', { data: 'bulwark/audit-redaction-marker/v1' }],
      ['bulwark.tokens.pepper', 'hmac', { data: 'bwk_guess' }],
      ['bulwark.tokens.pepper', 'verify-hmac', { data: 'x', mac: 'AAAA' }],
      ['bulwark.audit.redaction', 'encrypt', { plaintext: 'x' }],
      ['bulwark.nonexistent', 'decrypt', { ciphertext: 'x' }],
    ];
    for (const scope of ['write', 'admin'] as const)
      for (const [name, op, body] of attempts) {
        const res = await call('POST', `/keys/${name}/${op}`, body, scope);
        expect(res.statusCode, `${scope} ${op} ${name}`).toBe(403);
        expect(res.json()).toMatchObject({ code: 'forbidden' });
        expect(res.json().message).toContain("Bulwark's own keys");
        expect(res.body).not.toMatch(/"(signature|mac|ciphertext)"/);
      }
    const refusals = await t.bulwark.audit.list(
      { event_type: ['authorization_violation'], action_prefix: 'POST /keys/:name/' },
      { limit: 100, order: 'desc' },
    );
    const ownKeyRefusals = refusals.items.filter((r) =>
      String(r.metadata).includes('"reason":"bulwark_own_key"'),
    );
    expect(ownKeyRefusals.length).toBe(attempts.length * 2);
  });

  it('refuses to create a key in the bulwark. namespace, in any case', async () => {
    for (const name of ['bulwark.audit.checkpoint2', 'Bulwark.tokens.pepper', 'BULWARK.x']) {
      const res = await call('POST', '/keys', { name, type: 'hmac-sha256' });
      expect(res.statusCode, name).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', field: 'name' });
    }
    expect((await t.bulwark.keys.list()).some((k) => k.name.toLowerCase() === 'bulwark.x')).toBe(false);
  });
});
