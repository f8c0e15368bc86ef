/** Sign-in data: who a token is (GET /auth/whoami, read scope). */
import { api } from '../api.js';

export const whoami = (token) => api('/auth/whoami', { token });
