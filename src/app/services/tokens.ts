import type { Actor } from '../../core/actor.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import type { TokenStore } from '../../core/ports/token-store.js';
import {
  type ApiToken,
  type Scope,
  generateToken,
  hashToken,
  parseScope,
  tokenDisplayPrefix,
} from '../../core/tokens.js';
import type { AuditService } from './audit.js';
import { refuseRedactableIdentifier } from './identifier-guard.js';

/** How token hashes are made and looked up when not with the static pepper (keyring-token-hasher.ts). */
export interface TokenHasher {
  /** The hash to store for a new token. */
  forNew(token: string): Promise<string>;
  /** Every hash the token may be stored under (newest scheme first). */
  candidates(token: string): Promise<string[]>;
}

const NAME = /^[\w.@:-]{1,64}$/;
// last_used_at is informative; writing it on every request would turn reads into writes.
const TOUCH_EVERY_MS = 60_000;

export class TokenService {
  private readonly lastTouch = new Map<string, number>();

  constructor(
    private readonly store: TokenStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly pepper: Buffer | undefined,
    private readonly hasher?: TokenHasher,
  ) {}

  /** Creates a token; the plaintext is returned once and never stored. */
  async create(
    input: { scope: unknown; name: unknown },
    actor: Actor,
  ): Promise<{ token: string; record: ApiToken }> {
    const scope: Scope = parseScope(input.scope);
    if (typeof input.name !== 'string' || !NAME.test(input.name)) {
      throw validationError('name', 'must be 1–64 characters of letters, digits, _ . @ : -');
    }
    // A name is an identifier (token:<name> in the audit log, lists, the dashboard).
    refuseRedactableIdentifier(this.audit, 'name', input.name, {
      personalData: 'refuse',
      why: 'names are shown in lists and the audit log',
    });
    const token = generateToken();
    const record: ApiToken = {
      id: newId(),
      name: input.name,
      scope,
      prefix: tokenDisplayPrefix(token),
      created_at: this.clock.now(),
      revoked_at: null,
      last_used_at: null,
    };
    const hash = this.hasher ? await this.hasher.forNew(token) : hashToken(token, this.pepper);
    await this.store.insert(record, hash);
    await this.audit.append({
      event_type: 'config_change',
      user_id: actor.id,
      source_ip: actor.ip,
      action: 'token.create',
      outcome: 'allowed',
      metadata: { token_id: record.id, name: record.name, scope },
    });
    return { token, record };
  }

  /** The live token for this bearer string, or null when unknown or revoked. */
  async authenticate(token: string): Promise<ApiToken | null> {
    const record = await this.#find(token);
    if (!record || record.revoked_at !== null) return null;
    const now = this.clock.now();
    if (now - (this.lastTouch.get(record.id) ?? 0) > TOUCH_EVERY_MS) {
      this.lastTouch.set(record.id, now);
      await this.store.touch(record.id, now);
    }
    return record;
  }

  async #find(token: string): Promise<ApiToken | null> {
    if (!this.hasher) return this.store.findByHash(hashToken(token, this.pepper));
    for (const hash of await this.hasher.candidates(token)) {
      const record = await this.store.findByHash(hash);
      if (record) return record;
    }
    return null;
  }

  list(): Promise<ApiToken[]> {
    return this.store.list();
  }

  async revoke(id: string, actor: Actor): Promise<void> {
    const ok = await this.store.revoke(id, this.clock.now());
    if (!ok) throw new BulwarkError('not_found', `no active token with id ${id}`);
    await this.audit.append({
      event_type: 'config_change',
      user_id: actor.id,
      source_ip: actor.ip,
      action: 'token.revoke',
      outcome: 'allowed',
      metadata: { token_id: id },
    });
  }
}
