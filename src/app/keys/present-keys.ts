/** JSON shapes of the keyring's records for the API and the CLI: metadata only, ISO 8601 times. */
import type { KeyInfo, KeyPolicy, KeyRotationEvent, KeySummary } from '../../core/keys/types.js';
import { formatPeriod } from './duration.js';

export const presentPolicy = (p: KeyPolicy) => ({
  min_decryption_version: p.min_decryption_version,
  auto_rotate_period_ms: p.auto_rotate_period_ms,
  auto_rotate_period: formatPeriod(p.auto_rotate_period_ms),
  deletion_allowed: p.deletion_allowed,
});

const dueAt = (policy: KeyPolicy, latestCreated: Date): string | null =>
  policy.auto_rotate_period_ms > 0
    ? new Date(latestCreated.getTime() + policy.auto_rotate_period_ms).toISOString()
    : null;

export const presentKeySummary = (k: KeySummary, now: number) => ({
  name: k.name,
  type: k.type,
  latest_version: k.latest_version,
  latest_version_created_at: k.latest_version_created_at.toISOString(),
  latest_version_age_days: ageDays(k.latest_version_created_at, now),
  next_rotation_due_at: dueAt(k.policy, k.latest_version_created_at),
  created_at: k.created_at.toISOString(),
  policy: presentPolicy(k.policy),
});

export const presentKeyInfo = (k: KeyInfo, now: number) => {
  const latest = k.versions[k.versions.length - 1];
  return {
    name: k.name,
    type: k.type,
    latest_version: k.latest_version,
    min_available_version: k.min_available_version,
    created_at: k.created_at.toISOString(),
    latest_version_age_days: latest ? ageDays(latest.created_at, now) : null,
    next_rotation_due_at: latest ? dueAt(k.policy, latest.created_at) : null,
    policy: presentPolicy(k.policy),
    versions: k.versions.map((v) => ({
      version: v.version,
      created_at: v.created_at.toISOString(),
      usable: v.version >= k.policy.min_decryption_version,
    })),
  };
};

export const presentRotation = (e: KeyRotationEvent) => ({
  id: e.id,
  key_id: e.key_id,
  version_from: e.version_from,
  version_to: e.version_to,
  rotated_by: e.rotated_by,
  timestamp: e.timestamp.toISOString(),
  notes: e.notes,
});

/** Whole days, one decimal: how long the latest version has been in use. */
export const ageDays = (since: Date, now: number): number =>
  Math.round(((now - since.getTime()) / 86_400_000) * 10) / 10;
