/**
 * The keyring as a service: key management with its audit trail, and the crypto operations.
 *
 * - Rotations are audited inside their own transaction (the SqlKeyStore's rotation hook, see
 *   src/app/keys/rotation-audit.ts); the actor reaches that hook through `rotationActor`.
 * - Creations, policy changes and version deletions are `config_change` audit entries, written
 *   after the change they record.
 * - Without a master key the service exists but is disabled: every call answers not_configured
 *   with the reason (never a fallback to unencrypted material).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor } from '../../core/actor.js';
import { SYSTEM_ACTOR } from '../../core/actor.js';
import type { Clock } from '../../core/clock.js';
import { OWN_KEYS, OWN_KEY_PREFIX, isOwnKeyName } from '../keys/own-keys.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import type { Keyring } from '../../core/keys/keyring.js';
import type { KeyPolicyPatch } from '../../core/keys/policy.js';
import type { DueKey, KeyInfo, KeyRotationEvent, KeySummary, KeyType } from '../../core/keys/types.js';
import type { AuditService } from './audit.js';

type Bytes = Buffer | Uint8Array | string;

export interface CreateKeyInput {
  name: string;
  type: KeyType;
  policy?: KeyPolicyPatch;
}

export interface KeyRotateInput {
  notes?: string | null;
  expected_version?: number;
}

export class KeyService {
  /** The actor of the rotation in progress, for the audit entry written in its transaction. */
  static readonly rotationActor = new AsyncLocalStorage<Actor>();

  constructor(
    private readonly keyring: Keyring | null,
    private readonly disabledReason: string,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.keyring !== null;
  }

  /** Why the keyring is disabled (null when enabled). */
  get disabled(): string | null {
    return this.keyring === null ? this.disabledReason : null;
  }

  /**
   * The keyring itself, for the library and Bulwark's own keys. Disabled → not_configured
   * (503): a capability left unconfigured, not a broken configuration nor a server fault.
   */
  ring(): Keyring {
    if (this.keyring === null) {
      throw new BulwarkError('not_configured', this.disabledReason, { field: 'master_key' });
    }
    return this.keyring;
  }

  #now(): Date {
    return new Date(this.clock.now());
  }

  async create(input: CreateKeyInput, actor: Actor): Promise<KeyInfo> {
    if (input === null || typeof input !== 'object') throw validationError('body', 'must be an object');
    if (typeof input.name === 'string' && isOwnKeyName(input.name))
      throw validationError(
        'name',
        `names starting with "${OWN_KEY_PREFIX}" are reserved for Bulwark's own keys`,
      );
    return this.#create(input, actor);
  }

  async #create(input: CreateKeyInput, actor: Actor): Promise<KeyInfo> {
    const info = await this.ring().createKey(input.name, input.type, input.policy, { now: this.#now() });
    await this.audit.append({
      event_type: 'config_change',
      user_id: actor.id,
      source_ip: actor.ip,
      action: 'key.create',
      outcome: 'allowed',
      metadata: { key_name: info.name, type: info.type, policy: { ...info.policy } },
    });
    return info;
  }

  /** Creates one of Bulwark's own keys if it does not exist yet (a racing creator is fine). */
  async ensure(name: string, type: KeyType): Promise<void> {
    const ring = this.ring();
    try {
      await ring.getKey(name);
      return;
    } catch (e) {
      if (!(e instanceof BulwarkError) || e.code !== 'not_found') throw e;
    }
    try {
      await this.#create({ name, type }, SYSTEM_ACTOR);
    } catch (e) {
      if (!(e instanceof BulwarkError) || e.code !== 'conflict') throw e;
    }
  }

  async list(): Promise<KeySummary[]> {
    return this.ring().listKeys();
  }

  async show(name: string): Promise<KeyInfo> {
    return this.ring().getKey(name);
  }

  async rotations(name?: string): Promise<KeyRotationEvent[]> {
    const ring = this.ring();
    return name === undefined ? ring.listRotations() : ring.getKey(name).then(() => ring.listRotations(name));
  }

  /** Rotates one key; the version, the KeyRotationEvent and the audit entry commit together. */
  async rotate(name: string, input: KeyRotateInput, actor: Actor): Promise<KeyRotationEvent> {
    const ring = this.ring();
    return KeyService.rotationActor.run(actor, () =>
      ring.rotate(name, {
        rotated_by: actor.id,
        notes: input.notes == null ? null : this.audit.redactText(input.notes),
        now: this.#now(),
        ...(input.expected_version !== undefined ? { expected_version: input.expected_version } : {}),
      }),
    );
  }

  /**
   * Rotates several keys, each in its own transaction. Every name is checked first, so an unknown
   * name rotates nothing; a conflict midway says which keys were already rotated.
   */
  async rotateMany(names: string[], notes: string | null, actor: Actor): Promise<KeyRotationEvent[]> {
    const ring = this.ring();
    const unique = [...new Set(names)];
    for (const name of unique) await ring.getKey(name);
    const events: KeyRotationEvent[] = [];
    for (const name of unique) {
      try {
        events.push(await this.rotate(name, { notes }, actor));
      } catch (e) {
        if (e instanceof BulwarkError && events.length > 0) {
          throw new BulwarkError(
            e.code,
            `${e.message} (already rotated: ${events.map((x) => x.key_id).join(', ')})`,
            {
              details: { ...e.details, rotated: events.map((x) => x.key_id) },
            },
          );
        }
        throw e;
      }
    }
    return events;
  }

  /** Rotates every key due by policy, as `system` (the scheduler and `keys rotate --due`). */
  async rotateDue(actor: Actor = SYSTEM_ACTOR): Promise<{ rotated: KeyRotationEvent[]; skipped: string[] }> {
    const ring = this.ring();
    return KeyService.rotationActor.run(actor, () =>
      ring.rotateDue({ rotated_by: actor.id, notes: 'automatic rotation by policy', now: this.#now() }),
    );
  }

  async due(): Promise<DueKey[]> {
    return this.ring().dueForRotation(this.#now());
  }

  async updatePolicy(name: string, patch: KeyPolicyPatch, actor: Actor): Promise<KeyInfo> {
    const ring = this.ring();
    const before = (await ring.getKey(name)).policy;
    const info = await ring.updatePolicy(name, patch);
    await this.audit.append({
      event_type: 'config_change',
      user_id: actor.id,
      source_ip: actor.ip,
      action: 'key.policy',
      outcome: 'allowed',
      metadata: { key_name: name, before: { ...before }, after: { ...info.policy } },
    });
    return info;
  }

  /** Deletes versions below `minAvailableVersion` for good, when the key's policy allows it. */
  async deleteVersionsBelow(name: string, minAvailableVersion: number, actor: Actor): Promise<KeyInfo> {
    const ring = this.ring();
    const before = await ring.getKey(name);
    let info: KeyInfo;
    try {
      // Old versions of the checkpoint key verify the checkpoints they signed: deleting them would
      // turn every earlier checkpoint into "key unknown". Retire them with min_decryption_version.
      if (name === OWN_KEYS.auditCheckpoint.name)
        throw validationError(
          'name',
          `versions of ${name} cannot be deleted: checkpoints signed with them would no longer verify`,
        );
      info = await ring.trimVersions(name, minAvailableVersion);
    } catch (e) {
      if (e instanceof BulwarkError && e.code === 'validation_failed') {
        // A refused deletion is worth a record too: someone tried to destroy key material.
        await this.audit.append({
          event_type: 'config_change',
          user_id: actor.id,
          source_ip: actor.ip,
          action: 'key.delete_versions',
          outcome: 'denied',
          metadata: { key_name: name, below_version: minAvailableVersion, reason: e.message },
        });
      }
      throw e;
    }
    const deleted = before.versions
      .map((v) => v.version)
      .filter((v) => !info.versions.some((x) => x.version === v));
    await this.audit.append({
      event_type: 'config_change',
      user_id: actor.id,
      source_ip: actor.ip,
      action: 'key.delete_versions',
      outcome: 'allowed',
      metadata: { key_name: name, deleted_versions: deleted },
    });
    return info;
  }

  async encrypt(name: string, plaintext: Bytes, aad?: Bytes): Promise<string> {
    return this.ring().encrypt(name, plaintext, aad);
  }

  async decrypt(name: string, ciphertext: string, aad?: Bytes): Promise<Buffer> {
    return this.ring().decrypt(name, ciphertext, aad);
  }

  async rewrap(name: string, ciphertext: string, aad?: Bytes): Promise<string> {
    return this.ring().rewrap(name, ciphertext, aad);
  }

  async sign(name: string, data: Bytes): Promise<string> {
    return this.ring().sign(name, data);
  }

  async verify(name: string, data: Bytes, signature: string): Promise<boolean> {
    return this.ring().verify(name, data, signature);
  }

  async hmac(name: string, data: Bytes): Promise<string> {
    return this.ring().hmac(name, data);
  }

  async verifyHmac(name: string, data: Bytes, mac: string): Promise<boolean> {
    return this.ring().verifyHmac(name, data, mac);
  }
}
