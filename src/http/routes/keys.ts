/**
 * The keyring over HTTP (docs/API.md "Keys"). Management answers metadata only — versions, policy,
 * rotations — never key material, wrapped or not. Crypto endpoints (write scope) let a service
 * without the library encrypt, decrypt, rewrap, sign, verify and MAC under a named key; bad
 * ciphertexts answer 400 crypto_failed, unknown keys 404.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../core/actor.js';
import { KEY_TYPES } from '../../core/keys/types.js';
import type { KeyPolicyPatch } from '../../core/keys/policy.js';
import { parsePeriod } from '../../app/keys/duration.js';
import { isOwnKeyName } from '../../app/keys/own-keys.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import { presentKeyInfo, presentKeySummary, presentRotation } from '../../app/keys/present-keys.js';
import { actorOf } from '../auth.js';
import { responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

const keyName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
  error: 'a key name is 1–128 characters of A-Z a-z 0-9 . _ - starting with a letter or digit',
});
const nameParams = z.strictObject({ name: keyName });
const notes = z.string().max(2000).nullable().optional();

const policyBody = z.strictObject({
  min_decryption_version: z.number().int().min(1).optional(),
  /** A period such as "90d", "12h", "2w", or "0" (off). */
  auto_rotate_period: z.union([z.string().max(20), z.number().int().min(0)]).optional(),
  auto_rotate_period_ms: z.number().int().min(0).optional(),
  deletion_allowed: z.boolean().optional(),
});

const createBody = z.strictObject({
  name: keyName,
  type: z.enum(KEY_TYPES),
  policy: policyBody.optional(),
});

const rotateBody = z
  .strictObject({
    key_name: keyName.optional(),
    key_names: z.array(keyName).min(1).max(100).optional(),
    notes,
    /** Rotate only if the key is still at this version (check-and-set; 409 conflict otherwise). */
    expected_version: z.number().int().min(1).optional(),
  })
  .refine((b) => (b.key_name === undefined) !== (b.key_names === undefined), {
    error: 'give exactly one of key_name and key_names',
    path: ['key_name'],
  });

// Payloads: UTF-8 text, or any bytes as base64 (`*_base64`), never both.
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const bytesField = (field: string, max: number) => ({
  [field]: z.string().max(max).optional(),
  [`${field}_base64`]: z
    .string()
    .max(Math.ceil((max * 4) / 3) + 4)
    .regex(B64, { error: 'must be base64' })
    .optional(),
});
const MAX_PAYLOAD = 64 * 1024;
const encryptBody = z.strictObject({ ...bytesField('plaintext', MAX_PAYLOAD), ...bytesField('aad', 4096) });
const ciphertextBody = z.strictObject({
  ciphertext: z.string().min(1).max(200_000),
  ...bytesField('aad', 4096),
});
const dataBody = z.strictObject({ ...bytesField('data', MAX_PAYLOAD) });
const verifyBody = z.strictObject({
  ...bytesField('data', MAX_PAYLOAD),
  signature: z.string().min(1).max(1000),
});
const verifyMacBody = z.strictObject({
  ...bytesField('data', MAX_PAYLOAD),
  mac: z.string().min(1).max(1000),
});
const deleteQuery = z.strictObject({
  below: z
    .string()
    .regex(/^\d{1,9}$/, { error: 'must be a whole number' })
    .transform(Number),
});

type Body = Record<string, string | undefined>;

function bytesOf(body: Body, field: string, required: boolean): Buffer | undefined {
  const text = body[field];
  const b64 = body[`${field}_base64`];
  if (text !== undefined && b64 !== undefined)
    throw validationError(field, `give ${field} or ${field}_base64, not both`);
  if (text !== undefined) return Buffer.from(text, 'utf8');
  if (b64 !== undefined) return Buffer.from(b64, 'base64');
  if (required) throw validationError(field, `is required (as ${field} or ${field}_base64)`);
  return undefined;
}

