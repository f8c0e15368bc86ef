/**
 * Reading OSV records from disk: a directory of `*.json` files, a single `all.zip` (OSV's export
 * format), or an osv-scanner style offline tree (`{ECOSYSTEM}/all.zip`), or any mix (a directory
 * walk takes `.json` and `.zip` files alike). Yields each record's text; parsing is the caller's.
 *
 * Zips are streamed (fflate's Unzip fed 64 KiB at a time), so memory stays bounded by one entry and
 * one chunk's output, never the archive. Zip bombs are refused: an entry over `maxEntryBytes`
 * uncompressed, more than `maxEntries` entries, or more than `maxTotalBytes` uncompressed in all
 * abort the read with an `unprocessable` error naming the archive and entry.
 */
import { createReadStream } from 'node:fs';
import { opendir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { BulwarkError } from '../../core/errors.js';

export interface ZipLimits {
  /** Largest uncompressed entry (default 16 MiB; the biggest real OSV record is well under 1 MiB). */
  maxEntryBytes: number;
  /** Largest total uncompressed size (default 4 GiB; the whole OSV npm export is ~1 GiB). */
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 16 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
  maxEntries: 2_000_000,
};

export interface AdvisoryText {
  /** `dir/GHSA-….json` or `all.zip!GHSA-….json`: for error messages. */
  source: string;
  text: string;
}

export interface AdvisoryFileProgress {
  /** Bytes read from disk so far, over the total size of the files being read. */
  (readBytes: number, totalBytes: number): void;
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = [];
    for await (const e of await opendir(dir)) entries.push(e);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(full);
      } else if (e.isFile() && /\.(json|zip)$/i.test(e.name)) out.push(full);
    }
  };
  await walk(root);
  return out;
}

/** Every OSV record text under `target` (a file or a directory). */
export async function* readAdvisoryFiles(
  target: string,
  progress?: AdvisoryFileProgress,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): AsyncGenerator<AdvisoryText> {
  let info;
  try {
    info = await stat(target);
  } catch {
    throw new BulwarkError('validation_failed', `path: ${target} does not exist or cannot be read`, {
      field: 'path',
    });
  }
  const files = info.isDirectory() ? await listFiles(target) : [target];
  if (!info.isDirectory() && !/\.(json|zip)$/i.test(target))
    throw new BulwarkError(
      'validation_failed',
      `path: ${target} is neither a directory, a .json file nor a .zip`,
      {
        field: 'path',
      },
    );
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    if (/\.zip$/i.test(file)) {
      const base = done;
      for await (const entry of readZip(file, limits, (n) => progress?.(base + n, total))) yield entry;
    } else {
      if ((sizes[i] as number) > limits.maxEntryBytes)
        throw new BulwarkError(
          'unprocessable',
          `${file}: larger than ${limits.maxEntryBytes} bytes; not an OSV record`,
        );
      yield { source: file, text: await readFile(file, 'utf8') };
    }
    done += sizes[i] as number;
    progress?.(done, total);
  }
}

const EOCD = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const decoder = new TextDecoder('utf-8', { fatal: false });

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Streams the `.json` entries of one zip. */
export async function* readZip(
  zipPath: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  onRead?: (bytes: number) => void,
): AsyncGenerator<AdvisoryText> {
  const ready: AdvisoryText[] = [];
  let failure: BulwarkError | null = null;
  let entries = 0;
  let totalOut = 0;
  /** Entries started but not finished: non-zero at the end means a truncated archive. */
  let open = 0;
  const name = path.basename(zipPath);
  const bomb = (what: string): BulwarkError =>
    new BulwarkError('unprocessable', `${zipPath}: ${what}; refusing it as a possible zip bomb`);

  const unzip = new Unzip((file: UnzipFile) => {
    if (failure) return;
    if (file.name.endsWith('/') || !/\.json$/i.test(file.name)) return; // directories, READMEs
    if (++entries > limits.maxEntries) {
      failure = bomb(`more than ${limits.maxEntries} entries`);
      return;
    }
    if (file.originalSize !== undefined && file.originalSize > limits.maxEntryBytes) {
      failure = bomb(
        `entry ${file.name} declares ${file.originalSize} bytes uncompressed (limit ${limits.maxEntryBytes})`,
      );
      return;
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    open++;
    file.ondata = (err, data, final) => {
      if (failure) return;
      if (err) {
        failure = new BulwarkError(
          'unprocessable',
          `${zipPath}: entry ${file.name} is corrupt (${err.message})`,
        );
        return;
      }
      size += data.length;
      totalOut += data.length;
      // Checked on what actually inflates, not on the header's claim (which a bomb can lie in).
      if (size > limits.maxEntryBytes) {
        failure = bomb(`entry ${file.name} inflates past ${limits.maxEntryBytes} bytes`);
        file.terminate();
        return;
      }
      if (totalOut > limits.maxTotalBytes) {
        failure = bomb(`contents inflate past ${limits.maxTotalBytes} bytes in all`);
        file.terminate();
        return;
      }
      if (data.length > 0) parts.push(data);
      if (final) open--;
      if (final) ready.push({ source: `${name}!${file.name}`, text: decoder.decode(concat(parts, size)) });
    };
    try {
      file.start();
    } catch (e) {
      failure = new BulwarkError('unprocessable', `${zipPath}: entry ${file.name}: ${(e as Error).message}`);
    }
  });
  unzip.register(UnzipInflate);

  let read = 0;
  let sawHeader = false;
  // The end-of-central-directory record sits in the last 64 KiB + 22 bytes of a whole archive; a
  // streamed reader would otherwise take a cut-off download for a shorter archive.
  const TAIL = 65_557;
  let tail: Buffer = Buffer.alloc(0);
  const stream = createReadStream(zipPath, { highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!sawHeader) {
        sawHeader = true;
        if (chunk.length < 4 || chunk.readUInt32LE(0) !== 0x04034b50)
          throw new BulwarkError('unprocessable', `${zipPath}: not a zip archive`);
      }
      read += chunk.length;
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > TAIL) tail = tail.subarray(tail.length - TAIL);
      try {
        unzip.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length), false);
      } catch (e) {
        throw new BulwarkError('unprocessable', `${zipPath}: corrupt archive (${(e as Error).message})`);
      }
      onRead?.(read);
      if (failure) throw failure;
      while (ready.length > 0) yield ready.shift() as AdvisoryText;
    }
    if (!sawHeader) throw new BulwarkError('unprocessable', `${zipPath}: empty file, not a zip archive`);
    try {
      unzip.push(new Uint8Array(0), true);
    } catch (e) {
      throw new BulwarkError('unprocessable', `${zipPath}: corrupt archive (${(e as Error).message})`);
    }
    if (failure) throw failure;
    if (open > 0 || tail.lastIndexOf(EOCD) === -1)
      throw new BulwarkError('unprocessable', `${zipPath}: truncated archive (no end of central directory)`);
    while (ready.length > 0) yield ready.shift() as AdvisoryText;
  } finally {
    stream.destroy();
  }
}
