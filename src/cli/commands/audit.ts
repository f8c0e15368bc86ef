/**
 * `bulwark audit …`: verify the ledger, tail and export it, sign and export checkpoints, make a
 * signing key, and prove one event's inclusion (checked offline with `audit proof-check`).
 * verify exits 1 when the chain is broken; export streams in chunks with flat memory.
 */
import { once } from 'node:events';
import { createWriteStream, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../main.js';
import { withBulwark, type GlobalOptions } from '../context.js';
import { type Out, count, iso, printJson, processOut, safeCell } from '../output.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import { assertWritableDir, assertWritableFile, outWriteError } from '../out-path.js';
import type { AuditFilter, AuditRow } from '../../core/ports/audit-store.js';
import {
  exportCheckpoints,
  generateCheckpointKeyPair,
  importCheckpoints,
  verifyCheckpointWith,
} from '../../core/audit/checkpoint.js';
import { checkInclusionProof, type InclusionProof } from '../../core/audit/inclusion-proof.js';
import { csvHeader, csvLine, jsonLine } from '../../core/audit/export-format.js';
import { matchesAuditFilter } from '../../core/audit/filter.js';
import { withFlagNames } from '../flags.js';
import { normalizeIp } from '../../core/audit/source-ip.js';
import { AUDIT_EVENT_TYPES, AUDIT_OUTCOMES } from '../../core/audit/types.js';
import { parseTimeOrDate, TIME_OR_DATE_RULE } from '../../core/iso-time.js';
import { presentCheckpoint } from '../../app/audit/present.js';

/** The service's field names (from, to, tree_size) as this command's flags. */
const AUDIT_FLAGS = { from: '--from', to: '--to', tree_size: '--tree-size' } as const;
const asFlags = (err: unknown): never => {
  throw withFlagNames(err, AUDIT_FLAGS);
};

const seqArg = (field: string) => (v: string) => {
  if (!/^\d{1,15}$/.test(v)) throw new InvalidArgumentError(`${field} must be a whole number`);
  return Number(v);
};

const timeArg = (field: string) => (v: string) => {
  const ms = parseTimeOrDate(v);
  if (ms === null) throw new InvalidArgumentError(`${field} ${TIME_OR_DATE_RULE}`);
  return ms;
};

const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

function readText(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw validationError(field, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

interface FilterOpts {
  eventType?: string[];
  outcome?: string[];
  userId?: string;
  sourceIp?: string;
  actionPrefix?: string;
  since?: number;
  until?: number;
}

function filterFrom(o: FilterOpts): AuditFilter {
  for (const t of o.eventType ?? [])
    if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(t))
      throw validationError('--event-type', `must be one of ${AUDIT_EVENT_TYPES.join(', ')}`);
  for (const t of o.outcome ?? [])
    if (!(AUDIT_OUTCOMES as readonly string[]).includes(t))
      throw validationError('--outcome', `must be one of ${AUDIT_OUTCOMES.join(', ')}`);
  // The service's rule (checkAuditTimeWindow), in this interface's own names.
  if (o.since !== undefined && o.until !== undefined && !(o.until > o.since))
    throw validationError('--until', 'must be later than --since');
  let ip: string | undefined;
  if (o.sourceIp !== undefined) {
    ip = normalizeIp(o.sourceIp) ?? undefined;
    if (ip === undefined) throw validationError('--source-ip', 'is not a valid IPv4 or IPv6 address');
  }
  return {
    ...(o.eventType?.length ? { event_type: o.eventType } : {}),
    ...(o.outcome?.length ? { outcome: o.outcome } : {}),
    ...(o.userId !== undefined ? { user_id: o.userId } : {}),
    ...(ip !== undefined ? { source_ip: ip } : {}),
    ...(o.actionPrefix !== undefined ? { action_prefix: o.actionPrefix } : {}),
    ...(o.since !== undefined ? { since: o.since } : {}),
    ...(o.until !== undefined ? { until: o.until } : {}),
  };
}

/** A sink honouring backpressure: a file or the process's stdout waits for 'drain'; a test Out just collects. */
function sinkFor(
  out: Out,
  file: string | undefined,
): { write(s: string): Promise<void>; end(): Promise<void> } {
  const stream: Writable | undefined = file
    ? createWriteStream(file, { mode: 0o600 })
    : out === processOut
      ? process.stdout
      : undefined;
  if (!stream) return { write: async (s) => out.stdout(s), end: async () => {} };
  return {
    async write(s) {
      if (!stream.write(s)) await once(stream, 'drain');
    },
    async end() {
      if (stream === process.stdout) return;
      stream.end();
      await once(stream, 'finish');
    },
  };
}

const textLine = (r: AuditRow): string =>
  [
    iso(r.timestamp),
    `#${r.seq}`,
    r.event_type,
    r.outcome,
    r.user_id ?? '-',
    r.source_ip,
    r.action,
    r.metadata,
  ]
    .map(safeCell)
    .join('  ');

export const registerAudit: CommandRegistrar = (program, out, setExit) => {
  const audit = program.command('audit').description('the tamper-evident audit ledger');

  audit
    .command('verify')
    .description('verify the hash chain and signed checkpoints (exit 1 when broken)')
    .option('--from <seq>', 'first seq to check (default 1)', seqArg('--from'))
    .option('--to <seq>', 'last seq to check (default the head)', seqArg('--to'))
    .option(
      '--public-key <file>',
      'Ed25519 public key (PEM) to check checkpoints with, instead of the configured key',
    )
    .option('--json', 'print as JSON')
    .action(async (o: { from?: number; to?: number; publicKey?: string; json?: boolean }, cmd) => {
      // The service refuses this too, naming its fields; here the user typed flags.
      if (o.from !== undefined && o.to !== undefined && o.from > o.to)
        throw validationError('--from', 'must not be after --to');
      const publicKey = o.publicKey ? readText(o.publicKey, '--public-key') : undefined;
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const v = await b.audit.verify({ from: o.from, to: o.to, publicKey }).catch(asFlags);
        if (o.json) printJson(out, v);
        else if (v.ok && v.checked === 0)
          // Not "seq 1..0 verified": an empty ledger (or a mistyped --db, which SQLite creates
          // empty) proves nothing, and the user should see that.
          out.stdout('ok: the ledger is empty: no events to verify (check --db if you expected some)');
        else if (v.ok)
          out.stdout(
            `ok: seq ${v.from}..${v.to} verified (${count(v.checked, 'row')}, ${count(v.checkpoints_checked, 'signed checkpoint')})`,
          );
        else out.stdout(`BROKEN at seq ${v.first_bad_seq}: ${v.reason}: ${v.detail ?? ''}`);
        if (v.warning && !o.json) out.stderr(`warning: ${v.warning}`);
        if (!v.ok) setExit(1);
      });
    });

  audit
    .command('tail')
    .description('the last events, oldest first; -f follows new ones (polling by seq)')
    .option('-n, --lines <n>', 'how many', seqArg('-n'), 10)
    .option('-f, --follow', 'keep printing new events until interrupted')
    .option('--interval <ms>', 'poll interval when following', seqArg('--interval'), 1000)
    .option('--until-seq <seq>', 'when following, stop after printing this seq', seqArg('--until-seq'))
    .option('--json', 'print JSON lines')
    .action(
      async (
        o: { lines: number; follow?: boolean; interval: number; untilSeq?: number; json?: boolean },
        cmd,
      ) => {
        await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
          const print = (r: AuditRow) => out.stdout(o.json ? jsonLine(r).trimEnd() : textLine(r));
          // The last N by sequence number, paged in chunks (no cap: -n 100000 prints 100,000 events,
          // with flat memory, rather than a silent first page).
          const head = (await b.audit.head()).seq;
          let last = head;
          if (o.lines > 0)
            for await (const chunk of b.audit.range(Math.max(1, head - o.lines + 1), head, 1000))
              for (const r of chunk) print(r);
          if (!o.follow) return;
          let stop = false;
          const onSignal = () => (stop = true);
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          try {
            while (!stop && (o.untilSeq === undefined || last < o.untilSeq)) {
              const head = await b.audit.head();
              for await (const chunk of b.audit.range(last + 1, head.seq, 1000)) {
                for (const r of chunk) print(r);
                last = chunk[chunk.length - 1]!.seq;
              }
              if (o.untilSeq !== undefined && last >= o.untilSeq) break;
              await new Promise((r) => setTimeout(r, o.interval));
            }
          } finally {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
        });
      },
    );

  audit
    .command('export')
    .description('stream events as JSON lines or CSV (flat memory for any size)')
    .requiredOption('--format <format>', 'jsonl or csv')
    .option('--out <file>', 'write to a file (mode 600) instead of stdout')
    .option('--from <seq>', 'first seq (default 1)', seqArg('--from'))
    .option('--to <seq>', 'last seq (default the head)', seqArg('--to'))
    .option('--event-type <types>', 'comma-separated event types', list)
    .option('--outcome <outcomes>', 'comma-separated outcomes', list)
    .option('--user-id <id>', 'one user id')
    .option('--source-ip <ip>', 'one source address')
    .option('--action-prefix <prefix>', 'actions starting with this')
    .option(
      '--since <time>',
      'timestamp ≥ (epoch ms, ISO 8601 date-time with a zone, or a date)',
      timeArg('--since'),
    )
    .option(
      '--until <time>',
      'timestamp < (epoch ms, ISO 8601 date-time with a zone, or a date)',
      timeArg('--until'),
    )
    .action(async (o: FilterOpts & { format: string; out?: string; from?: number; to?: number }, cmd) => {
      if (o.format !== 'jsonl' && o.format !== 'csv')
        throw validationError('--format', 'must be jsonl or csv');
      const filter = filterFrom(o);
      // The same rule as verify's: an inverted seq range is a mistake, not an empty export.
      if (o.from !== undefined && o.to !== undefined && o.from > o.to)
        throw validationError('--from', 'must not be after --to');
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const head = await b.audit.head();
        if (o.out !== undefined) assertWritableFile('--out', o.out);
        const sink = sinkFor(out, o.out);
        const line = o.format === 'csv' ? csvLine : jsonLine;
        let n = 0;
        try {
          if (o.format === 'csv') await sink.write(csvHeader());
          for await (const chunk of b.audit.range(o.from ?? 1, Math.min(o.to ?? head.seq, head.seq), 5000)) {
            let text = '';
            for (const r of chunk) {
              if (!matchesAuditFilter(r, filter)) continue;
              text += line(r);
              n++;
            }
            if (text) await sink.write(text);
          }
        } finally {
          await sink.end();
        }
        if (o.out) out.stderr(`exported ${count(n, 'event')} to ${o.out}`);
      });
    });

  audit
    .command('checkpoint')
    .description('sign a checkpoint of the current head now')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const { checkpoint, created } = await b.audit.checkpoint();
        if (o.json) printJson(out, { checkpoint: presentCheckpoint(checkpoint), created });
        else
          out.stdout(
            `${created ? 'signed' : 'already signed'}: seq ${checkpoint.seq} ${checkpoint.hash} (key ${checkpoint.key_id} v${checkpoint.key_version})`,
          );
      });
    });

  const checkpoints = audit.command('checkpoints').description('signed checkpoints');
  checkpoints
    .command('export')
    .description('signed checkpoints as JSON lines, verifiable with the public key alone')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (o: { out?: string }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const text = exportCheckpoints(await b.audit.checkpoints());
        if (o.out) {
          assertWritableFile('--out', o.out);
          try {
            writeFileSync(o.out, text);
          } catch (e) {
            throw outWriteError('--out', o.out, e);
          }
          out.stderr(`exported ${count(text.split('\n').length - 1, 'checkpoint')} to ${o.out}`);
        } else if (text) out.stdout(text);
      });
    });
  checkpoints
    .command('public-keys')
    .description('the public keys of every checkpoint key version, as JSON lines (give them to an auditor)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (o: { out?: string }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const keys = await b.audit.publicKeys();
        if (keys.length === 0)
          throw validationError(
            'checkpoints',
            'no checkpoint signing key is configured (see README: audit checkpoints)',
          );
        const text = keys.map((k) => JSON.stringify(k)).join('\n') + '\n';
        if (o.out) {
          writeFileSync(o.out, text);
          out.stderr(`wrote ${count(keys.length, 'public key')} to ${o.out}`);
        } else out.stdout(text.trimEnd());
      });
    });
  checkpoints
    .command('check')
    .description('check exported checkpoints offline against a public key (no database; exit 1 if any fails)')
    .argument('<file>', 'exported checkpoints (JSON lines)')
    .option('--public-key <file>', 'Ed25519 public key (PEM) that signed every checkpoint')
    .option(
      '--public-keys <file>',
      'public keys as written by `audit checkpoints public-keys` (JSON lines): each checkpoint is checked with the key its id and version name',
    )
    .option('--json', 'print as JSON')
    .action((file: string, o: { publicKey?: string; publicKeys?: string; json?: boolean }) => {
      if ((o.publicKey === undefined) === (o.publicKeys === undefined))
        throw validationError('--public-key', 'give exactly one of --public-key or --public-keys');
      const cps = importCheckpoints(readText(file, 'file'));
      const lookup = o.publicKey
        ? readText(o.publicKey, '--public-key')
        : publicKeyLookup(readText(o.publicKeys!, '--public-keys'));
      const results = cps.map((cp) => ({
        seq: cp.seq,
        hash: cp.hash,
        valid: verifyCheckpointWith(cp, lookup) === 'valid',
      }));
      const bad = results.filter((r) => !r.valid);
      if (o.json)
        printJson(out, { ok: bad.length === 0, checked: results.length, invalid: bad.map((r) => r.seq) });
      else
        out.stdout(
          bad.length
            ? `INVALID: ${bad.length} of ${count(results.length, 'checkpoint')} (seq ${bad.map((r) => r.seq).join(', ')})`
            : `ok: ${count(results.length, 'checkpoint')} signed by this key`,
        );
      if (bad.length) setExit(1);
    });

  audit
    .command('keygen')
    .description(
      'create an Ed25519 checkpoint key pair (private key mode 600); point BULWARK_AUDIT_SIGNING_KEY_FILE at it',
    )
    .requiredOption('--out <dir>', 'directory for audit-signing-key.pem and audit-signing-key.pub.pem')
    .action((o: { out: string }) => {
      assertWritableDir('--out', o.out);
      mkdirSync(o.out, { recursive: true });
      const priv = path.join(o.out, 'audit-signing-key.pem');
      const pub = path.join(o.out, 'audit-signing-key.pub.pem');
      if (existsSync(priv))
        throw validationError('--out', `${priv} exists; refusing to overwrite a signing key`);
      const pair = generateCheckpointKeyPair();
      writeFileSync(priv, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
      writeFileSync(pub, pair.publicKeyPem, { mode: 0o644 });
      out.stdout(`private key: ${priv}\npublic key:  ${pub}`);
    });

  audit
    .command('proof')
    .description('RFC 6962 inclusion proof of one event (JSON), checkable offline with `audit proof-check`')
    .argument('<seq>', 'the event seq', seqArg('seq'))
    .option(
      '--tree-size <n>',
      'tree size (default: the checkpoint covering the event, else the head)',
      seqArg('--tree-size'),
    )
    .action(async (seq: number, o: { treeSize?: number }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const p = await b.audit.proof(seq, o.treeSize).catch(asFlags);
        printJson(out, { ...p, checkpoint: p.checkpoint ? presentCheckpoint(p.checkpoint) : null });
      });
    });

  audit
    .command('proof-check')
    .description('check an inclusion proof offline (exit 1 when it does not hold)')
    .argument('<file>', 'a proof from `audit proof` or GET /security/logs/:seq/proof')
    .option('--root <hex>', 'the root you trust (default: the one in the proof)')
    .option('--json', 'print as JSON')
    .action((file: string, o: { root?: string; json?: boolean }) => {
      let proof: InclusionProof;
      try {
        proof = JSON.parse(readText(file, 'file')) as InclusionProof;
      } catch (err) {
        if (err instanceof BulwarkError) throw err;
        throw validationError('file', 'is not JSON');
      }
      if (!proof || typeof proof !== 'object' || !proof.row || !Array.isArray(proof.audit_path))
        throw validationError('file', 'is not an inclusion proof');
      const r = checkInclusionProof(proof, o.root);
      if (o.json) printJson(out, r);
      else
        out.stdout(
          r.ok
            ? `ok: seq ${proof.seq} is leaf ${proof.leaf_index} of the tree of ${proof.tree_size} with root ${o.root ?? proof.root}`
            : `INVALID: ${r.reason}`,
        );
      if (!r.ok) setExit(1);
    });
};

/** A key lookup from `audit checkpoints public-keys` output (JSON lines of {key_id, key_version, public_key}). */
function publicKeyLookup(text: string): (keyId: string, keyVersion: number) => string | undefined {
  const keys = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let k: { key_id?: unknown; key_version?: unknown; public_key?: unknown };
    try {
      k = JSON.parse(line) as typeof k;
    } catch {
      throw validationError('--public-keys', `line ${i + 1}: not JSON`);
    }
    if (typeof k.key_id !== 'string' || !Number.isInteger(k.key_version) || typeof k.public_key !== 'string')
      throw validationError('--public-keys', `line ${i + 1}: expected {key_id, key_version, public_key}`);
    keys.set(`${k.key_id}@${String(k.key_version)}`, k.public_key);
  });
  return (keyId, keyVersion) => keys.get(`${keyId}@${keyVersion}`);
}
