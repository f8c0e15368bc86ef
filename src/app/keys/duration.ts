/**
 * Rotation periods as people write them: `90d`, `12h`, `30m`, `2w`, or `0` (auto-rotation off).
 * Plain digits are milliseconds (what the library and `auto_rotate_period_ms` take).
 */
import { validationError } from '../../core/errors.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parsePeriod(value: unknown, field = 'auto_rotate_period'): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const m = /^(\d{1,9})([mhdw]?)$/.exec(value.trim());
    if (m) {
      const n = Number(m[1]);
      const ms = m[2] ? n * UNIT_MS[m[2]]! : n;
      if (Number.isSafeInteger(ms)) return ms;
    }
  }
  throw validationError(field, 'must be a period such as 90d, 12h, 2w, or 0 to disable auto-rotation');
}

/** The shortest exact spelling of a period: 7776000000 → "90d"; 0 → "0". */
export function formatPeriod(ms: number): string {
  if (ms === 0) return '0';
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    if (ms % UNIT_MS[unit]! === 0) return `${ms / UNIT_MS[unit]!}${unit}`;
  }
  return String(ms);
}
