/**
 * Parsing an OSV record from a feed: lenient where leniency cannot change which versions are
 * affected, strict where it could.
 *
 * Lenient: unknown fields are dropped; `null` is accepted wherever a field is optional (feeds write
 * `"aliases": null`, `"severity": null`); missing arrays become empty; ids need not carry one of
 * the schema's registered prefixes (the Node.js security WG's `NSWG-` ids do not); unknown range
 * and severity types are kept (and never matched or scored).
 * Strict: every event holds exactly one of introduced / fixed / last_affected / limit with a
 * non-empty version; a range has at least one `introduced` and never both `fixed` and
 * `last_affected` (schema rules: a record breaking them has no one meaning, so guessing one could
 * hide a vulnerability); timestamps are RFC 3339.
 *
 * Bad input is an expected outcome for a feed reader, so it is returned, not thrown: the error is
 * a `validation_failed` BulwarkError whose `field` is the dotted path (`affected.0.ranges.1.events.2`).
 */
import { z } from 'zod';
import { BulwarkError } from '../../errors.js';
import { friendlyErrorMap, zodIssuesToError } from '../../validation.js';
import type { OsvEvent, OsvRecord } from './record.js';

export type OsvParseResult = { ok: true; record: OsvRecord } | { ok: false; error: BulwarkError };

/** A single OSV record is a few KiB; the largest RustSec one is ~30 KiB. */
const MAX_JSON_CHARS = 4 * 1024 * 1024;
const MAX_LIST = 10_000;

// Printable ASCII without spaces: OSV ids and aliases look like `GHSA-xxxx-xxxx-xxxx`,
// `RUSTSEC-2021-0003`, `openSUSE-SU-2024:0001-1`.
const ID = /^[\x21-\x7e]{1,128}$/;
// RFC 3339 as the schema wants it; the offset form is accepted too (it is still one instant).
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const orNull = (v: unknown): unknown => (v === null ? undefined : v);
const orEmpty = (v: unknown): unknown => (v === null || v === undefined ? [] : v);

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(orNull, schema.optional());
const list = <T extends z.ZodType>(item: T) => z.preprocess(orEmpty, z.array(item).max(MAX_LIST));

const id = z.string().regex(ID, 'must be an id of printable characters without spaces (at most 128)');
const timestamp = z
  .string()
  .regex(TIMESTAMP, 'must be an RFC 3339 timestamp such as 2021-01-08T12:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date and time');
const text = z.string().max(1_000_000);
const version = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => !CONTROL.test(s), 'must not contain control characters');
const jsonObject = optional(z.record(z.string(), z.unknown()));

const severity = list(z.object({ type: z.string().min(1).max(64), score: z.string().min(1).max(1024) }));

const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

const event = z
  .object({
    introduced: optional(version),
    fixed: optional(version),
    last_affected: optional(version),
    limit: optional(version),
  })
  .superRefine((e, ctx) => {
    const present = EVENT_KINDS.filter((k) => e[k] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? 'must hold one of introduced, fixed, last_affected or limit'
            : `must hold exactly one of introduced, fixed, last_affected or limit, not ${present.join(' and ')}`,
      });
    }
  })
  .transform((e): OsvEvent => {
    if (e.introduced !== undefined) return { introduced: e.introduced };
    if (e.fixed !== undefined) return { fixed: e.fixed };
    if (e.last_affected !== undefined) return { last_affected: e.last_affected };
    return { limit: e.limit as string };
  });

const range = z
  .object({
    type: z.string().min(1).max(32),
    repo: optional(z.string().max(2048)),
    events: z.array(event).min(1).max(MAX_LIST),
    database_specific: jsonObject,
  })
  .superRefine((r, ctx) => {
    if (!r.events.some((e) => 'introduced' in e)) {
      ctx.addIssue({ code: 'custom', path: ['events'], message: 'must contain an introduced event' });
    }
    if (r.events.some((e) => 'fixed' in e) && r.events.some((e) => 'last_affected' in e)) {
      ctx.addIssue({
        code: 'custom',
        path: ['events'],
        message: 'must not mix fixed and last_affected events',
      });
    }
  });

const affected = z.object({
  package: optional(
    z.object({
      ecosystem: z.string().min(1).max(256),
      name: z.string().min(1).max(1024),
      purl: optional(z.string().max(2048)),
    }),
  ),
  severity,
  ranges: list(range),
  versions: list(version),
  ecosystem_specific: jsonObject,
  database_specific: jsonObject,
});

const recordSchema = z.object({
  schema_version: optional(z.string().max(32)),
  id,
  modified: timestamp,
  published: optional(timestamp),
  withdrawn: optional(timestamp),
  aliases: list(id),
  related: list(id),
  upstream: list(id),
  summary: optional(text),
  details: optional(text),
  severity,
  affected: list(affected),
  references: list(z.object({ type: z.string().max(32), url: z.string().max(4096) })),
  database_specific: jsonObject,
});

/** Drops keys whose value is undefined, so records compare and serialise cleanly. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Parses one OSV record from a JSON string or an already-parsed value.
 * Never throws for bad input: `{ ok: false, error }` names the field (or `invalid_json`).
 */
export function parseOsvRecord(input: unknown): OsvParseResult {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > MAX_JSON_CHARS) {
      return {
        ok: false,
        error: new BulwarkError('validation_failed', 'input: the record is too large', { field: 'input' }),
      };
    }
    try {
      value = JSON.parse(input);
    } catch {
      return { ok: false, error: new BulwarkError('invalid_json', 'The OSV record is not valid JSON.') };
    }
  }
  const parsed = recordSchema.safeParse(value, { error: friendlyErrorMap });
  if (!parsed.success) return { ok: false, error: zodIssuesToError(parsed.error) };
  const r = parsed.data;
  const record: OsvRecord = compact({
    ...r,
    affected: r.affected.map((a) =>
      compact({
        ...a,
        package: a.package && compact({ ...a.package }),
        ranges: a.ranges.map((g) => compact({ ...g })),
      }),
    ),
  });
  return { ok: true, record };
}
