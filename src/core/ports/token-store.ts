import type { ApiToken } from '../tokens.js';

export interface TokenStore {
  insert(token: ApiToken, tokenHash: string): Promise<void>;
  /** The token with this hash, revoked or not; null when unknown. */
  findByHash(tokenHash: string): Promise<ApiToken | null>;
  list(): Promise<ApiToken[]>;
  /** Marks revoked; returns false when no such token (or already revoked). */
  revoke(id: string, at: number): Promise<boolean>;
  touch(id: string, at: number): Promise<void>;
}
