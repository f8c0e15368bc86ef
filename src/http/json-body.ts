/**
 * The JSON body parser. Fastify's default decodes bytes with replacement characters (a body with
 * invalid UTF-8 would be stored altered, not refused) and answers a `__proto__` key as "not valid
 * JSON" although it is. Here: invalid UTF-8 is refused, syntax errors are `invalid_json`, and keys
 * that could reach an object's prototype are refused by name as unknown fields.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { BulwarkError, validationError } from '../core/errors.js';

const PROTOTYPE_KEYS = /"(?:__proto__|constructor)"/;

/** The path of the first `__proto__` key, or `constructor` holding `prototype`, in parsed JSON. */
function prototypeKeyPath(value: unknown, path: string): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = prototypeKeyPath(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    const here = path ? `${path}.${key}` : key;
    if (key === '__proto__') return here;
    if (key === 'constructor' && child !== null && typeof child === 'object' && 'prototype' in child)
      return here;
    const found = prototypeKeyPath(child, here);
    if (found) return found;
  }
  return null;
}

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) throw new BulwarkError('invalid_json', 'body: empty JSON body');
  if (!isUtf8(raw)) throw validationError('body', 'is not valid UTF-8');
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BulwarkError('invalid_json', 'body: not valid JSON');
  }
  // The walk only runs when the text could hold such a key (cheap test on the raw text first).
  if (PROTOTYPE_KEYS.test(text)) {
    const at = prototypeKeyPath(value, '');
    if (at) throw validationError(at, 'unknown field');
  }
  return value;
}

export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
