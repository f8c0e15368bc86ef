/**
 * Keys page data (issue 6). Expected shapes:
 *   GET /keys → {items: [{name, type, latest_version, latest_created_at, min_decryption_version,
 *                         auto_rotate_period_days?, rotation_due_at?, overdue}]}
 *   GET /keys/:name/rotations → {items: [{id, key_id, version_from, version_to, rotated_by, timestamp, notes}]}
 *   POST /auth/rotate-keys (admin) {key, notes?} → 202 {event: {…KeyRotationEvent}, audit?}
 */
import { api } from '../api.js';

export const ROUTES = ['GET /keys', 'GET /keys/:name/rotations', 'POST /auth/rotate-keys (admin)'];

export const listKeys = () => api('/keys');
export const keyRotations = (name) => api(`/keys/${encodeURIComponent(name)}/rotations`);
export const rotateKey = (key, notes) =>
  api('/auth/rotate-keys', { method: 'POST', body: notes ? { key, notes } : { key } });
export { itemsOf } from './auth.js';
