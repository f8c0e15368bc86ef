import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../src/core/errors.js';

it('documents every error code with its HTTP status and exit code', () => {
  const doc = readFileSync(new URL('../docs/ERRORS.md', import.meta.url), 'utf8');
  for (const [code, { http, exit }] of Object.entries(ERROR_CATALOGUE)) {
    expect(doc, code).toContain(`| \`${code}\` | ${http} | ${exit} |`);
  }
  const documented = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
  expect(documented.sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
});
