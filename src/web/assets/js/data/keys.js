/**
 * Keys page data (docs/API.md "Keys"):
 *   GET /keys → {items: [{name, type, latest_version, latest_version_created_at, latest_version_age_days,
 *        next_rotation_due_at, created_at, policy: {min_decryption_version, auto_rotate_period, …}}]}
 *   GET /keys/:name → the key with versions: [{version, created_at, usable}], min_available_version
 *   GET /keys/:name/rotations → {items: [{id, key_id, version_from, version_to, rotated_by, timestamp, notes}]} (oldest first)
 *   POST /auth/rotate-keys (admin) {key_name, notes?} → 202 {rotations: [KeyRotationEvent]}
 *        (no audit entry in the answer: the page reads the key_rotation entry back from GET /security/logs)
 */
import { api } from '../api.js';

export const ROUTES = [
  'GET /keys',
  'GET /keys/:name',
  'GET /keys/:name/rotations',
  'POST /auth/rotate-keys (admin)',
];

export const listKeys = () => api('/keys');
export const getKey = (name) => api(`/keys/${encodeURIComponent(name)}`);
export const keyRotations = (name) => api(`/keys/${encodeURIComponent(name)}/rotations`);
export const rotateKey = (name, notes) =>
  api('/auth/rotate-keys', { method: 'POST', body: notes ? { key_name: name, notes } : { key_name: name } });
export { itemsOf } from './auth.js';
