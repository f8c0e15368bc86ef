#!/usr/bin/env node
// The built CLI lives in dist/ (compiled by `npm run build`, which `npm ci` runs through `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`bulwark: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 3;
  },
);
