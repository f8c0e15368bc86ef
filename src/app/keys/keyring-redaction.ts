/**
 * The audit redactor's HMAC key from the keyring (`bulwark.audit.redaction`), so redaction markers
 * (`[REDACTED:email:ab12cd34ef56]`) keep equal values correlatable without a static secret.
 *
 * The redactor is synchronous, the keyring is not: the redactor's key is a subkey derived once at
 * start — HMAC, under the key's latest version, of a fixed label. A rotation takes effect at the
 * next start; markers written before it stay as they are (they are one-way tags, nothing verifies
 * them, and the audit chain hashes the stored text, so its verification is unaffected).
 */
import { createRedactor, type Redactor, type RedactorOptions } from '../../core/audit/redaction.js';
import { parseToken } from '../../core/keys/versioned-token.js';
import type { KeyService } from '../services/keys.js';
import { OWN_KEYS } from './own-keys.js';

const LABEL = 'bulwark/audit-redaction-marker/v1';

export interface SwappableRedactor extends Redactor {
  /** Replaces the redactor every later call uses. */
  use(next: Redactor): void;
}

/** A redactor that delegates to a replaceable one (the audit service is built before the keyring opens). */
export function swappableRedactor(initial: Redactor = createRedactor()): SwappableRedactor {
  let current = initial;
  const r = ((value: unknown) => current(value)) as SwappableRedactor;
  r.redact = (value, hooks) => current.redact(value, hooks);
  r.redactString = (s) => current.redactString(s);
  r.holdsSecret = (s) => current.holdsSecret(s);
  r.keyKind = (k) => current.keyKind(k);
  r.marker = (kind, original) => current.marker(kind, original);
  r.preparedJson = (value) => current.preparedJson(value);
  r.use = (next) => {
    current = next;
  };
  return r;
}

/** The redactor keyed from the keyring (creating the key on first start). */
export async function keyringRedactor(keys: KeyService, options: RedactorOptions = {}): Promise<Redactor> {
  const { name, type } = OWN_KEYS.auditRedaction;
  await keys.ensure(name, type);
  const mac = parseToken(await keys.hmac(name, LABEL), true);
  if (mac === null) throw new Error('keyring returned a malformed MAC');
  try {
    return createRedactor({ ...options, hmacKey: mac.payload });
  } finally {
    mac.payload.fill(0); // createRedactor keeps its own copy
  }
}
