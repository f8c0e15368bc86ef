/**
 * The audit ledger over HTTP: write events (one or a batch), read them with filters and cursor
 * pagination, verify the chain, prove one row's inclusion, and sign a checkpoint on demand.
 */
import { z } from 'zod';
import { BATCH_MAX_EVENTS } from '../../core/audit/event.js';
import { AUDIT_EVENT_TYPES, AUDIT_OUTCOMES } from '../../core/audit/types.js';
import { normalizeIp } from '../../core/audit/source-ip.js';
import { BulwarkError } from '../../core/errors.js';
import type { AuditFilter, AuditRow } from '../../core/ports/audit-store.js';
import { SUBMITTED_BY_KEY } from '../../core/audit/submission.js';
import type { JsonObject } from '../../core/audit/types.js';
import { presentAuditRow, presentCheckpoint } from '../../app/audit/present.js';
import { csvList, emptyBody, pageQuery, queryInt, queryTime, responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

export const auditListQuery = z.strictObject({
  event_type: csvList(AUDIT_EVENT_TYPES).optional(),
  outcome: csvList(AUDIT_OUTCOMES).optional(),
  user_id: z
    .string({ error: 'must be given once' })
    .min(1, { error: 'must not be empty' })
    .max(256, { error: 'must be at most 256 characters' })
    .optional(),
  source_ip: z
    .string({ error: 'must be given once' })
    .max(64, { error: 'must be at most 64 characters' })
    .transform((s, ctx) => {
      const ip = normalizeIp(s);
      if (ip === null) {
        ctx.addIssue({ code: 'custom', message: 'is not a valid IPv4 or IPv6 address' });
        return z.NEVER;
      }
      return ip;
    })
    .optional(),
  action_prefix: z
    .string({ error: 'must be given once' })
    .min(1, { error: 'must not be empty' })
    .max(1024, { error: 'must be at most 1024 characters' })
    .optional(),
  since: queryTime.optional(),
  until: queryTime.optional(),
  order: z.enum(['desc', 'asc']).default('desc'),
  ...pageQuery,
});

export function toAuditFilter(q: z.output<typeof auditListQuery>): AuditFilter {
  return {
    ...(q.event_type?.length ? { event_type: q.event_type } : {}),
    ...(q.outcome?.length ? { outcome: q.outcome } : {}),
    ...(q.user_id !== undefined ? { user_id: q.user_id } : {}),
    ...(q.source_ip !== undefined ? { source_ip: q.source_ip } : {}),
    ...(q.action_prefix !== undefined ? { action_prefix: q.action_prefix } : {}),
    ...(q.since !== undefined ? { since: q.since } : {}),
    ...(q.until !== undefined ? { until: q.until } : {}),
  };
}

const verifyQuery = z.strictObject({
  from: queryInt(1, 999_999_999).optional(),
  to: queryInt(1, 999_999_999).optional(),
});

/** The stamp as stored in the row (the response shows exactly what the chain covers). */
const stampOf = (row: AuditRow): unknown => (JSON.parse(row.metadata) as JsonObject)[SUBMITTED_BY_KEY];

const seqParams = z.strictObject({
  seq: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, { error: 'must be a whole number ≥ 1' })
    .transform(Number),
});
const proofQuery = z.strictObject({ tree_size: queryInt(1, 999_999_999).optional() });

/**
 * One event, or `{events: [...]}`; the service validates each event (a single event's errors name
 * its fields, a batch's name events.<i>.<field>).
 */
const appendBody = z.record(z.string(), z.unknown(), {
  error: 'must be a JSON object: an event or {events: [...]}',
});

