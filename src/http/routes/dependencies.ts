/**
 * Dependency scanning over HTTP: submit lockfiles (202, scanned in the background), read a scan,
 * list the dependency manifest, manage approvals, read the advisory database status.
 *
 * POST /security/scans takes JSON `{files: [{name, content}], policy?}` (policy: the text of a
 * bulwark.toml). It has its own body limit (scan_body_limit_bytes, 16 MiB by default) because real
 * lockfiles pass the global 256 KiB. Multipart upload is not offered (@fastify/multipart is not a
 * dependency); JSON strings carry any text lockfile.
 */
import { z } from 'zod';
import { parsePolicy } from '../../core/deps/approvals/policy.js';
import { approvalInputSchema } from '../../core/deps/approvals/approval.js';
import { SEVERITY_LEVELS } from '../../core/deps/osv/severity.js';
import { hasUnsafeText } from '../../core/validation.js';
import { presentApprovalRecord, presentManifest, presentScan } from '../../app/present-deps.js';
import { isoOrNull } from '../../app/present.js';
import { actorOf } from '../auth.js';
import { csvList, idParams, pageQuery, responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

const fileName = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => !hasUnsafeText(s) && !/[\t\n\r]/.test(s), {
    error: 'must be a file name without control characters',
  });

const scanBody = z.strictObject({
  files: z
    .array(z.strictObject({ name: fileName, content: z.string() }))
    .min(1, { error: 'at least one lockfile is required' })
    .max(100),
  policy: z
    .string()
    .max(1024 * 1024)
    .optional(),
});

const bool = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

const dependencyQuery = z.strictObject({
  scan_id: z.uuid({ error: 'must be a UUID' }).optional(),
  package: z.string().min(1).max(512).optional(),
  severity: csvList(SEVERITY_LEVELS).optional(),
  approved: bool.optional(),
  has_cves: bool.optional(),
  ...pageQuery,
});

const approvalsQuery = z.strictObject({ include_revoked: bool.optional() });

export const dependencyRoutes: RouteModule = (app, bulwark) => {
  const deps = bulwark.dependencies;
  const actor = (req: { ip: string } & Parameters<typeof actorOf>[0]) => ({ id: actorOf(req), ip: req.ip });

  app.post(
    '/security/scans',
    {
      // Lockfile text is handed to the parsers as is (they neutralise what they report); the
      // file names are checked by the schema.
      config: { scope: 'admin', rawText: true },
      bodyLimit: bulwark.config.scan_body_limit_bytes,
      schema: {
        summary: 'Scan lockfiles against the advisory database (202; runs in the background)',
        body: scanBody,
        response: responses(202, '{id, status, location}', [413, 415, 422, 503]),
      },
    },
    async (req, reply) => {
      const body = req.body as z.output<typeof scanBody>;
      const policy = body.policy !== undefined ? parsePolicy('policy', body.policy) : [];
      const scan = await deps.submit(
        body.files.map((f) => ({ path: f.name, content: f.content })),
        { requestedBy: actorOf(req), policy },
      );
      const location = `/security/scans/${scan.id}`;
      return reply
        .status(202)
        .header('location', location)
        .send({ id: scan.id, status: scan.status, location });
    },
  );

  app.get(
    '/security/scans/:id',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'A scan: status (queued, running, done, failed), summary and findings',
        params: idParams,
        response: responses(200, 'The scan', [404]),
      },
    },
    async (req) => presentScan(await deps.getScan((req.params as { id: string }).id)),
  );

  app.get(
    '/security/dependencies',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Dependency manifest rows of a scan (the latest completed one by default)',
        querystring: dependencyQuery,
        response: responses(200, '{scan_id, items, next_cursor}'),
      },
    },
    async (req) => {
      const q = req.query as z.output<typeof dependencyQuery>;
      const page = await deps.dependencies(
        {
          ...(q.scan_id ? { scan_id: q.scan_id } : {}),
          ...(q.package ? { package: q.package } : {}),
          ...(q.severity ? { severity: q.severity } : {}),
          ...(q.approved !== undefined ? { approved: q.approved } : {}),
          ...(q.has_cves !== undefined ? { has_cves: q.has_cves } : {}),
        },
        { limit: q.limit, cursor: q.cursor },
      );
      return { scan_id: page.scan_id, items: page.items.map(presentManifest), next_cursor: page.next_cursor };
    },
  );

  app.post(
    '/security/approvals',
    {
      config: { scope: 'admin' },
      schema: {
        summary:
          'Approve an advisory (alias-aware), optionally narrowed; reason, approver and expiry required (audited)',
        body: approvalInputSchema,
        response: responses(201, 'The approval', [413, 415]),
      },
    },
    async (req, reply) => {
      const a = await deps.addApproval(req.body, actor(req));
      return reply
        .status(201)
        .header('location', `/security/approvals/${a.id}`)
        .send(presentApprovalRecord(a, bulwark.clock.now()));
    },
  );

  app.get(
    '/security/approvals',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Approvals (active and expired; revoked ones with include_revoked=true)',
        querystring: approvalsQuery,
        response: responses(200, '{items}'),
      },
    },
    async (req) => {
      const q = req.query as z.output<typeof approvalsQuery>;
      const now = bulwark.clock.now();
      return {
        items: (await deps.listApprovals(q.include_revoked === true)).map((a) =>
          presentApprovalRecord(a, now),
        ),
      };
    },
  );

  app.delete(
    '/security/approvals/:id',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Revoke an approval (audited)',
        params: idParams,
        response: responses(204, 'Revoked', [404]),
      },
    },
    async (req, reply) => {
      await deps.revokeApproval((req.params as { id: string }).id, actor(req));
      return reply.status(204).send();
    },
  );

  app.get(
    '/security/advisories/status',
    {
      config: { scope: 'read' },
      schema: { summary: 'Advisory database counts, age and staleness', response: responses(200, 'Status') },
    },
    async () => {
      const s = await bulwark.advisories.status();
      return { ...s, newest_modified: isoOrNull(s.newest_modified), last_import: isoOrNull(s.last_import) };
    },
  );
};
