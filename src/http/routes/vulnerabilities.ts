import { z } from 'zod';
import { VULN_STATUSES } from '../../core/vulns/lifecycle.js';
import { SEVERITIES } from '../../core/vulns/severity.js';
import { OWASP_CATEGORIES, OWASP_EDITIONS, parseCategoryFilter } from '../../core/vulns/owasp.js';
import { vulnerabilityCreateSchema } from '../../core/vulns/vulnerability.js';
import { validationError } from '../../core/errors.js';
import { actorOf } from '../auth.js';
import { csvList, idParams, pageQuery, responses } from '../schemas.js';
import type { RouteModule } from '../server.js';
import type { VulnerabilityFilter } from '../../core/ports/vulnerability-store.js';
import { presentTransition, presentVulnerability } from '../../app/present.js';
import { presentAuditRow } from '../../app/audit/present.js';

const listQuery = z.strictObject({
  severity: csvList(SEVERITIES).optional(),
  status: csvList(VULN_STATUSES).optional(),
  // A01, A03:2021 or the titled form; in `owasp_edition` (default: the configured edition).
  owasp_category: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()))
    .pipe(
      z
        .array(z.string().min(1).max(128))
        .min(1)
        .max(OWASP_CATEGORIES.length * 2),
    )
    .optional(),
  owasp_edition: z.enum(OWASP_EDITIONS).optional(),
  component: z.string().min(1).max(512).optional(),
  q: z.string().min(1).max(256).optional(),
  ...pageQuery,
});

const transitionBody = z.strictObject({
  to: z.enum(VULN_STATUSES),
  note: z.string().max(4096).optional(),
});

export const vulnerabilityRoutes: RouteModule = (app, bulwark) => {
  app.get(
    '/security/vulnerabilities',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'List vulnerabilities (filters, cursor pagination)',
        querystring: listQuery,
        response: responses(200, '{items, next_cursor}'),
      },
    },
    async (req) => {
      const q = req.query as z.output<typeof listQuery>;
      if (q.owasp_edition && !q.owasp_category)
        throw validationError('owasp_edition', 'applies only together with owasp_category');
      const filter: VulnerabilityFilter = {
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.owasp_category
          ? { owasp: parseCategoryFilter(q.owasp_category, q.owasp_edition, bulwark.config.owasp_edition) }
          : {}),
        ...(q.component ? { component: q.component } : {}),
        ...(q.q ? { text: q.q } : {}),
      };
      const page = await bulwark.vulnerabilities.list(filter, { limit: q.limit, cursor: q.cursor });
      return { items: page.items.map(presentVulnerability), next_cursor: page.next_cursor };
    },
  );

  app.post(
    '/security/vulnerabilities',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Record a vulnerability (score computed from its CVSS vector)',
        body: vulnerabilityCreateSchema,
        response: responses(
          201,
          'The vulnerability, with its computed score, severity, category and due date',
          [413, 415],
        ),
      },
    },
    async (req, reply) => {
      // The body was checked against the schema; the service validates again and derives the rest.
      const v = await bulwark.vulnerabilities.create(req.body);
      return reply
        .status(201)
        .header('location', `/security/vulnerabilities/${v.id}`)
        .send(presentVulnerability(v));
    },
  );

  app.get(
    '/security/vulnerabilities/:id',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'One vulnerability with its transition history',
        params: idParams,
        response: responses(200, 'The vulnerability and its history', [404]),
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const v = await bulwark.vulnerabilities.get(id);
      const history = await bulwark.vulnerabilities.history(id);
      return {
        ...presentVulnerability(v),
        history: history.map(presentTransition),
      };
    },
  );

  app.post(
    '/security/vulnerabilities/:id/transitions',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Move a vulnerability along its lifecycle (409 when not allowed)',
        params: idParams,
        body: transitionBody,
        response: responses(201, '{vulnerability, transition, audit}', [404, 409]),
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const result = await bulwark.vulnerabilities.transition(
        id,
        req.body as z.output<typeof transitionBody>,
        actorOf(req),
        req.ip,
      );
      return reply.status(201).send({
        vulnerability: presentVulnerability(result.vulnerability),
        transition: presentTransition(result.transition),
        ...(result.audit ? { audit: presentAuditRow(result.audit) } : {}),
      });
    },
  );
};
