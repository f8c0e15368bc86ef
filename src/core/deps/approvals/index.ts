export * from './approval.js';
export { MAX_POLICY_BYTES, parsePolicy } from './policy.js';