export function policyPatchOf(body: z.output<typeof policyBody>): KeyPolicyPatch {
  if (body.auto_rotate_period !== undefined && body.auto_rotate_period_ms !== undefined) {
    throw validationError(
      'policy.auto_rotate_period',
      'give auto_rotate_period or auto_rotate_period_ms, not both',
    );
  }
  const patch: KeyPolicyPatch = {};
  if (body.min_decryption_version !== undefined) patch.min_decryption_version = body.min_decryption_version;
  if (body.auto_rotate_period !== undefined) {
    patch.auto_rotate_period_ms = parsePeriod(body.auto_rotate_period, 'policy.auto_rotate_period');
  }
  if (body.auto_rotate_period_ms !== undefined) patch.auto_rotate_period_ms = body.auto_rotate_period_ms;
  if (body.deletion_allowed !== undefined) patch.deletion_allowed = body.deletion_allowed;
  return patch;
}

const actor = (req: FastifyRequest): Actor => ({ id: actorOf(req), ip: req.ip });
const nameOf = (req: FastifyRequest): string => (req.params as { name: string }).name;

export const keyRoutes: RouteModule = (app, bulwark) => {
  const keys = bulwark.keys;
  const now = () => bulwark.clock.now();

  app.post(
    '/auth/rotate-keys',
    {
      config: { scope: 'admin' },
      schema: {
        summary:
          'Rotate one or more keys now (each: new version + KeyRotationEvent + key_rotation audit entry)',
        body: rotateBody,
        response: responses(202, '{rotations: KeyRotationEvent[]}', [404, 409]),
      },
    },
    async (req, reply) => {
      const body = req.body as z.output<typeof rotateBody>;
      if (body.expected_version !== undefined && body.key_name === undefined) {
        throw validationError('expected_version', 'goes with key_name (one key), not key_names');
      }
      const events =
        body.expected_version !== undefined
          ? [
              await keys.rotate(
                body.key_name!,
                { notes: body.notes ?? null, expected_version: body.expected_version },
                actor(req),
              ),
            ]
          : await keys.rotateMany(body.key_names ?? [body.key_name!], body.notes ?? null, actor(req));
      return reply.status(202).send({ rotations: events.map(presentRotation) });
    },
  );

  app.get(
    '/keys',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Every key: type, latest version and its age, policy',
        response: responses(200, '{items}'),
      },
    },
    async () => ({ items: (await keys.list()).map((k) => presentKeySummary(k, now())) }),
  );

  app.post(
    '/keys',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Create a key (aes256-gcm, ed25519 or hmac-sha256) with version 1',
        body: createBody,
        response: responses(201, 'The key (metadata only)', [409]),
      },
    },
    async (req, reply) => {
      const body = req.body as z.output<typeof createBody>;
      const info = await keys.create(
        { name: body.name, type: body.type, ...(body.policy ? { policy: policyPatchOf(body.policy) } : {}) },
        actor(req),
      );
      return reply.status(201).header('location', `/keys/${info.name}`).send(presentKeyInfo(info, now()));
    },
  );

  app.get(
    '/keys/:name',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'One key: versions and policy (never material)',
        params: nameParams,
        response: responses(200, 'The key', [404]),
      },
    },
    async (req) => presentKeyInfo(await keys.show(nameOf(req)), now()),
  );

  app.get(
    '/keys/:name/rotations',
    {
      config: { scope: 'read' },
      schema: {
        summary: "The key's rotation events, oldest first",
        params: nameParams,
        response: responses(200, '{items: KeyRotationEvent[]}', [404]),
      },
    },
    async (req) => ({ items: (await keys.rotations(nameOf(req))).map(presentRotation) }),
  );

  for (const method of ['put', 'patch'] as const) {
    app[method](
      '/keys/:name/policy',
      {
        config: { scope: 'admin' },
        schema: {
          summary: 'Change the policy (fields given are changed; audited as config_change)',
          params: nameParams,
          body: policyBody,
          response: responses(200, 'The key with its new policy', [404]),
        },
      },
      async (req) => {
        const patch = policyPatchOf(req.body as z.output<typeof policyBody>);
        return presentKeyInfo(await keys.updatePolicy(nameOf(req), patch, actor(req)), now());
      },
    );
  }

  app.delete(
    '/keys/:name/versions',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Delete versions below ?below=N for good (policy must allow it; audited)',
        params: nameParams,
        querystring: deleteQuery,
        response: responses(200, 'The key after deletion', [404]),
      },
    },
    async (req) => {
      const { below } = req.query as { below: number };
      return presentKeyInfo(await keys.deleteVersionsBelow(nameOf(req), below, actor(req)), now());
    },
  );

  /** Refuses a crypto call under one of Bulwark's own keys, and records who tried. */
  const refuseOwnKey = async (req: FastifyRequest, name: string, operation: string): Promise<never> => {
    const who = actor(req);
    await bulwark.audit.append({
      event_type: 'authorization_violation',
      user_id: who.id,
      source_ip: who.ip,
      action: `POST /keys/:name/${operation}`,
      outcome: 'denied',
      metadata: { key_name: name, reason: 'bulwark_own_key' },
    });
    throw new BulwarkError(
      'forbidden',
      `${name} is one of Bulwark's own keys (checkpoint signing, redaction, token pepper): it cannot be used through the API`,
    );
  };

  const crypto = (
    path: string,
    summary: string,
    body: z.ZodType,
    run: (name: string, body: Body) => Promise<Record<string, unknown>>,
  ) =>
    app.post(
      `/keys/:name/${path}`,
      {
        config: { scope: 'write' },
        schema: { summary, params: nameParams, body, response: responses(200, summary, [403, 404]) },
      },
      async (req) => {
        const name = nameOf(req);
        if (isOwnKeyName(name)) await refuseOwnKey(req, name, path);
        return run(name, req.body as Body);
      },
    );

  crypto('encrypt', 'Encrypt under the latest version → {ciphertext}', encryptBody, async (name, b) => ({
    ciphertext: await keys.encrypt(name, bytesOf(b, 'plaintext', true)!, bytesOf(b, 'aad', false)),
  }));
  crypto(
    'decrypt',
    'Decrypt → {plaintext_base64, plaintext (when UTF-8)}',
    ciphertextBody,
    async (name, b) => {
      const plain = await keys.decrypt(name, b.ciphertext!, bytesOf(b, 'aad', false));
      const text = plain.toString('utf8');
      return {
        plaintext_base64: plain.toString('base64'),
        plaintext: Buffer.from(text, 'utf8').equals(plain) ? text : null,
      };
    },
  );
  crypto(
    'rewrap',
    'Re-encrypt under the latest version without returning plaintext',
    ciphertextBody,
    async (name, b) => ({
      ciphertext: await keys.rewrap(name, b.ciphertext!, bytesOf(b, 'aad', false)),
    }),
  );
  crypto('sign', 'Sign with an ed25519 key → {signature}', dataBody, async (name, b) => ({
    signature: await keys.sign(name, bytesOf(b, 'data', true)!),
  }));
  crypto('verify', 'Verify an ed25519 signature → {valid}', verifyBody, async (name, b) => ({
    valid: await keys.verify(name, bytesOf(b, 'data', true)!, b.signature!),
  }));
  crypto('hmac', 'HMAC-SHA256 with an hmac-sha256 key → {mac}', dataBody, async (name, b) => ({
    mac: await keys.hmac(name, bytesOf(b, 'data', true)!),
  }));
  crypto('verify-hmac', 'Check a MAC in constant time → {valid}', verifyMacBody, async (name, b) => ({
    valid: await keys.verifyHmac(name, bytesOf(b, 'data', true)!, b.mac!),
  }));
};
