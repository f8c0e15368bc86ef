/**
 * Rough throughput check (not a test): Keyring.encrypt/decrypt of 1 KiB vs bare node:crypto
 * AES-256-GCM with a prebuilt KeyObject. Goal: keyring/bare ≥ 0.8.
 * Run: npx tsx test/core/keys/keyring-throughput.bench-script.ts
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { MemoryKeyStore } from '../../../src/adapters/memory/key-store.js';
import { Keyring } from '../../../src/core/keys/keyring.js';
import { MasterKey } from '../../../src/core/keys/master-key.js';

const PAYLOAD = randomBytes(1024);
const N = 50_000;
const ROUNDS = 12;

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

// Passes are interleaved and the best of each kept, so load from other processes on the machine
// hits both sides alike.
const cases = {
  'bare encrypt (sync)': [() => bareEncrypt(PAYLOAD), false],
  'keyring.encrypt (await)': [() => keyring.encrypt('bench', PAYLOAD), true],
  'bare decrypt (sync)': [() => bareDecrypt(bareToken), false],
  'keyring.decrypt (await)': [() => keyring.decrypt('bench', token), true],
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
console.log(
  `throughput ratio keyring/bare: encrypt ${ratio('bare encrypt (sync)', 'keyring.encrypt (await)')}, decrypt ${ratio('bare decrypt (sync)', 'keyring.decrypt (await)')}`,
);
