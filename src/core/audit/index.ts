/** The audit ledger's pure domain: validation, redaction, sanitising, hash chain, checkpoints, Merkle proofs. */
export * from './types.js';
export * from './event.js';
export { normalizeIp } from './source-ip.js';
export {
  createRedactor,
  redact,
  redactString,
  TRUNCATED_DEPTH,
  TRUNCATED_SIZE,
  type Redactor,
  type RedactorOptions,
  type WalkHooks,
} from './redaction.js';
export { neutralizeControlChars, hasControlChars, sanitizeMetadata, prepareMetadata } from './sanitize.js';
export { canonicalJson, isCanonicalJson } from './canonical-json.js';
export * from './hash-chain.js';
export * from './checkpoint.js';
export * from './merkle.js';
export { toAuditDraft } from './draft.js';
export { PII_KINDS, isCardNumber } from './pii-patterns.js';
export { SECRET_DETECTOR_KINDS } from './secret-patterns.js';
export { normalizeKeyName } from './sensitive-keys.js';
export * from './ledger-verify.js';
export * from './inclusion-proof.js';
