import { expect, it } from 'vitest';
import { GroupCommit } from '../../src/app/services/group-commit.js';

it('commits concurrent writes together, and a bad item fails alone', async () => {
  const batches: number[][] = [];
  const gc = new GroupCommit<number>(async (items) => {
    if (items.includes(13)) throw new Error('13 refused');
    batches.push(items);
  }, 4);
  const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => gc.add(i + 10)));
  expect(results.map((r) => r.status)).toEqual([
    'fulfilled',
    'fulfilled',
    'fulfilled',
    'rejected',
    'fulfilled',
    'fulfilled',
    'fulfilled',
    'fulfilled',
    'fulfilled',
    'fulfilled',
  ]);
  // First batch (10..13) failed and was retried one by one; the rest went in batches of at most 4.
  expect(batches).toEqual([[10], [11], [12], [14, 15, 16, 17], [18, 19]]);
  await gc.add(1);
  expect(batches.at(-1)).toEqual([1]);
});
