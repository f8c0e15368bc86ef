/**
 * Opens the keyring at start: resolves the master key (master-key-source.ts), then checks it
 * against the key check value stored in keyring_meta — a wrong master key fails here, at start,
 * with config_invalid, instead of on every later unwrap.
 */
import type { Logger } from 'pino';
import type { SqlDatabase } from '../../adapters/sql/dialect.js';
import type { SqlKeyStore } from '../../adapters/sql/key-store.js';
import { Keyring } from '../../core/keys/keyring.js';
import { resolveMasterKey } from './master-key-source.js';

export interface OpenedKeyring {
  keyring: Keyring | null;
  /** Why it is disabled, when it is. */
  reason: string;
}

export async function openKeyring(
  cfg: { master_key?: string | undefined; master_key_file?: string | undefined; database_url: string },
  store: SqlDatabase,
  keyStore: SqlKeyStore,
  opts: { generate: boolean; logger: Logger },
): Promise<OpenedKeyring> {
  const existing = await store.db
    .selectFrom('keyring_meta')
    .select('value')
    .where('name', '=', 'master_key_check')
    .executeTakeFirst();
  const resolved = resolveMasterKey(cfg, { generate: opts.generate, keyringExists: existing !== undefined });
  for (const w of resolved.warnings) opts.logger.warn(w);
  if (resolved.master === null) {
    opts.logger.info(resolved.reason);
    return { keyring: null, reason: resolved.reason };
  }
  if (resolved.origin === 'generated-file') {
    opts.logger.warn(
      `keyring: no master key was configured; generated one in ${resolved.file} (mode 0600). ` +
        'Back it up: without it the keyring cannot be unwrapped. Set BULWARK_MASTER_KEY_FILE to move it.',
    );
  } else if (resolved.origin === 'ephemeral') {
    opts.logger.debug('keyring: in-memory database, using an ephemeral master key');
  }
  return { keyring: await Keyring.open(keyStore, resolved.master), reason: '' };
}
