/**
 * boundedLines: the log reader of `bulwark auth import`. Line ends as readline's (`\n`, `\r\n`
 * across chunks, a lone `\r`), UTF-8 split across chunks, and an over-long line cut to one
 * character past the limit (so the parser knows) while its rest is dropped as it is read.
 */
import { describe, expect, it } from 'vitest';
import { boundedLines } from '../../src/adapters/fs/log-lines.js';

async function collect(chunks: (Buffer | string)[], max = 10): Promise<string[]> {
  const out: string[] = [];
  async function* input() {
    yield* chunks;
  }
  for await (const l of boundedLines(input(), max)) out.push(l);
  return out;
}

describe('boundedLines', () => {
  it('splits on \\n, \\r\\n (also across chunks) and a lone \\r; a last line without an end is kept', async () => {
    expect(await collect(['a\nb\r', '\nc\rd\r\n\ne'])).toEqual(['a', 'b', 'c', 'd', '', 'e']);
    expect(await collect(['a\n'])).toEqual(['a']);
    expect(await collect([''])).toEqual([]);
  });

  it('decodes UTF-8 split across Buffer chunks', async () => {
    const bytes = Buffer.from('é\nüx\n');
    expect(await collect([bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)])).toEqual([
      'é',
      'üx',
    ]);
  });

  it('keeps at most max + 1 characters of a line, over any number of chunks, and reads on', async () => {
    const long = Array.from({ length: 50 }, () => 'x'.repeat(1000));
    const lines = await collect(['ok\n', ...long, '\nnext\n'], 10);
    expect(lines).toEqual(['ok', 'x'.repeat(11), 'next']);
  });
});
