// Tests src/core/validation.ts (shared by every area; written with the vulns work).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BulwarkError } from '../../../src/core/errors.js';
import { friendlyErrorMap, parseWithSchema, zodIssuesToError } from '../../../src/core/validation.js';

const schema = z.strictObject({
  name: z.string().min(1).max(5),
  count: z.number().int().min(1).max(10),
  tags: z.array(z.string()).max(2).optional(),
  nested: z.strictObject({ level: z.enum(['a', 'b']) }).optional(),
});

const errorOf = (input: unknown): BulwarkError => {
  try {
    parseWithSchema(schema, input);
  } catch (e) {
    if (e instanceof BulwarkError) return e;
    throw e;
  }
  throw new Error('expected a failure');
};

describe('parseWithSchema / zodIssuesToError', () => {
  it('returns the parsed value when valid', () => {
    expect(parseWithSchema(schema, { name: 'ab', count: 3 })).toEqual({ name: 'ab', count: 3 });
  });

  it.each([
    [{ count: 3 }, 'name', 'name: is required'],
    [{ name: '', count: 3 }, 'name', 'name: must not be empty'],
    [{ name: 'abcdef', count: 3 }, 'name', 'name: must be at most 5 characters'],
    [{ name: 'a', count: '3' }, 'count', 'count: must be a number, got a string'],
    [{ name: 'a', count: NaN }, 'count', 'count: must be a number, got NaN'],
    [{ name: 'a', count: -Infinity }, 'count', 'count: must be a number, got -Infinity'],
    [{ name: 'a', count: 2.5 }, 'count', 'count: must be a whole number, got a number'],
    [{ name: 'a', count: 11 }, 'count', 'count: must be at most 10'],
    [{ name: 'a', count: 0 }, 'count', 'count: must be at least 1'],
    [{ name: 'a', count: 1, tags: ['x', 'y', 'z'] }, 'tags', 'tags: must be at most 2 items'],
    [{ name: 'a', count: 1, tags: ['x', 4] }, 'tags.1', 'tags.1: must be a string, got a number'],
    [
      { name: 'a', count: 1, nested: { level: 'c' } },
      'nested.level',
      'nested.level: must be one of "a", "b"',
    ],
    [
      { name: 'a', count: 1, nested: { level: 'a', extra: 1 } },
      'nested.extra',
      'nested.extra: unknown field',
    ],
    [{ name: 'a', count: 1, evil: '<script>' }, 'evil', 'evil: unknown field'],
    [null, 'input', 'input: must be an object, got null'],
    [[], 'input', 'input: must be an object, got an array'],
  ] as [unknown, string, string][])('%j → %s', (input, field, message) => {
    const err = errorOf(input);
    expect(err.code).toBe('validation_failed');
    expect(err.field).toBe(field);
    expect(err.message).toBe(message);
  });

  it('never echoes the offending value', () => {
    const err = errorOf({ name: 'sk_live_SECRET_TOKEN_VALUE', count: 'hunter2' });
    expect(err.message).not.toMatch(/SECRET|hunter2/);
    expect(JSON.stringify(err.details)).not.toMatch(/SECRET|hunter2/);
  });

  it('lists all issues (up to 20) in details.issues', () => {
    const err = errorOf({ name: 5, count: 'x', a: 1 });
    expect(err.details).toEqual({
      issues: [
        { field: 'name', message: 'must be a string, got a number' },
        { field: 'count', message: 'must be a number, got a string' },
        { field: 'a', message: 'unknown field' },
      ],
    });
    const wide = z.array(z.number());
    const many = wide.safeParse(
      Array.from({ length: 50 }, () => 'x'),
      { error: friendlyErrorMap },
    );
    expect(many.success).toBe(false);
    if (!many.success) expect((zodIssuesToError(many.error).details?.issues as unknown[]).length).toBe(20);
  });

  it('messages a schema sets itself win over the friendly map', () => {
    const s = z.object({ code: z.string().regex(/^\d+$/, { error: 'must be digits only' }) });
    expect(() => parseWithSchema(s, { code: 'abc' })).toThrow('code: must be digits only');
  });

  it('zodIssuesToError works on errors parsed without the friendly map too', () => {
    const r = schema.safeParse({ name: 'a', count: 1, zz: 1 });
    expect(r.success).toBe(false);
    if (!r.success) {
      const err = zodIssuesToError(r.error);
      expect(err.field).toBe('zz');
      expect(err.httpStatus).toBe(400);
    }
  });
});
