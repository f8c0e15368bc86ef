import { describe, expect, it } from 'vitest';
import { transitionVulnerability } from '../../../src/core/vulns/transition.js';
import { buildVulnerability } from '../../../src/core/vulns/vulnerability.js';
import { meanTimeToRemediate, remediationDuration } from '../../../src/core/vulns/sla.js';
import { expectValidationError } from './helpers.js';

const T0 = Date.UTC(2025, 2, 1);
const HOUR = 3_600_000;
const fresh = () =>
  buildVulnerability(
    {
      title: 'SSRF in webhook fetcher',
      component: 'src/webhooks/fetch.ts',
      cvss_vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N',
      cwes: ['CWE-918'],
    },
    { now: T0, id: '0195501a-0000-7000-8000-000000000001' },
  );

describe('transitionVulnerability', () => {
  it('walks open → in_progress → mitigated → resolved, recording each change', () => {
    const v0 = fresh();
    expect(v0).toMatchObject({ status: 'open', severity: 'high', owasp_category: 'A01' });
    const r1 = transitionVulnerability(v0, 'in_progress', {
      now: T0 + HOUR,
      actor: 'alice',
      note: '  triaged ',
    });
    if (!r1.ok) throw new Error(r1.reason);
    expect(r1.change).toEqual({
      vulnerability_id: v0.id,
      from: 'open',
      to: 'in_progress',
      at: T0 + HOUR,
      actor: 'alice',
      note: 'triaged',
    });
    expect(r1.vulnerability).toMatchObject({
      status: 'in_progress',
      updated_at: T0 + HOUR,
      resolved_at: null,
      created_at: T0,
    });
    const r2 = transitionVulnerability(r1.vulnerability, 'mitigated', { now: T0 + 2 * HOUR });
    if (!r2.ok) throw new Error(r2.reason);
    expect(r2.vulnerability.resolved_at).toBeNull();
    expect(r2.change).toMatchObject({ actor: null, note: null });
    const r3 = transitionVulnerability(r2.vulnerability, 'resolved', { now: T0 + 5 * HOUR });
    if (!r3.ok) throw new Error(r3.reason);
    expect(r3.vulnerability).toMatchObject({ status: 'resolved', resolved_at: T0 + 5 * HOUR });
    expect(remediationDuration(r3.vulnerability)).toBe(5 * HOUR);
    expect(meanTimeToRemediate([remediationDuration(r3.vulnerability)!])).toBe(5 * HOUR);
    // The input rows are not mutated.
    expect(v0.status).toBe('open');
  });

  it('refuses illegal transitions as values', () => {
    expect(transitionVulnerability(fresh(), 'resolved', { now: T0 + HOUR })).toEqual({
      ok: false,
      reason: 'cannot move from open to resolved; from open it can only move to in_progress',
    });
  });

  it('refuses a change dated before discovery', () => {
    expect(transitionVulnerability(fresh(), 'in_progress', { now: T0 - 1 })).toEqual({
      ok: false,
      reason: 'the change is dated before the vulnerability was discovered',
    });
  });

  it('refuses an oversized note naming it', () => {
    expectValidationError(
      () => transitionVulnerability(fresh(), 'in_progress', { now: T0, note: 'x'.repeat(2049) }),
      'note',
      /at most 2048/,
    );
  });
});
