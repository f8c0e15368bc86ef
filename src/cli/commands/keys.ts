/**
 * `bulwark keys …`: the keyring from the command line. Reads take --json; nothing ever prints key
 * material. Bad ciphertexts exit 2 with crypto_failed, unknown keys exit 2 with not_found.
 */
import { existsSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { Bulwark } from '../../app/bulwark.js';
import { defaultKeyFile } from '../../app/keys/master-key-source.js';
import { parsePeriod } from '../../app/keys/duration.js';
import { presentKeyInfo, presentKeySummary, presentRotation } from '../../app/keys/present-keys.js';
import { validationError } from '../../core/errors.js';
import { KEY_TYPES, type KeyType } from '../../core/keys/types.js';
import type { KeyPolicyPatch } from '../../core/keys/policy.js';
import type { CommandRegistrar } from '../main.js';
import { cliActor, configFrom, loadApp, type GlobalOptions } from '../context.js';
import { type Out, count, printJson, table } from '../output.js';

const actor = () => ({ id: cliActor(), ip: '127.0.0.1' });

const positiveInt = (field: string) => (v: string) => {
  if (!/^\d{1,9}$/.test(v.trim()) || Number(v) < 1)
    throw new InvalidArgumentError(`${field} must be a positive whole number`);
  return Number(v);
};

/** Like withBulwark, but lets the keyring create its default key file (and says so). */
async function withKeyring<T>(opts: GlobalOptions, out: Out, fn: (b: Bulwark) => Promise<T>): Promise<T> {
  const input = configFrom(opts);
  const [{ createBulwark }, { loadConfig }] = await Promise.all([loadApp(), import('../../app/config.js')]);
  const cfg = loadConfig(input);
  const file = cfg.master_key || cfg.master_key_file ? null : defaultKeyFile(cfg.database_url);
  const existed = file === null || existsSync(file);
  const bulwark = await createBulwark(input, { logLevel: 'silent', generateMasterKey: true });
  try {
    if (!existed && file !== null && existsSync(file)) {
      out.stderr(`bulwark: generated the master key file ${file} (mode 0600); back it up`);
    }
    return await fn(bulwark);
  } finally {
    await bulwark.close();
  }
}

function policyFrom(opts: {
  minDecryptionVersion?: number;
  period?: string;
  allowDeletion?: boolean;
}): KeyPolicyPatch {
  const patch: KeyPolicyPatch = {};
  if (opts.minDecryptionVersion !== undefined) patch.min_decryption_version = opts.minDecryptionVersion;
  if (opts.period !== undefined) patch.auto_rotate_period_ms = parsePeriod(opts.period, '--period');
  if (opts.allowDeletion !== undefined) patch.deletion_allowed = opts.allowDeletion;
  return patch;
}

function printKey(out: Out, b: Bulwark, info: Parameters<typeof presentKeyInfo>[0], json?: boolean): void {
  const shown = presentKeyInfo(info, b.clock.now());
  if (json) return printJson(out, shown);
  out.stdout(
    [
      `${shown.name} (${shown.type}), latest version ${shown.latest_version}, ` +
        `${count(shown.latest_version_age_days, 'day')} old`,
      `policy: min_decryption_version ${shown.policy.min_decryption_version}, ` +
        `auto_rotate_period ${shown.policy.auto_rotate_period}, deletion ${shown.policy.deletion_allowed ? 'allowed' : 'not allowed'}`,
      `next rotation due: ${shown.next_rotation_due_at ?? 'never (auto-rotation off)'}`,
      table(shown.versions, ['version', 'created_at', 'usable']),
    ].join('\n'),
  );
}

export const registerKeys: CommandRegistrar = (program, out, setExit) => {
  const keys = program.command('keys').description('the keyring: versioned keys, rotation, policy');
  const globals = (cmd: { optsWithGlobals(): unknown }) => cmd.optsWithGlobals() as GlobalOptions;

  keys
    .command('create')
    .description('create a key with version 1')
    .argument('<name>', 'key name (A-Z a-z 0-9 . _ -)')
    .requiredOption('--type <type>', `one of ${KEY_TYPES.join(', ')}`)
    .option('--period <period>', 'auto-rotation period (90d default, 12h, 2w; 0 disables)')
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: { type: string; period?: string; json?: boolean }, cmd) => {
      if (!(KEY_TYPES as readonly string[]).includes(opts.type)) {
        throw validationError('--type', `must be one of ${KEY_TYPES.join(', ')}`);
      }
      const policy = policyFrom(opts);
      await withKeyring(globals(cmd), out, async (b) => {
        const info = await b.keys.create({ name, type: opts.type as KeyType, policy }, actor());
        printKey(out, b, info, opts.json);
      });
    });

  keys
    .command('list')
    .description('every key: type, latest version and its age, policy')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }, cmd) => {
      await withKeyring(globals(cmd), out, async (b) => {
        const rows = (await b.keys.list()).map((k) => presentKeySummary(k, b.clock.now()));
        if (opts.json) return printJson(out, rows);
        out.stdout(
          table(
            rows.map((r) => ({
              ...r,
              period: r.policy.auto_rotate_period,
              min_dec: r.policy.min_decryption_version,
            })),
            [
              'name',
              'type',
              'latest_version',
              'latest_version_age_days',
              'period',
              'min_dec',
              'next_rotation_due_at',
            ],
          ),
        );
      });
    });

  keys
    .command('show')
    .description('one key: versions and policy (never material)')
    .argument('<name>', 'key name')
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: { json?: boolean }, cmd) => {
      await withKeyring(globals(cmd), out, async (b) => printKey(out, b, await b.keys.show(name), opts.json));
    });

  keys
    .command('rotations')
    .description("a key's rotation events (all keys without a name)")
    .argument('[name]', 'key name')
    .option('--json', 'print as JSON')
    .action(async (name: string | undefined, opts: { json?: boolean }, cmd) => {
      await withKeyring(globals(cmd), out, async (b) => {
        const rows = (await b.keys.rotations(name)).map(presentRotation);
        if (opts.json) return printJson(out, rows);
        out.stdout(table(rows, ['timestamp', 'key_id', 'version_from', 'version_to', 'rotated_by', 'notes']));
      });
    });

  keys
    .command('rotate')
    .description('rotate keys now, or with --due every key due by policy (for cron; rotated_by system)')
    .argument('[names...]', 'key names')
    .option('--due', 'rotate the keys whose auto_rotate_period has elapsed')
    .option('--notes <text>', 'why (recorded on the rotation event and audit entry)')
    .option('--json', 'print as JSON')
    .action(async (names: string[], opts: { due?: boolean; notes?: string; json?: boolean }, cmd) => {
      if (opts.due && names.length > 0) throw validationError('names', 'give key names or --due, not both');
      if (!opts.due && names.length === 0)
        throw validationError('names', 'give at least one key name, or --due');
      await withKeyring(globals(cmd), out, async (b) => {
        const { rotated, skipped } = opts.due
          ? await b.keys.rotateDue()
          : { rotated: await b.keys.rotateMany(names, opts.notes ?? null, actor()), skipped: [] as string[] };
        const rows = rotated.map(presentRotation);
        if (opts.json) return printJson(out, opts.due ? { rotated: rows, skipped } : rows);
        if (rows.length === 0) out.stdout('no key is due for rotation');
        for (const r of rows) out.stdout(`rotated ${r.key_id}: v${r.version_from} → v${r.version_to}`);
        for (const s of skipped) out.stderr(`skipped ${s}: rotated meanwhile by another process`);
      });
    });

  keys
    .command('policy')
    .description("show a key's policy, or change it (changes are audited)")
    .argument('<name>', 'key name')
    .option(
      '--min-decryption-version <n>',
      'refuse versions below n',
      positiveInt('--min-decryption-version'),
    )
    .option('--period <period>', 'auto-rotation period (90d, 12h, 2w; 0 disables)')
    .option('--allow-deletion', 'allow deleting versions below min_decryption_version')
    .option('--forbid-deletion', 'forbid deleting versions')
    .option('--json', 'print as JSON')
    .action(
      async (
        name: string,
        opts: {
          minDecryptionVersion?: number;
          period?: string;
          allowDeletion?: boolean;
          forbidDeletion?: boolean;
          json?: boolean;
        },
        cmd,
      ) => {
        if (opts.allowDeletion && opts.forbidDeletion) {
          throw validationError('--allow-deletion', 'give --allow-deletion or --forbid-deletion, not both');
        }
        const patch = policyFrom({
          ...(opts.minDecryptionVersion !== undefined
            ? { minDecryptionVersion: opts.minDecryptionVersion }
            : {}),
          ...(opts.period !== undefined ? { period: opts.period } : {}),
          ...(opts.allowDeletion
            ? { allowDeletion: true }
            : opts.forbidDeletion
              ? { allowDeletion: false }
              : {}),
        });
        await withKeyring(globals(cmd), out, async (b) => {
          const info = Object.keys(patch).length
            ? await b.keys.updatePolicy(name, patch, actor())
            : await b.keys.show(name);
          printKey(out, b, info, opts.json);
        });
      },
    );

  keys
    .command('delete-versions')
    .description('delete versions below --below for good (the policy must allow it; audited)')
    .argument('<name>', 'key name')
    .requiredOption('--below <n>', 'delete every version below n', positiveInt('--below'))
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: { below: number; json?: boolean }, cmd) => {
      await withKeyring(globals(cmd), out, async (b) =>
        printKey(out, b, await b.keys.deleteVersionsBelow(name, opts.below, actor()), opts.json),
      );
    });

  keys
    .command('encrypt')
    .description('encrypt text under the latest version; prints the bulwark:vN:… ciphertext')
    .argument('<name>', 'key name')
    .argument('<plaintext>', 'text to encrypt')
    .option('--aad <text>', 'additional authenticated data (must be given again to decrypt)')
    .action(async (name: string, plaintext: string, opts: { aad?: string }, cmd) => {
      await withKeyring(globals(cmd), out, async (b) =>
        out.stdout(await b.keys.encrypt(name, plaintext, opts.aad)),
      );
    });

  keys
    .command('decrypt')
    .description('decrypt a bulwark:vN:… ciphertext; prints the plaintext')
    .argument('<name>', 'key name')
    .argument('<ciphertext>', 'the ciphertext')
    .option('--aad <text>', 'the additional authenticated data it was encrypted with')
    .action(async (name: string, ciphertext: string, opts: { aad?: string }, cmd) => {
      await withKeyring(globals(cmd), out, async (b) =>
        out.stdout((await b.keys.decrypt(name, ciphertext, opts.aad)).toString('utf8')),
      );
    });

  keys
    .command('rewrap')
    .description('re-encrypt a ciphertext under the latest version (the plaintext is never printed)')
    .argument('<name>', 'key name')
    .argument('<ciphertext>', 'the ciphertext')
    .option('--aad <text>', 'the additional authenticated data it was encrypted with')
    .action(async (name: string, ciphertext: string, opts: { aad?: string }, cmd) => {
      await withKeyring(globals(cmd), out, async (b) =>
        out.stdout(await b.keys.rewrap(name, ciphertext, opts.aad)),
      );
    });

  void setExit;
};
