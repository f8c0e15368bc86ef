/**
 * Signed checkpoints of the audit hash chain: `{seq, hash, time, key_id, key_version}` signed with
 * Ed25519, so that anyone holding only the public key can tell whether rows up to `seq` were
 * rewritten, re-chained or truncated since the checkpoint was taken.
 *
 * The signature covers the canonical JSON of the five payload fields (canonical-json.ts) and is
 * stored base64 in `signature`, matching the store port's AuditCheckpointRow. Export format: JSON
 * lines, one canonical signed checkpoint per line — importCheckpoints plus the public key (PEM) is
 * all a verifier needs.
 */
import {
  type KeyObject,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { BulwarkError, validationError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';

export interface CheckpointPayload {
  /** seq of the last row covered. */
  seq: number;
  /** That row's hash. */
  hash: string;
  /** When the checkpoint was taken (epoch ms). */
  time: number;
  key_id: string;
  key_version: number;
}

export interface SignedCheckpoint extends CheckpointPayload {
  /** Ed25519 signature over checkpointPayload(), base64. */
  signature: string;
}

/** A key as KeyObject or PEM text. */
export type KeyInput = KeyObject | string;

/** One public key for every checkpoint, or a lookup by key id and version (key rotation). */
export type CheckpointKeyLookup = KeyInput | ((keyId: string, keyVersion: number) => KeyInput | undefined);

const HEX64 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The exact bytes signed: canonical JSON of the five payload fields (any other field is ignored). */
export function checkpointPayload(cp: CheckpointPayload): string {
  return canonicalJson({
    seq: cp.seq,
    hash: cp.hash,
    time: cp.time,
    key_id: cp.key_id,
    key_version: cp.key_version,
  });
}

function ed25519Key(key: KeyInput, kind: 'private' | 'public'): KeyObject {
  let k: KeyObject;
  try {
    k = typeof key === 'string' ? (kind === 'private' ? createPrivateKey(key) : createPublicKey(key)) : key;
  } catch (e) {
    throw new BulwarkError('config_invalid', `checkpoint ${kind} key: not a readable PEM key`, { cause: e });
  }
  if (k.asymmetricKeyType !== 'ed25519')
    throw new BulwarkError(
      'config_invalid',
      `checkpoint ${kind} key: must be an Ed25519 key, got ${k.asymmetricKeyType ?? k.type}`,
    );
  if (kind === 'private' && k.type !== 'private')
    throw new BulwarkError('config_invalid', 'checkpoint private key: a public key cannot sign');
  // A private key can verify too (node derives the public half).
  return k;
}

/** Fails fast on a payload that could not be verified later. */
function checkPayload(cp: CheckpointPayload): void {
  if (!Number.isSafeInteger(cp.seq) || cp.seq < 0)
    throw validationError('seq', 'must be a non-negative whole number');
  if (typeof cp.hash !== 'string' || !HEX64.test(cp.hash))
    throw validationError('hash', 'must be 64 lower-case hex digits');
  if (!Number.isSafeInteger(cp.time) || cp.time < 0)
    throw validationError('time', 'must be epoch milliseconds');
  if (typeof cp.key_id !== 'string' || cp.key_id.length === 0 || cp.key_id.length > 128)
    throw validationError('key_id', 'must be 1–128 characters');
  if (!Number.isSafeInteger(cp.key_version) || cp.key_version < 0)
    throw validationError('key_version', 'must be a non-negative whole number');
}

/** Signs a checkpoint with an Ed25519 private key. */
export function signCheckpoint(payload: CheckpointPayload, privateKey: KeyInput): SignedCheckpoint {
  checkPayload(payload);
  const key = ed25519Key(privateKey, 'private');
  const signature = sign(null, Buffer.from(checkpointPayload(payload), 'utf8'), key).toString('base64');
  return {
    seq: payload.seq,
    hash: payload.hash,
    time: payload.time,
    key_id: payload.key_id,
    key_version: payload.key_version,
    signature,
  };
}

/** True when `cp.signature` is a valid Ed25519 signature of its payload under `publicKey`. */
export function verifyCheckpoint(cp: SignedCheckpoint, publicKey: KeyInput): boolean {
  const key = ed25519Key(publicKey, 'public');
  if (typeof cp.signature !== 'string' || !BASE64.test(cp.signature)) return false;
  const sig = Buffer.from(cp.signature, 'base64');
  if (sig.length !== 64) return false;
  try {
    checkPayload(cp);
    return verify(null, Buffer.from(checkpointPayload(cp), 'utf8'), key, sig);
  } catch (e) {
    if (e instanceof BulwarkError && e.code === 'validation_failed') return false;
    throw e;
  }
}

/** verifyCheckpoint through a key lookup; `unknown_key` when the lookup has no key for it. */
export function verifyCheckpointWith(
  cp: SignedCheckpoint,
  keys: CheckpointKeyLookup,
): 'valid' | 'invalid' | 'unknown_key' {
  const key = typeof keys === 'function' ? keys(cp.key_id, cp.key_version) : keys;
  if (key === undefined) return 'unknown_key';
  return verifyCheckpoint(cp, key) ? 'valid' : 'invalid';
}

/** JSON lines: one canonical signed checkpoint per line, newline-terminated. */
export function exportCheckpoints(cps: readonly SignedCheckpoint[]): string {
  return cps.map((cp) => `${canonicalJson({ ...pick(cp), signature: cp.signature })}\n`).join('');
}

const pick = (cp: CheckpointPayload): CheckpointPayload => ({
  seq: cp.seq,
  hash: cp.hash,
  time: cp.time,
  key_id: cp.key_id,
  key_version: cp.key_version,
});

const FIELDS = ['hash', 'key_id', 'key_version', 'seq', 'signature', 'time'];

/**
 * Parses exported JSON lines (blank lines skipped). Throws validation_failed naming the line for
 * malformed input; signatures are not checked here (verifyCheckpoint / verifyChain do that).
 */
export function importCheckpoints(text: string): SignedCheckpoint[] {
  const out: SignedCheckpoint[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const where = `line ${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw validationError(where, 'is not valid JSON');
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw validationError(where, 'must be a JSON object');
    const keys = Object.keys(v).sort();
    if (keys.join() !== FIELDS.join())
      throw validationError(where, `must have exactly the fields ${FIELDS.join(', ')}`);
    const cp = v as SignedCheckpoint;
    try {
      checkPayload(cp);
    } catch (e) {
      if (e instanceof BulwarkError)
        throw validationError(`${where}.${e.field ?? 'input'}`, e.message.replace(/^[^:]*: /, ''));
      throw e;
    }
    if (typeof cp.signature !== 'string' || !BASE64.test(cp.signature))
      throw validationError(`${where}.signature`, 'must be base64');
    out.push(cp);
  }
  return out;
}

/** A fresh Ed25519 key pair as PEM (SPKI public, PKCS#8 private). */
export function generateCheckpointKeyPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
