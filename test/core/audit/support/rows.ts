/** In-memory audit rows for chain tests. */
import { chainRows } from '../../../../src/core/audit/hash-chain.js';
import type { ChainRow } from '../../../../src/core/audit/types.js';

const TYPES = [
  'auth_failure',
  'auth_success',
  'authorization_violation',
  'rate_limit_trigger',
  'key_rotation',
  'config_change',
] as const;
const OUTCOMES = ['allowed', 'denied', 'error'] as const;

/** n chained rows from seq 1, deterministic content. */
export function makeRows(n: number, start = { seq: 0, hash: '0'.repeat(64) }): ChainRow[] {
  const drafts = Array.from({ length: n }, (_, i) => ({
    id: `0190a5d0-0000-7000-8000-${String(start.seq + i + 1).padStart(12, '0')}`,
    event_type: TYPES[i % TYPES.length] as string,
    user_id: i % 4 === 0 ? null : `user-${i % 7}`,
    source_ip: i % 2 ? '203.0.113.7' : '2001:db8::1',
    action: `POST /v1/messages #${i}`,
    outcome: OUTCOMES[i % OUTCOMES.length] as string,
    timestamp: 1_714_566_600_000 + i * 1000,
    metadata: `{"attempt":${i % 5},"path":"/v1/messages"}`,
  }));
  return chainRows(drafts, start);
}

export const clone = (rows: ChainRow[]): ChainRow[] => rows.map((r) => ({ ...r }));
