/**
 * Lines of a log file for `bulwark auth import`, read with bounded memory. Node's readline keeps a
 * line whole however long it is: a file without line breaks (a binary, `/dev/zero`, a core dump
 * given by mistake) grew one string until V8 threw `RangeError: Invalid string length` with a
 * stack. Here a line is kept up to `maxChars + 1` characters and the rest of it is dropped as it is
 * read, so the parser sees that it was too long (parseLogStream skips it) and memory stays flat.
 *
 * Line ends are readline's with `crlfDelay: Infinity`: `\n`, `\r\n` (one end, even split across
 * chunks) and a lone `\r`.
 */
import { StringDecoder } from 'node:string_decoder';

const BREAK = /[\r\n]/g;

export async function* boundedLines(
  input: AsyncIterable<Buffer | string>,
  maxChars: number,
): AsyncGenerator<string, void, undefined> {
  const decoder = new StringDecoder('utf8');
  let line = '';
  let full = false;
  let skipLf = false;
  const take = (chunk: string, from: number, to: number) => {
    if (full || to <= from) return;
    line += chunk.slice(from, Math.min(to, from + maxChars + 1 - line.length));
    full = line.length > maxChars;
  };
  const lines = function* (chunk: string): Generator<string> {
    let i = 0;
    if (skipLf && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 10) i = 1;
      skipLf = false;
    }
    while (i < chunk.length) {
      BREAK.lastIndex = i;
      const m = BREAK.exec(chunk);
      if (m === null) {
        take(chunk, i, chunk.length);
        return;
      }
      take(chunk, i, m.index);
      yield line;
      line = '';
      full = false;
      i = m.index + 1;
      if (m[0] === '\r') {
        if (i === chunk.length) skipLf = true;
        else if (chunk.charCodeAt(i) === 10) i += 1;
      }
    }
  };
  for await (const raw of input) yield* lines(typeof raw === 'string' ? raw : decoder.write(raw));
  yield* lines(decoder.end());
  if (line.length > 0) yield line;
}
