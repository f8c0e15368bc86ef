/** Posture page data: GET /security/posture, /security/health, /security/posture/trend. */
import { api } from '../api.js';

export const ROUTES = ['GET /security/posture', 'GET /security/health', 'GET /security/posture/trend'];

export const getPosture = (edition) => api('/security/posture', { query: { edition } });
export const getHealth = (edition) => api('/security/health', { query: { edition } });
export const getTrend = (days = 90) => api('/security/posture/trend', { query: { days } });
