/** Shared pieces of route schemas. */
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../core/pagination.js';

/** `?severity=high,critical` or `?severity=high&severity=critical`. */
export const csvList = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).max(values.length * 2));

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(200).optional(),
};

export const idParams = z.strictObject({ id: z.uuid({ error: 'must be a UUID' }) });

export const errorBody = z.object({ code: z.string(), message: z.string() });
