/**
 * All-or-nothing GCRA decisions over bucket states a store has loaded (SQL rows, for instance):
 * the same two phases as MemoryLimiterStore.consumeManySync, on plain values, so every store that
 * reads state, decides and writes back decides exactly as the memory store does.
 */
import { validationError } from '../errors.js';
import { type BucketDecision, checkBucketArgs, gcraStep, type GcraState, newBucketDecision } from './gcra.js';
import type { BucketRequest } from './ports.js';

export interface BatchOutcome {
  decisions: BucketDecision[];
  /** New state per request when every bucket allowed (write these back); null when nothing is charged. */
  next: GcraState[] | null;
}

/** Validates a batch: arguments in range, keys distinct. @throws validation_failed naming the field */
export function checkBatch(requests: readonly BucketRequest[], nowMs: number): void {
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    checkBucketArgs(r.key, r.limit, r.windowMs, r.cost ?? 1, nowMs);
    for (let j = 0; j < i; j++)
      if (requests[j]!.key === r.key)
        throw validationError(`requests[${i}].key`, 'keys in one call must be distinct');
  }
}

/** `states[i]` is the stored state of `requests[i]` (null: no row yet). Arguments must be checked. */
export function decideBatch(
  states: readonly (GcraState | null)[],
  requests: readonly BucketRequest[],
  nowMs: number,
): BatchOutcome {
  const n = requests.length;
  const decisions = new Array<BucketDecision>(n);
  const next = new Array<GcraState>(n);
  let all = true;
  for (let i = 0; i < n; i++) {
    const r = requests[i]!;
    const st = load(states[i] ?? null, r.limit);
    decisions[i] = gcraStep(st, r.limit, r.windowMs, r.cost ?? 1, nowMs, true, newBucketDecision());
    next[i] = st;
    if (!decisions[i]!.allowed) all = false;
  }
  if (all) return { decisions, next };
  // Nothing is charged: buckets that had room report their state without this request.
  for (let i = 0; i < n; i++) {
    if (!decisions[i]!.allowed) continue;
    const r = requests[i]!;
    gcraStep(load(states[i] ?? null, r.limit), r.limit, r.windowMs, 0, nowMs, false, decisions[i]!);
  }
  return { decisions, next: null };
}

function load(s: GcraState | null, limit: number): GcraState {
  if (s === null) return { tatMs: 0, tatRem: 0 };
  // A key reused with a smaller limit: keep the remainder within its units (as the memory store).
  return { tatMs: s.tatMs, tatRem: Math.min(s.tatRem, limit - 1) };
}
