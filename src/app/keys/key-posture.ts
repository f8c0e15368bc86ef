/**
 * The keyring's part of the posture: keys overdue for rotation by their policy, and how old each
 * key's latest version is. With the keyring disabled the answer says so and lists nothing.
 */
import type { KeyService } from '../services/keys.js';
import { ageDays } from './present-keys.js';

export interface KeyPosture {
  enabled: boolean;
  /** Keys whose latest version is older than their auto_rotate_period, longest overdue first. */
  overdue: { name: string; latest_version: number; due_since: string; overdue_days: number }[];
  /** Days since each key's latest version was made (one decimal), by key name. */
  latest_version_age_days: Record<string, number>;
}

export async function keyPosture(keys: KeyService, now: number): Promise<KeyPosture> {
  if (!keys.enabled) return { enabled: false, overdue: [], latest_version_age_days: {} };
  const [list, due] = await Promise.all([keys.list(), keys.due()]);
  return {
    enabled: true,
    overdue: due.map((d) => ({
      name: d.name,
      latest_version: d.latest_version,
      due_since: d.due_since.toISOString(),
      overdue_days: ageDays(d.due_since, now),
    })),
    latest_version_age_days: Object.fromEntries(
      list.map((k) => [k.name, ageDays(k.latest_version_created_at, now)]),
    ),
  };
}
