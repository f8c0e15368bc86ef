/**
 * Parsing a big lockfile on a worker thread. POST /security/scans parses on the request (a bad file
 * is a 422), and a 10 MB package-lock is 1.5-2.5 s of JSON.parse plus graph building: on the main
 * thread that froze every other request for as long. JSON.parse cannot be interrupted, so that part
 * cannot be made cooperative; it runs here instead, and the packages come back in chunks (one JSON
 * string per 500 packages, each parsed in its own event-loop turn: a few ms each). Structured
 * clone was measured slower than JSON for these many small objects (1.6-5 s to deserialize 150,000).
 *
 * Small files (most real ones) are parsed inline: a worker costs ~50 ms to start.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BulwarkError, type ErrorCode } from '../../core/errors.js';
import type { LockfileFormat, LockPackage, ParsedLockfile } from '../../core/deps/lockfiles/types.js';

/** Contents at least this large are parsed off the main thread (~50 ms of parsing inline). */
export const OFF_THREAD_MIN_BYTES = 256 * 1024;

export interface ParseRequest {
  fileName: string;
  content: string | Uint8Array;
  chunkSize: number;
}

export type ParseMessage =
  | { type: 'chunk'; json: string }
  | { type: 'done'; format: LockfileFormat; version: string }
  | { type: 'error'; code: ErrorCode; message: string; details?: Record<string, unknown> | undefined };

const CHUNK_PACKAGES = 500;

// One parse at a time: two 16 MiB uploads must not take both cores and twice the memory.
let tail: Promise<unknown> = Promise.resolve();

/** parseLockfile on a worker thread: same result, same errors (BulwarkError 'unprocessable' naming the file). */
export function parseLockfileOffThread(
  fileName: string,
  content: string | Uint8Array,
): Promise<ParsedLockfile> {
  const run = tail.then(() => parseInWorker({ fileName, content, chunkSize: CHUNK_PACKAGES }));
  tail = run.catch(() => {});
  return run;
}

function parseInWorker(request: ParseRequest): Promise<ParsedLockfile> {
  return new Promise((resolve, reject) => {
    const worker = spawn(request);
    const packages: LockPackage[] = [];
    // A port hands every queued message over in one event-loop turn, so the chunks are only
    // queued here and parsed one per turn (else 75 chunks of a 150,000-package file were 3 s at once).
    const pending: string[] = [];
    let done: { format: LockfileFormat; version: string } | undefined;
    let pumping = false;
    const pump = () => {
      const json = pending.shift();
      if (json !== undefined) for (const p of JSON.parse(json) as LockPackage[]) packages.push(p);
      if (pending.length > 0) setImmediate(pump);
      else {
        pumping = false;
        if (done) {
          const { format, version } = done;
          settle(() => resolve({ format, version, packages }));
        }
      }
    };
    const schedule = () => {
      if (pumping) return;
      pumping = true;
      setImmediate(pump);
    };
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (m: ParseMessage) => {
      if (m.type === 'chunk') {
        pending.push(m.json);
        schedule();
      } else if (m.type === 'done') {
        done = { format: m.format, version: m.version };
        schedule();
      } else {
        settle(() => reject(new BulwarkError(m.code, m.message, m.details ? { details: m.details } : {})));
      }
    });
    const failed = (cause: unknown) =>
      settle(() =>
        reject(
          new BulwarkError(
            'internal',
            `lockfile parser failed for ${request.fileName} (see the service log)`,
            {
              cause,
            },
          ),
        ),
      );
    worker.on('error', failed);
    // Messages posted before the worker ends arrive before 'exit'; exiting without 'done' is a crash.
    worker.on('exit', (code) => {
      if (done === undefined) failed(new Error(`parser worker exited with code ${code}`));
    });
  });
}

const here = import.meta.url;
/** Running from the TypeScript sources (tests, tsx) rather than the compiled dist/. */
const fromSource = here.endsWith('.ts');
const entry = new URL(`./lockfile-parse-worker.${fromSource ? 'ts' : 'js'}`, here);

function spawn(request: ParseRequest): Worker {
  if (!fromSource) return new Worker(entry, { workerData: request });
  // A worker does not inherit the parent's TypeScript loader: register tsx's, then load the entry.
  const tsx = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: request });
}
