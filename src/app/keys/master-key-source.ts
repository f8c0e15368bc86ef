/**
 * Where the keyring's master key comes from (docs/DECISIONS.md "Keys: master key handling"):
 *
 * 1. BULWARK_MASTER_KEY (the value) or BULWARK_MASTER_KEY_FILE (a file holding it) — one, not both.
 * 2. Neither, and the database is a SQLite file: the default key file `<db file>.master-key`
 *    beside it. `serve` (and the `keys` commands) create it on first start — 32 random bytes,
 *    base64, mode 0600, created exclusively — and say so in the log. It is never created when the
 *    database already holds a keyring made under another master key (that is a lost key, and
 *    a fresh one would only hide it).
 * 3. Neither, and the database is `sqlite::memory:`: an ephemeral random key (the data it protects
 *    dies with the process anyway).
 * 4. Otherwise (PostgreSQL without a configured key) the keyring is disabled: every keyring use
 *    answers config_invalid naming the settings. Never a plaintext fallback.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { BulwarkError } from '../../core/errors.js';
import { MasterKey, parseMasterKey } from '../../core/keys/master-key.js';

export type MasterKeyOrigin = 'env' | 'file' | 'default-file' | 'generated-file' | 'ephemeral';

export type MasterKeyResolution =
  | { master: MasterKey; origin: MasterKeyOrigin; file?: string; warnings: string[] }
  | { master: null; reason: string; warnings: string[] };

export interface MasterKeyInputs {
  master_key?: string | undefined;
  master_key_file?: string | undefined;
  database_url: string;
}

export interface ResolveOptions {
  /** May the default key file be created when it is missing? */
  generate: boolean;
  /** Whether the database already holds a keyring check value (then a new key would be wrong). */
  keyringExists: boolean;
}

export const MASTER_KEY_FILE_ENV = 'BULWARK_MASTER_KEY_FILE';
const HOW_TO =
  'set BULWARK_MASTER_KEY (32 random bytes: `openssl rand -base64 32`) or BULWARK_MASTER_KEY_FILE';

/** The default key file for a SQLite database file, or null for other databases. */
export function defaultKeyFile(databaseUrl: string): string | null {
  if (!databaseUrl.startsWith('sqlite:')) return null;
  const file = databaseUrl.slice('sqlite:'.length);
  if (file === '' || file === ':memory:') return null;
  return `${file}.master-key`;
}

export function resolveMasterKey(cfg: MasterKeyInputs, opts: ResolveOptions): MasterKeyResolution {
  const warnings: string[] = [];
  const hasValue = cfg.master_key !== undefined && cfg.master_key !== '';
  if (hasValue && cfg.master_key_file !== undefined) {
    throw new BulwarkError(
      'config_invalid',
      'BULWARK_MASTER_KEY and BULWARK_MASTER_KEY_FILE are both set: set exactly one',
      { field: 'master_key' },
    );
  }
  if (hasValue) return { master: parseMasterKey(cfg.master_key), origin: 'env', warnings };
  if (cfg.master_key_file !== undefined) {
    const master = readKeyFile(cfg.master_key_file, MASTER_KEY_FILE_ENV, warnings);
    return { master, origin: 'file', file: cfg.master_key_file, warnings };
  }
  if (cfg.database_url === 'sqlite::memory:') {
    const bytes = randomBytes(32);
    try {
      return { master: MasterKey.fromBytes(bytes), origin: 'ephemeral', warnings };
    } finally {
      bytes.fill(0);
    }
  }
  const file = defaultKeyFile(cfg.database_url);
  if (file === null) {
    return {
      master: null,
      reason: `the keyring is disabled: no master key is configured; ${HOW_TO}`,
      warnings,
    };
  }
  if (exists(file)) {
    return {
      master: readKeyFile(file, `master key file ${file}`, warnings),
      origin: 'default-file',
      file,
      warnings,
    };
  }
  if (opts.keyringExists) {
    throw new BulwarkError(
      'config_invalid',
      `BULWARK_MASTER_KEY: not set, and the default key file ${file} is missing, but this database ` +
        'already holds a keyring: restore the master key it was created with (key file or ' +
        'BULWARK_MASTER_KEY); a new key could not unwrap the stored keys',
      { field: 'master_key' },
    );
  }
  if (!opts.generate) {
    return {
      master: null,
      reason:
        `the keyring is disabled: no master key is configured and ${file} does not exist yet ` +
        `(\`bulwark serve\` creates it on first start); or ${HOW_TO}`,
      warnings,
    };
  }
  return { master: generateKeyFile(file, warnings), origin: 'generated-file', file, warnings };
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function readKeyFile(file: string, setting: string, warnings: string[]): MasterKey {
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a regular file');
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      warnings.push(
        `master key file ${file} is readable by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // The message names the file and the OS reason, never any content.
    throw new BulwarkError('config_invalid', `${setting}: cannot read ${file}: ${(err as Error).message}`, {
      field: 'master_key_file',
    });
  }
  return parseMasterKey(text, setting);
}

function generateKeyFile(file: string, warnings: string[]): MasterKey {
  const bytes = randomBytes(32);
  try {
    let fd: number;
    try {
      // 'wx': exclusive create — two processes starting at once never overwrite each other's key.
      fd = openSync(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        return readKeyFile(file, `master key file ${file}`, warnings);
      }
      throw new BulwarkError(
        'config_invalid',
        `cannot create the master key file ${file}: ${(err as Error).message}; ${HOW_TO}`,
        { field: 'master_key_file' },
      );
    }
    try {
      writeSync(fd, bytes.toString('base64') + '\n');
    } finally {
      closeSync(fd);
    }
    return MasterKey.fromBytes(bytes);
  } finally {
    bytes.fill(0);
  }
}
