import { describe, expect, it } from 'vitest';
import { validate, version } from 'uuid';
import { newId } from '../../src/core/ids.js';

describe('newId (pooled UUIDv7)', () => {
  it('makes valid version-7 RFC 9562 UUIDs carrying the current time', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('is unique and strictly increasing across several pool refills', () => {
    // 16 KiB pool / 16 bytes an id = 1024 ids a refill: 5000 ids cross it several times.
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  it('draws fresh random bits for every id (the tails of consecutive ids differ)', () => {
    const tails = Array.from({ length: 2000 }, () => newId().slice(-12));
    expect(new Set(tails).size).toBe(tails.length);
  });
});
