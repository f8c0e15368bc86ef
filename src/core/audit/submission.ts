/**
 * Events an API client appends (POST /security/logs) are told apart from Bulwark's own entries.
 *
 * - Every such event is stamped with the token that submitted it: `metadata.submitted_by =
 *   {token_id, token_name}`. The stamp is added before the row is hashed, so it is part of the
 *   chain: removing it later breaks verify. Bulwark's own entries never carry it.
 * - A client may not send that key itself (any case or separators: `Submitted-By` too), so a
 *   stamp is always the server's.
 * - A client may not use the action namespaces Bulwark writes its own entries under (`key.rotate`,
 *   `token.create`, `vulnerability.transition`, …): an entry with such an action is always
 *   Bulwark's. Bulwark's other actions (`login`, `lockout …`, `GET /route`) are what a host service
 *   logs too; for those, the stamp is what tells them apart.
 * - Its time is within the event-time rule (event-time.ts).
 *
 * Library callers and Bulwark's own emitters are trusted code and take none of these checks.
 */
import { eventTimeProblem } from '../event-time.js';
import { normalizeKeyName } from './sensitive-keys.js';
import type { JsonObject } from './types.js';

/** The metadata key of the stamp. */
export const SUBMITTED_BY_KEY = 'submitted_by';

/** Who submitted an event over the API: the bearer token (its name is informative, its id is the identity). */
export interface Submitter {
  token_id: string;
  token_name: string;
}

/**
 * Action prefixes of Bulwark's own entries (src/app/services/*, keys/rotation-audit.ts,
 * auth-wiring.ts). test/audit/submitted-by.test.ts checks that every dotted action literal in src/
 * falls under one of these, so a new emitter cannot be forgotten here.
 */
export const RESERVED_ACTION_PREFIXES = [
  'approval.',
  'key.',
  'owasp_review.',
  'rate_limit.',
  'token.',
  'vulnerability.',
] as const;

/**
 * The reserved prefix `action` falls under, or null. Compared as a reader sees it: NFKC-folded
 * (fullwidth `ｋey.` is `key.`), without invisible format characters (zero-width spaces and
 * joiners, bidi controls: `key\u200b.rotate` renders as `key.rotate`), without leading spaces, and
 * case-insensitively.
 */
export function reservedActionPrefix(action: string): string | null {
  const a = action
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .trimStart()
    .toLowerCase();
  return RESERVED_ACTION_PREFIXES.find((p) => a.startsWith(p)) ?? null;
}

const STAMP_NAME = normalizeKeyName(SUBMITTED_BY_KEY);

/** What a client event may not carry: `{field, message}` with the field relative to the event, or null. */
export function clientEventProblem(
  ev: { action: string; metadata: JsonObject; timestamp: number },
  now: number,
): { field: string; message: string } | null {
  const prefix = reservedActionPrefix(ev.action);
  if (prefix !== null)
    return {
      field: 'action',
      message: `must not start with ${prefix} (${RESERVED_ACTION_PREFIXES.map((p) => `${p}*`).join(', ')} are Bulwark's own entries)`,
    };
  const stampKey = Object.keys(ev.metadata).find((k) => normalizeKeyName(k) === STAMP_NAME);
  if (stampKey !== undefined)
    return {
      field: `metadata.${stampKey}`,
      message: 'is set by the server (the token that submitted the event) and cannot be supplied',
    };
  const time = eventTimeProblem(ev.timestamp, now);
  if (time !== null) return { field: 'timestamp', message: time };
  return null;
}

/** `metadata` with the submitter's stamp added (a new object; the input is not changed). */
export const stampSubmitter = (metadata: JsonObject, s: Submitter): JsonObject => ({
  ...metadata,
  [SUBMITTED_BY_KEY]: { token_id: s.token_id, token_name: s.token_name },
});
