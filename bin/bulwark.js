#!/usr/bin/env node
// The built CLI lives in dist/ (compiled by `npm run build`, which `npm ci` runs through `prepare`).
import { main } from '../dist/cli/main.js';

// `bulwark … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`bulwark: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 3;
  },
);
