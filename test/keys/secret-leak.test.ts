/**
 * Key material never leaves the keyring: a real `serve` (child process, log level trace) is driven
 * through every key route, good and bad, the CLI is run, and then its log output, every HTTP
 * response, the CLI output and every row of every table are searched for the raw key bytes — the
 * master key and each version's material, as hex, base64 and base64url.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { openSqlDatabase } from '../../src/adapters/sql/dialect.js';
import { main } from '../../src/cli/main.js';
import { parseMasterKey } from '../../src/core/keys/master-key.js';
import type { KeyType } from '../../src/core/keys/types.js';
import { describeEachBackend } from '../support/backends.js';
import { newMasterKey } from './keys-app.js';

const TSX = path.resolve('node_modules/.bin/tsx');
const CHILD = path.resolve('test/keys/fixtures/cli-child.ts');

/** Every spelling of every secret: the master key and each stored version's raw material. */
async function secretSpellings(databaseUrl: string, masterText: string): Promise<string[]> {
  const master = parseMasterKey(masterText);
  const raw: Buffer[] = [Buffer.from(masterText, 'base64')];
  const db = await openSqlDatabase(databaseUrl);
  try {
    const rows = await db.db
      .selectFrom('key_versions')
      .innerJoin('keys', 'keys.name', 'key_versions.key_name')
      .select(['key_versions.key_name', 'key_versions.version', 'key_versions.material', 'keys.type'])
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const r of rows) {
      expect(r.material).toMatch(/^mk1:/); // stored wrapped
      const bytes = master.unwrap(r.material, {
        keyName: r.key_name,
        version: Number(r.version),
        type: r.type as KeyType,
      });
      raw.push(bytes);
      if (r.type === 'ed25519') raw.push(bytes.subarray(bytes.length - 32)); // the seed inside PKCS#8
    }
  } finally {
    await db.close();
  }
  return raw.flatMap((b) => [
    b.toString('hex'),
    b.toString('base64').replace(/=+$/, ''),
    b.toString('base64url'),
  ]);
}

function leaks(haystack: string, secrets: string[]): string[] {
  return secrets.filter(
    (s) => haystack.includes(s) || haystack.toLowerCase().includes(s.toLowerCase() === s ? s : '\0'),
  );
}

async function dumpTables(databaseUrl: string): Promise<string> {
  const db = await openSqlDatabase(databaseUrl);
  try {
    const tables =
      db.dialect === 'sqlite'
        ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db.db))
            .rows
        : (
            await sql<{
              name: string;
            }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
              db.db,
            )
          ).rows;
    let text = '';
    for (const { name } of tables) {
      const rows = await sql`select * from ${sql.table(name)}`.execute(db.db);
      text += `${name}\n${JSON.stringify(rows.rows)}\n`;
    }
    return text;
  } finally {
    await db.close();
  }
}

