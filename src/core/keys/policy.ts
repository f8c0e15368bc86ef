/**
 * Per-key policy: defaults, validation of changes, and the rule for deleting old versions.
 *
 * Deletion rule (trimVersions, after Vault transit's `trim`): only when deletion_allowed, and only
 * versions strictly below min_decryption_version. Deleting is irreversible, so it must come second:
 * first raise min_decryption_version (reversible — if some data still needed the old version, its
 * decrypt failures show and the policy can be lowered again), then delete what is already unusable.
 * The latest version is never deletable because min_decryption_version can never exceed it.
 */
import { validationError } from '../errors.js';
import type { KeyPolicy } from './types.js';

export const DEFAULT_AUTO_ROTATE_PERIOD_MS = 90 * 24 * 60 * 60 * 1000;
/** Vault's floor for auto-rotation: more often than hourly is a misconfiguration, not a policy. */
export const MIN_AUTO_ROTATE_PERIOD_MS = 60 * 60 * 1000;
/** Longer than ten years is a typo, not a policy; a due date past that would not even be a valid Date for huge values. */
export const MAX_AUTO_ROTATE_PERIOD_MS = 3650 * 24 * 60 * 60 * 1000;

export type KeyPolicyPatch = Partial<KeyPolicy>;

const POLICY_FIELDS = new Set<string>([
  'min_decryption_version',
  'auto_rotate_period_ms',
  'deletion_allowed',
]);

/** The policy of a new key (only version 1 exists, so min_decryption_version is 1). */
export function initialPolicy(input: KeyPolicyPatch | undefined): KeyPolicy {
  const base: KeyPolicy = {
    min_decryption_version: 1,
    auto_rotate_period_ms: DEFAULT_AUTO_ROTATE_PERIOD_MS,
    deletion_allowed: false,
  };
  return applyPolicyPatch(base, input ?? {}, { latestVersion: 1, minAvailableVersion: 1 });
}

/** The policy after `patch`, checked against the key's versions; throws validation_failed naming the field. */
export function applyPolicyPatch(
  current: KeyPolicy,
  patch: KeyPolicyPatch,
  versions: { latestVersion: number; minAvailableVersion: number },
): KeyPolicy {
  if (patch === null || typeof patch !== 'object') throw validationError('policy', 'must be an object');
  for (const field of Object.keys(patch)) {
    if (!POLICY_FIELDS.has(field)) throw validationError(`policy.${field}`, 'is not a key policy setting');
  }
  const next: KeyPolicy = { ...current };
  if (patch.min_decryption_version !== undefined) {
    const v = patch.min_decryption_version;
    if (!Number.isSafeInteger(v) || v < versions.minAvailableVersion || v > versions.latestVersion) {
      throw validationError(
        'policy.min_decryption_version',
        `must be an integer from ${versions.minAvailableVersion} (oldest stored version) ` +
          `to ${versions.latestVersion} (latest version)`,
      );
    }
    next.min_decryption_version = v;
  }
  if (patch.auto_rotate_period_ms !== undefined) {
    const p = patch.auto_rotate_period_ms;
    if (
      !Number.isSafeInteger(p) ||
      p < 0 ||
      (p > 0 && p < MIN_AUTO_ROTATE_PERIOD_MS) ||
      p > MAX_AUTO_ROTATE_PERIOD_MS
    ) {
      throw validationError(
        'policy.auto_rotate_period_ms',
        'must be 0 (disabled), or from 3600000 (one hour) to 315360000000 (3650 days)',
      );
    }
    next.auto_rotate_period_ms = p;
  }
  if (patch.deletion_allowed !== undefined) {
    if (typeof patch.deletion_allowed !== 'boolean') {
      throw validationError('policy.deletion_allowed', 'must be true or false');
    }
    next.deletion_allowed = patch.deletion_allowed;
  }
  return next;
}

/** The versions trimVersions(minAvailableVersion) deletes; throws when the policy forbids it. */
export function versionsToTrim(
  keyName: string,
  policy: KeyPolicy,
  storedVersions: readonly number[],
  minAvailableVersion: number,
): number[] {
  if (!policy.deletion_allowed) {
    throw validationError('policy.deletion_allowed', `key '${keyName}' does not allow deleting versions`);
  }
  if (!Number.isSafeInteger(minAvailableVersion) || minAvailableVersion < 1) {
    throw validationError('min_available_version', 'must be a positive integer');
  }
  if (minAvailableVersion > policy.min_decryption_version) {
    throw validationError(
      'min_available_version',
      `must not exceed min_decryption_version (${policy.min_decryption_version}) of key '${keyName}': ` +
        'raise min_decryption_version first, so no version still allowed to decrypt is deleted',
    );
  }
  return storedVersions.filter((v) => v < minAvailableVersion);
}
