import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../src/core/errors.js';
import {
  DEFAULT_SLA_POLICY,
  dueAt,
  isOverdue,
  meanTimeToRemediate,
  remediationDuration,
  resolveSlaPolicy,
} from '../../../src/core/vulns/sla.js';
import { expectValidationError } from './helpers.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

describe('SLA policy', () => {
  it('defaults: critical 2 days, high 7, medium 90, low 120', () => {
    expect(DEFAULT_SLA_POLICY).toEqual({ critical: 2, high: 7, medium: 90, low: 120 });
    expect(dueAt('critical', T0)).toBe(Date.UTC(2025, 0, 3));
    expect(dueAt('high', T0)).toBe(Date.UTC(2025, 0, 8));
    expect(dueAt('medium', T0)).toBe(Date.UTC(2025, 3, 1));
    expect(dueAt('low', T0)).toBe(Date.UTC(2025, 4, 1));
  });

  it('is configurable; missing severities keep the defaults; fractions of days work', () => {
    const p = resolveSlaPolicy({ critical: 0.5, high: 3 });
    expect(p).toEqual({ critical: 0.5, high: 3, medium: 90, low: 120 });
    expect(dueAt('critical', T0, p)).toBe(T0 + 12 * 3_600_000);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it.each([
    ['zero', { high: 0 }, 'sla.high', /greater than 0/],
    ['negative', { low: -1 }, 'sla.low', /greater than 0/],
    ['NaN', { medium: NaN }, 'sla.medium', /greater than 0/],
    ['Infinity', { low: Infinity }, 'sla.low', /at most 3650/],
    ['milliseconds by mistake', { low: 120 * DAY }, 'sla.low', /at most 3650/],
    ['a string', { high: '7' }, 'sla.high', /number of days/],
    ['unknown severity', { urgent: 1 }, 'sla.urgent', /unknown severity/],
    [
      'critical longer than high',
      { critical: 10 },
      'sla.critical',
      /must not be longer than high \(7 days\)/,
    ],
    ['medium longer than low', { medium: 200 }, 'sla.medium', /must not be longer than low/],
  ] as [string, Record<string, unknown>, string, RegExp][])(
    'refuses %s as config_invalid naming the setting',
    (_n, partial, field, message) => {
      let err: unknown;
      try {
        resolveSlaPolicy(partial as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BulwarkError);
      expect((err as BulwarkError).code).toBe('config_invalid');
      expect((err as BulwarkError).field).toBe(field);
      expect((err as BulwarkError).message).toMatch(message);
    },
  );
});

describe('isOverdue', () => {
  const due = T0 + 7 * DAY;
  it('open and in_progress are overdue strictly after due_at', () => {
    for (const status of ['open', 'in_progress'] as const) {
      expect(isOverdue({ status, due_at: due }, due)).toBe(false);
      expect(isOverdue({ status, due_at: due }, due + 1)).toBe(true);
      expect(isOverdue({ status, due_at: due }, T0)).toBe(false);
    }
  });
  it('mitigated and resolved are never overdue', () => {
    expect(isOverdue({ status: 'mitigated', due_at: due }, due + 365 * DAY)).toBe(false);
    expect(isOverdue({ status: 'resolved', due_at: due }, due + 365 * DAY)).toBe(false);
  });
});

describe('mean time to remediate', () => {
  it('averages durations; null when there are none', () => {
    expect(meanTimeToRemediate([])).toBeNull();
    expect(meanTimeToRemediate([DAY, 3 * DAY])).toBe(2 * DAY);
    expect(meanTimeToRemediate([0])).toBe(0);
  });
  it('is exact for many large durations (one year each, 10,000 rows)', () => {
    expect(meanTimeToRemediate(new Array(10_000).fill(365 * DAY))).toBe(365 * DAY);
  });
  it('refuses negative or non-finite durations, naming the index', () => {
    expectValidationError(() => meanTimeToRemediate([DAY, -1]), 'resolved_durations.1', /non-negative/);
    expectValidationError(() => meanTimeToRemediate([NaN]), 'resolved_durations.0');
    expectValidationError(() => meanTimeToRemediate([Infinity]), 'resolved_durations.0');
  });
  it('remediationDuration is resolved_at − discovered_at, null while unresolved', () => {
    expect(remediationDuration({ discovered_at: T0, resolved_at: T0 + 5 * DAY })).toBe(5 * DAY);
    expect(remediationDuration({ discovered_at: T0, resolved_at: null })).toBeNull();
  });
});
