import { BulwarkError } from '../../errors.js';

/**
 * The one way a lockfile parser fails: `unprocessable`, naming the file and, when known, the line.
 * The message quotes no file content beyond short identifiers (a lockfile can hold tokens in URLs).
 */
export function lockfileError(fileName: string, reason: string, line?: number): BulwarkError {
  const where = line === undefined ? fileName : `${fileName}:${line}`;
  return new BulwarkError('unprocessable', `cannot parse lockfile ${where}: ${reason}`, {
    details: line === undefined ? { file: fileName } : { file: fileName, line },
  });
}

/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  let i = text.indexOf('\n');
  while (i !== -1 && i < offset) {
    line++;
    i = text.indexOf('\n', i + 1);
  }
  return line;
}
