/**
 * Downloading OSV's per-ecosystem exports (`{base}/{ECOSYSTEM}/all.zip`, the layout of
 * https://osv-vulnerabilities.storage.googleapis.com) to a local file, streamed with a size cap.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BulwarkError } from '../../core/errors.js';

export const DEFAULT_ADVISORY_BASE_URL = 'https://osv-vulnerabilities.storage.googleapis.com';
/** The compressed npm export is ~150 MiB today; 1 GiB leaves room without accepting anything. */
export const MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024;

export const exportUrl = (base: string, ecosystem: string): string =>
  `${base.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;

const unavailable = (url: string, why: string): BulwarkError =>
  new BulwarkError('advisory_source_unavailable', `download of ${url} failed: ${why}`);

/** Fetches `url` into `dest`; throws advisory_source_unavailable (and leaves no partial file) on failure. */
export async function downloadTo(
  url: string,
  dest: string,
  opts: { maxBytes?: number; timeoutMs?: number } = {},
): Promise<number> {
  const maxBytes = opts.maxBytes ?? MAX_DOWNLOAD_BYTES;
  let res: Response;
  try {
    res = await fetch(url, {
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10 * 60_000),
      redirect: 'follow',
    });
  } catch (e) {
    throw unavailable(url, (e as Error).message);
  }
  if (!res.ok || !res.body) throw unavailable(url, `HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw unavailable(url, `${declared} bytes is over the ${maxBytes}-byte limit`);
  let size = 0;
  const counted = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  counted.on('data', (c: Buffer) => {
    size += c.length;
    if (size > maxBytes) counted.destroy(unavailable(url, `more than ${maxBytes} bytes`));
  });
  try {
    await pipeline(counted, createWriteStream(dest));
  } catch (e) {
    await rm(dest, { force: true });
    throw e instanceof BulwarkError ? e : unavailable(url, (e as Error).message);
  }
  return size;
}
