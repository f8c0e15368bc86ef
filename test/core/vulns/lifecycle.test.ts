import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../src/core/errors.js';
import {
  VULN_STATUSES,
  allowedNextStatuses,
  checkTransition,
  illegalTransitionError,
  isTerminalStatus,
  type VulnStatus,
} from '../../../src/core/vulns/lifecycle.js';

describe('vulnerability lifecycle', () => {
  const ALLOWED = new Set([
    'open>in_progress',
    'in_progress>mitigated',
    'in_progress>resolved',
    'mitigated>resolved',
  ]);

  it('allows exactly the four transitions of the design, and refuses the other twelve pairs', () => {
    let allowed = 0;
    for (const from of VULN_STATUSES) {
      for (const to of VULN_STATUSES) {
        const r = checkTransition(from, to);
        expect(r.ok, `${from} → ${to}`).toBe(ALLOWED.has(`${from}>${to}`));
        if (r.ok) allowed++;
        else expect(r.reason.length).toBeGreaterThan(0);
      }
    }
    expect(allowed).toBe(4);
  });

  it('lists the next statuses', () => {
    expect(allowedNextStatuses('open')).toEqual(['in_progress']);
    expect(allowedNextStatuses('in_progress')).toEqual(['mitigated', 'resolved']);
    expect(allowedNextStatuses('mitigated')).toEqual(['resolved']);
    expect(allowedNextStatuses('resolved')).toEqual([]);
    expect(isTerminalStatus('resolved')).toBe(true);
    expect(isTerminalStatus('mitigated')).toBe(false);
  });

  it('the returned list is a copy: changing it does not change the lifecycle', () => {
    allowedNextStatuses('open').push('resolved');
    expect(checkTransition('open', 'resolved').ok).toBe(false);
  });

  it('explains refusals in words', () => {
    expect(checkTransition('open', 'resolved')).toEqual({
      ok: false,
      reason: 'cannot move from open to resolved; from open it can only move to in_progress',
    });
    expect(checkTransition('resolved', 'open')).toEqual({
      ok: false,
      reason: 'cannot move from resolved to open; resolved is final: no transition is allowed from it',
    });
    expect(checkTransition('mitigated', 'in_progress')).toEqual({
      ok: false,
      reason: 'cannot move from mitigated to in_progress; from mitigated it can only move to resolved',
    });
    expect(checkTransition('in_progress', 'in_progress')).toEqual({
      ok: false,
      reason: 'the vulnerability is already in_progress',
    });
  });

  it('unknown statuses are refused as values, not crashes', () => {
    expect(checkTransition('open', 'closed' as VulnStatus)).toEqual({
      ok: false,
      reason: 'unknown target status; statuses are open, in_progress, mitigated, resolved',
    });
    expect(checkTransition('new' as VulnStatus, 'open').ok).toBe(false);
    expect(checkTransition('__proto__' as VulnStatus, 'open').ok).toBe(false);
    expect(allowedNextStatuses('toString' as VulnStatus)).toEqual([]);
  });

  it('illegalTransitionError carries the illegal_transition code (409) and the allowed statuses', () => {
    const r = checkTransition('open', 'mitigated');
    if (r.ok) throw new Error('expected a refusal');
    const err = illegalTransitionError('open', 'mitigated', r.reason);
    expect(err).toBeInstanceOf(BulwarkError);
    expect(err.code).toBe('illegal_transition');
    expect(err.httpStatus).toBe(409);
    expect(err.field).toBe('status');
    expect(err.message).toBe(r.reason);
    expect(err.details).toEqual({ from: 'open', to: 'mitigated', allowed: ['in_progress'] });
  });
});
