/**
 * Worker-thread entry (see parse-off-thread.ts): parses one lockfile and posts its packages back in
 * JSON chunks, so that the main thread spends a few milliseconds per message instead of seconds on
 * one JSON.parse / YAML / TOML call it could not interrupt.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isBulwarkError } from '../../core/errors.js';
import { parseLockfile } from '../../core/deps/lockfiles/parse-lockfile.js';
import type { ParseRequest, ParseMessage } from './parse-off-thread.js';

const { fileName, content, chunkSize } = workerData as ParseRequest;
const post = (m: ParseMessage) => parentPort!.postMessage(m);
try {
  const parsed = parseLockfile(fileName, content);
  for (let i = 0; i < parsed.packages.length; i += chunkSize)
    post({ type: 'chunk', json: JSON.stringify(parsed.packages.slice(i, i + chunkSize)) });
  post({ type: 'done', format: parsed.format, version: parsed.version });
} catch (e) {
  // parseLockfile turns every failure into a BulwarkError; anything else is a bug, reported as such.
  post(
    isBulwarkError(e)
      ? { type: 'error', code: e.code, message: e.message, details: e.details }
      : { type: 'error', code: 'internal', message: 'lockfile parser failed (see the service log)' },
  );
}
