/** Shared set-up for the keyring tests: a fresh store + master key + keyring, and material inspection. */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { MemoryKeyStore } from '../../../src/adapters/memory/key-store.js';
import { Keyring, type KeyringOptions } from '../../../src/core/keys/keyring.js';
import { MasterKey, parseMasterKey } from '../../../src/core/keys/master-key.js';
import { sharedPath } from '../../support/shared-data.js';

export interface Rig {
  store: MemoryKeyStore;
  master: MasterKey;
  masterBytes: Buffer;
  masterText: string;
  keyring: Keyring;
}

export async function makeRig(options: KeyringOptions = {}): Promise<Rig> {
  const masterBytes = randomBytes(32);
  const masterText = masterBytes.toString('base64');
  const master = parseMasterKey(masterText);
  const store = new MemoryKeyStore();
  const keyring = await Keyring.open(store, master, options);
  return { store, master, masterBytes, masterText, keyring };
}

/** The raw (unwrapped) material of a stored version — only tests may look at it. */
export async function rawMaterial(rig: Rig, name: string, version: number): Promise<Buffer> {
  const record = await rig.store.getKey(name);
  const stored = record?.versions.find((v) => v.version === version);
  if (record === null || stored === undefined) throw new Error(`no version ${version} of ${name}`);
  return rig.master.unwrap(stored.wrapped_material, { keyName: name, version, type: record.type });
}

/** A controllable millisecond clock for cache-TTL tests. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export interface GitleaksRow {
  rule_id: string;
  expect: 'match' | 'no_match';
  text: string;
}

/** The gitleaks fake-secret corpus (real secret formats: the kind of values a keyring protects). */
export function gitleaksSecrets(): GitleaksRow[] {
  const text = gunzipSync(readFileSync(sharedPath('vuln/secrets/gitleaks_curated_subset.jsonl.gz'))).toString(
    'utf8',
  );
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GitleaksRow);
}
