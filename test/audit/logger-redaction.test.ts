/**
 * Service logs redact like the audit ledger: a JWT, an AWS key and a password, under innocent keys,
 * in the message, in an interpolated argument and in an error, never reach stdout.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/app/logger.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(HERE, '..', '..', 'test-artifacts', `log-child-${process.pid}.mjs`);
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const AWS = 'AKIAIOSFODNN7EXAMPLF';
const PASSWORD = 'Tr0ub4dor&3-horse-battery';

describe('service log redaction', () => {
  beforeAll(async () => {
    await build({
      entryPoints: [path.join(HERE, 'support', 'log-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      target: 'node20',
      outfile: CHILD,
      logLevel: 'error',
    });
  });
  afterAll(() => rmSync(CHILD, { force: true }));

  it('no secret reaches stdout; markers name the kind; plain lines stay readable', async () => {
    const child = spawn(process.execPath, [CHILD, JWT, AWS, PASSWORD], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(out).not.toContain(JWT);
    expect(out).not.toContain(JWT.split('.')[2]);
    expect(out).not.toContain(AWS);
    expect(out).not.toContain(PASSWORD);
    expect(out).toContain('[REDACTED:jwt]');
    expect(out).toMatch(/\[REDACTED:aws[a-z_]*\]/);
    expect(lines[0]!.msg).toBe('login by bob with [REDACTED:jwt]');
    expect((lines[2]!.err as { message: string }).message).not.toContain(JWT);
    expect(lines[3]).toMatchObject({ user: 'bob', count: 3, msg: 'plain line stays readable' });
  });

  it('the request serialiser redacts a token in the URL', () => {
    const req = loggerOptions('info').serializers!.req!({ method: 'GET', url: `/x?access_token=${JWT}` });
    expect(JSON.stringify(req)).not.toContain(JWT);
  });
});
