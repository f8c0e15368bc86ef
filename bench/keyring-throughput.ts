/**
 * `npm run bench:keys`: encrypt/decrypt of 1 KiB payloads per second through the keyring as a host
 * uses it — `bulwark.keys` (KeyService → Keyring → SqlKeyStore on SQLite, key cache warm) and the
 * bare core Keyring over the memory store — against bare node:crypto AES-256-GCM with a prebuilt
 * KeyObject, in the same process. Goal: keyring/bare ≥ 0.8 (the keyring adds a lookup, not cost).
 * BENCH_N and BENCH_ROUNDS override the iterations per pass and the number of interleaved passes.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { MemoryKeyStore } from '../src/adapters/memory/key-store.js';
import { createBulwark } from '../src/app/bulwark.js';
import { Keyring } from '../src/core/keys/keyring.js';
import { MasterKey } from '../src/core/keys/master-key.js';

const PAYLOAD = randomBytes(1024);
const N = Number(process.env.BENCH_N ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);

const bareKey = createSecretKey(randomBytes(32));

/** What a careful hand-written caller does: fresh nonce, encrypt, tag, one buffer out, base64url string. */
function bareEncrypt(pt: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', bareKey, iv);
  const ct = Buffer.concat([iv, c.update(pt), c.final(), c.getAuthTag()]);
  return ct.toString('base64url');
}

function bareDecrypt(text: string): Buffer {
  const blob = Buffer.from(text, 'base64url');
  const d = createDecipheriv('aes-256-gcm', bareKey, blob.subarray(0, 12), { authTagLength: 16 });
  d.setAuthTag(blob.subarray(blob.length - 16));
  return Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]);
}

/** ns/op of one pass; sync functions run in a plain loop (no await), so bare is not slowed by microtasks. */
async function pass(fn: () => unknown, isAsync: boolean): Promise<number> {
  const t0 = process.hrtime.bigint();
  if (isAsync) for (let i = 0; i < N; i++) await fn();
  else for (let i = 0; i < N; i++) fn();
  return Number(process.hrtime.bigint() - t0) / N;
}

const keyring = await Keyring.open(new MemoryKeyStore(), MasterKey.fromBytes(randomBytes(32)));
await keyring.createKey('bench', 'aes256-gcm');
const token = await keyring.encrypt('bench', PAYLOAD);
const bareToken = bareEncrypt(PAYLOAD);
const bulwark = await createBulwark(
  { database_url: 'sqlite::memory:', master_key: randomBytes(32).toString('base64') },
  { logLevel: 'silent', env: {} },
);
await bulwark.keys.create({ name: 'bench', type: 'aes256-gcm' }, { id: 'bench', ip: '127.0.0.1' });
const serviceToken = await bulwark.keys.encrypt('bench', PAYLOAD);
// Every path must round-trip, or the figures mean nothing.
if (!(await bulwark.keys.decrypt('bench', serviceToken)).equals(PAYLOAD))
  throw new Error('round trip failed');
if (!(await keyring.decrypt('bench', token)).equals(PAYLOAD)) throw new Error('round trip failed');
if (!bareDecrypt(bareToken).equals(PAYLOAD)) throw new Error('round trip failed');

// Passes are interleaved and the best of each kept, so load from other processes on the machine
// hits both sides alike.
const cases = {
  'bare encrypt (sync)': [() => bareEncrypt(PAYLOAD), false],
  'keyring.encrypt (await)': [() => keyring.encrypt('bench', PAYLOAD), true],
  'bulwark.keys.encrypt': [() => bulwark.keys.encrypt('bench', PAYLOAD), true],
  'bare decrypt (sync)': [() => bareDecrypt(bareToken), false],
  'keyring.decrypt (await)': [() => keyring.decrypt('bench', token), true],
  'bulwark.keys.decrypt': [() => bulwark.keys.decrypt('bench', serviceToken), true],
} as const;
const best: Record<string, number> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [label, [fn, isAsync]] of Object.entries(cases)) {
    best[label] = Math.min(best[label] ?? Infinity, await pass(fn, isAsync));
  }
}
for (const [label, ns] of Object.entries(best)) {
  console.log(
    `${label.padEnd(26)} ${ns.toFixed(0).padStart(6)} ns/op  ${(1e9 / ns).toFixed(0).padStart(8)} ops/s`,
  );
}
const ratio = (bare: string, ours: string): string => (best[bare]! / best[ours]!).toFixed(2);
console.log(`1 KiB payloads, best of ${ROUNDS} interleaved passes of ${N}`);
console.log(
  `throughput ratio core keyring/bare: encrypt ${ratio('bare encrypt (sync)', 'keyring.encrypt (await)')}, decrypt ${ratio('bare decrypt (sync)', 'keyring.decrypt (await)')}`,
);
console.log(
  `throughput ratio bulwark.keys/bare: encrypt ${ratio('bare encrypt (sync)', 'bulwark.keys.encrypt')}, decrypt ${ratio('bare decrypt (sync)', 'bulwark.keys.decrypt')} (goal >= 0.8)`,
);
await bulwark.close();
