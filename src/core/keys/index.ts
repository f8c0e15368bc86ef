/** The keyring: versioned keys, envelope encryption, signing and MACs (see keyring.ts). */
export * from './types.js';
export type { KeyStore } from './key-store.js';
export { MASTER_KEY_ENV, MasterKey, parseMasterKey, type WrapContext } from './master-key.js';
export { Keyring, type KeyringOptions, type RotateRequest } from './keyring.js';
export type { RotateInput } from './key-validation.js';
export {
  DEFAULT_AUTO_ROTATE_PERIOD_MS,
  MIN_AUTO_ROTATE_PERIOD_MS,
  applyPolicyPatch,
  initialPolicy,
  type KeyPolicyPatch,
} from './policy.js';
export { tokenVersion, TOKEN_PREFIX } from './versioned-token.js';
export {
  runRewrapJob,
  type RewrapFailure,
  type RewrapItem,
  type RewrapJobOptions,
  type RewrapProgress,
  type RewrapResult,
  type RewrapSource,
} from './rewrap-job.js';
