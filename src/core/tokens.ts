/**
 * API tokens. A token is shown once at creation: `bwk_` + 32 random bytes (base64url). Only a keyed
 * hash is stored (HMAC-SHA256 under a server-side pepper when configured, so a stolen token table
 * alone cannot be used to test guesses offline); lookups are by that hash.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { validationError } from './errors.js';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

/** read ⊂ write ⊂ admin: a token satisfies every scope at or below its own. */
export const scopeAllows = (granted: Scope, required: Scope): boolean => RANK[granted] >= RANK[required];

export function parseScope(input: unknown): Scope {
  if (typeof input === 'string' && (SCOPES as readonly string[]).includes(input)) return input as Scope;
  throw validationError('scope', `must be one of ${SCOPES.join(', ')}`);
}

export const TOKEN_PREFIX = 'bwk_';

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string, pepper?: Buffer): string {
  return pepper
    ? 'h1:' + createHmac('sha256', pepper).update(token).digest('hex')
    : 's1:' + createHash('sha256').update(token).digest('hex');
}

/** The first characters, kept so a person can tell tokens apart in a list without seeing them. */
export const tokenDisplayPrefix = (token: string): string => token.slice(0, TOKEN_PREFIX.length + 6);

export interface ApiToken {
  id: string;
  name: string;
  scope: Scope;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}
