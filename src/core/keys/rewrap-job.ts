/**
 * Re-encrypts a host's stored ciphertexts under a key's latest version, in batches — the step after
 * a rotation that lets min_decryption_version be raised (and old versions trimmed) safely.
 *
 * - Resumable: progress reports carry the cursor after each fully written batch; save it and pass it
 *   back as `startCursor` to continue. A crash mid-batch redoes at most that batch, and redoing is
 *   harmless because items already on the latest version are skipped without being decrypted.
 * - An item that cannot be rewrapped (tampered, retired version, not a Bulwark ciphertext) is
 *   reported in `failures` and left as it is; the job goes on. Errors of the host's own list/write
 *   (e.g. its store is down) stop the job: they are thrown, with the last saved cursor still valid.
 */
import { BulwarkError, validationError } from '../errors.js';
import type { Keyring } from './keyring.js';
import { tokenVersion } from './versioned-token.js';

export interface RewrapItem {
  id: string;
  ciphertext: string;
}

export interface RewrapSource {
  /** Items after `afterCursor` (null = from the start), at most `limit`; nextCursor null at the end. */
  list(
    afterCursor: string | null,
    limit: number,
  ): Promise<{ items: RewrapItem[]; nextCursor: string | null }>;
  write(id: string, newCiphertext: string): Promise<void>;
}

export interface RewrapProgress {
  /** Cursor to resume from (everything up to it is done); null once the source is exhausted. */
  cursor: string | null;
  batches: number;
  scanned: number;
  rewrapped: number;
  skipped: number;
  failed: number;
}

export interface RewrapFailure {
  id: string;
  code: string;
  message: string;
}

export interface RewrapResult extends RewrapProgress {
  /** True when the source was read to its end; false when stopped by the signal. */
  completed: boolean;
  /** The first `maxFailuresReported` failures (the count is in `failed`). */
  failures: RewrapFailure[];
}

export interface RewrapJobOptions {
  keyring: Keyring;
  keyName: string;
  source: RewrapSource;
  batchSize?: number;
  startCursor?: string | null;
  /** The AAD each item was encrypted with, if any (it must be the same to decrypt). */
  aadFor?: (item: RewrapItem) => Buffer | string | undefined;
  onProgress?: (progress: RewrapProgress) => void | Promise<void>;
  /** Checked between batches; an aborted job returns completed: false with a resumable cursor. */
  signal?: AbortSignal;
  maxFailuresReported?: number;
}

export async function runRewrapJob(options: RewrapJobOptions): Promise<RewrapResult> {
  const { keyring, keyName, source, aadFor, onProgress, signal } = options;
  const batchSize = options.batchSize ?? 100;
  const maxFailures = options.maxFailuresReported ?? 100;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw validationError('batchSize', 'must be an integer from 1 to 10000');
  }
  const progress: RewrapProgress = {
    cursor: options.startCursor ?? null,
    batches: 0,
    scanned: 0,
    rewrapped: 0,
    skipped: 0,
    failed: 0,
  };
  const failures: RewrapFailure[] = [];

  for (;;) {
    if (signal?.aborted) return { ...progress, completed: false, failures };
    const page = await source.list(progress.cursor, batchSize);
    if (page.nextCursor !== null && page.nextCursor === progress.cursor) {
      // A source that hands back the cursor it was given would loop forever.
      throw new BulwarkError(
        'unprocessable',
        `rewrap source returned the same cursor it was given (${progress.cursor})`,
      );
    }
    const latest = await keyring.latestVersion(keyName);
    for (const item of page.items) {
      progress.scanned++;
      const version = tokenVersion(item.ciphertext);
      if (version !== null && version >= latest) {
        progress.skipped++;
        continue;
      }
      let rewrapped: string;
      try {
        rewrapped = await keyring.rewrap(keyName, item.ciphertext, aadFor?.(item));
      } catch (e) {
        if (!(e instanceof BulwarkError) || e.code !== 'crypto_failed') throw e;
        progress.failed++;
        if (failures.length < maxFailures) failures.push({ id: item.id, code: e.code, message: e.message });
        continue;
      }
      if (rewrapped === item.ciphertext) {
        progress.skipped++; // the keyring learned of a newer version mid-batch: this one is already current
        continue;
      }
      await source.write(item.id, rewrapped);
      progress.rewrapped++;
    }
    progress.cursor = page.nextCursor;
    progress.batches++;
    await onProgress?.({ ...progress });
    if (page.nextCursor === null) return { ...progress, completed: true, failures };
  }
}
