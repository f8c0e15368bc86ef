/** The vulnerability register's domain: CVSS scoring, OWASP Top 10, lifecycle, SLA, the entity. */
export * from './cvss.js';
export * from './owasp.js';
export * from './lifecycle.js';
export * from './sla.js';
export * from './vulnerability.js';
export * from './transition.js';