describe('key material never leaks (serve, HTTP, CLI, database)', () => {
  let dir: string;
  let dbUrl: string;
  let child: ChildProcess | undefined;
  const masterKey = newMasterKey();
  let adminToken: string;
  let logs = '';
  const bodies: string[] = [];
  const cliOutput: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-leak-'));
    dbUrl = `sqlite:${path.join(dir, 'leak.db')}`;
    const b = await createBulwark(
      { database_url: dbUrl, master_key: masterKey },
      { logLevel: 'silent', env: {} },
    );
    adminToken = (
      await b.tokens.create({ scope: 'admin', name: 'leak-admin' }, { id: 'test', ip: '127.0.0.1' })
    ).token;
    await b.close();
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'drives serve, the HTTP API and the CLI, then finds no key bytes anywhere',
    { timeout: 60_000 },
    async () => {
      child = spawn(TSX, [CHILD, 'serve', '--port', '0'], {
        env: {
          PATH: process.env.PATH,
          BULWARK_DATABASE_URL: dbUrl,
          BULWARK_MASTER_KEY: masterKey,
          BULWARK_LOG_LEVEL: 'trace',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${logs}`)), 30_000);
        const poll = setInterval(() => {
          const m = /serving on (http:\/\/\S+)/.exec(logs);
          if (m) {
            clearInterval(poll);
            clearTimeout(timer);
            resolve(m[1]!);
          }
        }, 50);
      });

      const req = async (method: string, p: string, body?: unknown) => {
        const res = await fetch(url + p, {
          method,
          headers: {
            authorization: `Bearer ${adminToken}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        const text = await res.text();
        bodies.push(`${method} ${p} ${res.status} ${text}`);
        return { status: res.status, json: () => JSON.parse(text) };
      };
      expect((await req('POST', '/keys', { name: 'data', type: 'aes256-gcm' })).status).toBe(201);
      expect((await req('POST', '/keys', { name: 'signer', type: 'ed25519' })).status).toBe(201);
      expect((await req('POST', '/keys', { name: 'mac', type: 'hmac-sha256' })).status).toBe(201);
      const ct = (await req('POST', '/keys/data/encrypt', { plaintext: 'hello' })).json()
        .ciphertext as string;
      expect(
        (await req('POST', '/auth/rotate-keys', { key_names: ['data', 'signer', 'mac'], notes: 'leak test' }))
          .status,
      ).toBe(202);
      await req('POST', '/keys/data/rewrap', { ciphertext: ct });
      await req('POST', '/keys/data/decrypt', { ciphertext: ct });
      await req('POST', '/keys/data/decrypt', { ciphertext: ct.slice(0, -4) + 'AAAA' });
      await req('POST', '/keys/data/decrypt', { ciphertext: ct.slice(0, 20) });
      await req('POST', '/keys/signer/sign', { data: 'x' });
      await req('POST', '/keys/mac/hmac', { data: 'x' });
      await req('POST', '/keys/signer/encrypt', { plaintext: 'x' });
      await req('GET', '/keys');
      for (const k of ['data', 'signer', 'mac', 'bulwark.tokens.pepper', 'bulwark.audit.redaction'])
        await req('GET', `/keys/${k}`);
      await req('GET', '/keys/data/rotations');
      await req('PATCH', '/keys/data/policy', { min_decryption_version: 2 });
      await req('POST', '/keys/data/decrypt', { ciphertext: ct });
      await req('GET', '/security/posture');
      await req('GET', '/security/health');
      await req('GET', '/openapi.json');
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));

      const saved = process.env.BULWARK_MASTER_KEY;
      process.env.BULWARK_MASTER_KEY = masterKey;
      try {
        for (const args of [
          ['keys', 'list', '--json'],
          ['keys', 'show', 'data', '--json'],
          ['keys', 'show', 'signer'],
          ['keys', 'rotations', '--json'],
          ['keys', 'rotate', 'mac', '--json'],
          ['keys', 'decrypt', 'data', 'bulwark:v2:AAAA'],
          ['keys', 'policy', 'data', '--json'],
        ]) {
          await main(['node', 'bulwark', '--db', dbUrl, ...args], {
            stdout: (t) => cliOutput.push(t),
            stderr: (t) => cliOutput.push(t),
          });
        }
      } finally {
        if (saved === undefined) delete process.env.BULWARK_MASTER_KEY;
        else process.env.BULWARK_MASTER_KEY = saved;
      }

      const secrets = await secretSpellings(dbUrl, masterKey);
      // The search works: a secret planted in a string is found.
      expect(leaks(`x${secrets[3]}y`, secrets)).toHaveLength(1);
      expect(logs).toContain('incoming request'); // request logs were really written
      expect(logs.length).toBeGreaterThan(1000);
      expect(leaks(logs, secrets), 'serve logs').toEqual([]);
      expect(bodies.length).toBeGreaterThan(20);
      expect(leaks(bodies.join('\n'), secrets), 'HTTP responses').toEqual([]);
      expect(cliOutput.length).toBeGreaterThan(5);
      expect(leaks(cliOutput.join('\n'), secrets), 'CLI output').toEqual([]);
      const dump = await dumpTables(dbUrl);
      expect(dump).toContain('key_rotation');
      expect(leaks(dump, secrets), 'database rows').toEqual([]);
    },
  );
});

describeEachBackend('database rows hold key material only wrapped', (backend) => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  it('finds no raw key bytes in any table after create, rotate and use', async () => {
    let url = backend.url();
    if (backend.name === 'sqlite') {
      const d = mkdtempSync(path.join(tmpdir(), 'bulwark-rows-'));
      dirs.push(d);
      url = `sqlite:${path.join(d, 'rows.db')}`;
    }
    const masterKey = newMasterKey();
    const b = await createBulwark(
      { database_url: url, master_key: masterKey },
      { logLevel: 'silent', env: {} },
    );
    try {
      const ops = { id: 'token:ops', ip: '127.0.0.1' };
      await b.keys.create({ name: 'a', type: 'aes256-gcm' }, ops);
      await b.keys.create({ name: 's', type: 'ed25519' }, ops);
      await b.tokens.create({ scope: 'read', name: 'r' }, ops);
      await b.keys.rotateMany(['a', 's', 'bulwark.tokens.pepper'], 'x', ops);
      await b.keys.encrypt('a', 'data');
    } finally {
      await b.close();
    }
    const secrets = await secretSpellings(url, masterKey);
    expect(leaks(await dumpTables(url), secrets)).toEqual([]);
  });
});