export const auditLogRoutes: RouteModule = (app, bulwark) => {
  app.post(
    '/security/logs',
    {
      // Control characters in action and metadata are neutralised, not refused (issue 3).
      config: { scope: 'write', rawText: true },
      schema: {
        summary: `Append one audit event, or a batch {events: [...]} of at most ${BATCH_MAX_EVENTS} (refused whole on any bad event or decreasing timestamp)`,
        body: appendBody,
        response: responses(
          201,
          "One event: {id, seq, hash, submitted_by}; a batch: {events: [{id, seq}], count, submitted_by} (submitted_by: the token stamped into each event's metadata)",
          [413, 415, 503],
        ),
      },
    },
    async (req, reply) => {
      const body = req.body as Record<string, unknown>;
      // Every event is stamped with the token that sent it (src/core/audit/submission.ts).
      const submitter = { token_id: req.token!.id, token_name: req.token!.name };
      if ('events' in body) {
        const extra = Object.keys(body).find((k) => k !== 'events');
        if (extra !== undefined)
          throw new BulwarkError(
            'validation_failed',
            `${extra}: unknown field (a batch is {events: [...]})`,
            {
              field: extra,
            },
          );
        const rows = await bulwark.audit.submitBatch(body.events, submitter);
        return reply.status(201).send({
          events: rows.map((r) => ({ id: r.id, seq: r.seq })),
          count: rows.length,
          [SUBMITTED_BY_KEY]: stampOf(rows[0]!),
        });
      }
      const row = await bulwark.audit.submit(body, submitter);
      return reply
        .status(201)
        .send({ id: row.id, seq: row.seq, hash: row.hash, [SUBMITTED_BY_KEY]: stampOf(row) });
    },
  );

  app.get(
    '/security/logs',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'List audit events (filters; newest first unless order=asc; cursor pagination)',
        querystring: auditListQuery,
        response: responses(200, '{items, next_cursor}'),
      },
    },
    async (req) => {
      const q = req.query as z.output<typeof auditListQuery>;
      const page = await bulwark.audit.list(toAuditFilter(q), {
        limit: q.limit,
        cursor: q.cursor,
        order: q.order,
      });
      return { items: page.items.map(presentAuditRow), next_cursor: page.next_cursor };
    },
  );

  app.get(
    '/security/logs/verify',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Verify the hash chain and signed checkpoints (a broken chain is ok:false, not an error)',
        querystring: verifyQuery,
        response: responses(
          200,
          '{ok, from, to, checked, first_bad_seq?, reason?, checkpoints_checked, checkpoints}',
        ),
      },
    },
    async (req) => {
      const q = req.query as z.output<typeof verifyQuery>;
      return bulwark.audit.verify({ from: q.from, to: q.to });
    },
  );

  app.get(
    '/security/logs/checkpoints',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Signed checkpoints (verifiable with the public key alone)',
        response: responses(200, '{items}'),
      },
    },
    async () => ({ items: (await bulwark.audit.checkpoints()).map(presentCheckpoint) }),
  );

  app.get(
    '/security/logs/checkpoints/public-keys',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Public keys (PEM) of every key version that signs checkpoints, for offline checks',
        querystring: z.strictObject({}),
        response: responses(200, '{items: [{key_id, key_version, public_key}]}'),
      },
    },
    async () => ({ items: await bulwark.audit.publicKeys() }),
  );

  app.post(
    '/security/logs/checkpoints',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Sign a checkpoint of the current head now',
        body: emptyBody,
        response: responses(201, '{checkpoint, created} (200 when the head was already checkpointed)', [409]),
      },
    },
    async (_req, reply) => {
      const { checkpoint, created } = await bulwark.audit.checkpoint();
      return reply.status(created ? 201 : 200).send({ checkpoint: presentCheckpoint(checkpoint), created });
    },
  );

  app.get(
    '/security/logs/:seq/proof',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'RFC 6962 inclusion proof of one event (tree of row hashes up to a checkpoint or tree_size)',
        params: seqParams,
        querystring: proofQuery,
        response: responses(
          200,
          '{seq, leaf_index, tree_size, leaf_hash, root, audit_path, row, checkpoint} (a seq past the head is a 400 naming the head)',
          [422],
        ),
      },
    },
    async (req) => {
      const { seq } = req.params as { seq: number };
      const { tree_size } = req.query as z.output<typeof proofQuery>;
      const p = await bulwark.audit.proof(seq, tree_size);
      return { ...p, checkpoint: p.checkpoint ? presentCheckpoint(p.checkpoint) : null };
    },
  );
};
