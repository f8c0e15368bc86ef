/**
 * The attempt store's window reads on every SQL backend: range() (whole rows) and scan() (the
 * anomaly view's columns) yield exactly [since, until), in (timestamp, id) order, each row once,
 * however the pages fall, including pages that end inside a run of equal timestamps.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { SqlAttemptStore } from '../../src/adapters/sql/attempt-store.js';
import type { StoredAttempt } from '../../src/core/ports/attempt-store.js';
import { describeEachBackend } from '../support/backends.js';

const T0 = Date.UTC(2026, 0, 15);

/** Ids that do not sort by insertion order, so the keyset's id part decides ties. */
const id = (n: number) => `00000000-0000-7000-8000-${String((n * 7919) % 100_000).padStart(12, '0')}`;

// 0, 1, 2 ms ... with runs of five attempts at T0 + 3 and T0 + 7 (longer than a 2- or 3-row page).
const times = [0, 1, 2, 3, 3, 3, 3, 3, 4, 5, 6, 7, 7, 7, 7, 7, 8, 9].map((d) => T0 + d);

const attempts: StoredAttempt[] = times.map((timestamp, n) => ({
  id: id(n),
  user_id: n % 3 === 0 ? null : `user${n}`,
  sender: n % 2 === 0 ? `+1555000${n}` : null,
  source_ip: n % 4 === 0 ? '2001:db8::1' : `192.0.2.${n}`,
  ip_key: n % 4 === 0 ? '2001:db8::/64' : `192.0.2.${n}`,
  timestamp,
  result: n % 5 === 0 ? 'success' : 'failure',
  failure_reason: n % 5 === 0 ? null : n % 2 === 0 ? 'unknown_user' : 'bad_password',
  failure_detail: n % 5 === 0 ? null : `sshd: detail ${n}`,
  rl_bucket_state: [{ bucket: `ip:192.0.2.${n}`, window_ms: 60_000, count: n, limit: 10 }],
}));

/** The rows of [since, until) in (timestamp, id) order: what both reads must yield. */
const expected = (since: number, until: number) =>
  attempts
    .filter((a) => a.timestamp >= since && a.timestamp < until)
    .sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : 1));

const narrow = ({ sender: _s, rl_bucket_state: _r, ...rest }: StoredAttempt) => rest;

async function collect<T>(chunks: AsyncIterable<T[]>): Promise<{ rows: T[]; sizes: number[] }> {
  const rows: T[] = [];
  const sizes: number[] = [];
  for await (const chunk of chunks) {
    sizes.push(chunk.length);
    rows.push(...chunk);
  }
  return { rows, sizes };
}

describeEachBackend('attempt store window reads', (backend) => {
  let b: Bulwark;
  let store: SqlAttemptStore;

  beforeAll(async () => {
    b = await createBulwark({ database_url: backend.url() }, { logLevel: 'silent', env: {} });
    store = new SqlAttemptStore(b.store);
    // Inserted out of time order: the reads must order, not the insertion.
    await store.insertMany([...attempts].reverse());
  });
  afterAll(() => b.close());

  const windows: [string, number, number][] = [
    ['everything', T0 - 1, T0 + 100],
    ['a window starting and ending inside runs of equal times', T0 + 3, T0 + 7],
    ['one instant', T0 + 7, T0 + 8],
  ];

  for (const [what, since, until] of windows)
    for (const pageSize of [1, 2, 3, 5, 1000]) {
      it(`range(): ${what}, pages of ${pageSize}`, async () => {
        const { rows, sizes } = await collect(store.range(since, until, pageSize));
        expect(rows).toEqual(expected(since, until));
        expect(sizes.every((n) => n > 0 && n <= pageSize)).toBe(true);
      });

      it(`scan(): ${what}, pages of ${pageSize}: the same rows as range(), without sender and bucket state`, async () => {
        const { rows, sizes } = await collect(store.scan(since, until, pageSize));
        expect(rows).toEqual(expected(since, until).map(narrow));
        expect(sizes.every((n) => n > 0 && n <= pageSize)).toBe(true);
      });
    }

  it('an empty window yields no chunk', async () => {
    expect((await collect(store.scan(T0 + 50, T0 + 60))).sizes).toEqual([]);
    expect((await collect(store.range(T0 + 50, T0 + 60))).sizes).toEqual([]);
    expect((await collect(store.scan(T0 + 5, T0 + 5))).sizes).toEqual([]);
  });

  it('scan() reads with the default page size and keeps every field it returns exact', async () => {
    const { rows } = await collect(store.scan(T0, T0 + 10));
    expect(rows).toHaveLength(attempts.length);
    const first = rows.find((r) => r.id === id(1))!;
    expect(first).toEqual({
      id: id(1),
      user_id: 'user1',
      source_ip: '192.0.2.1',
      ip_key: '192.0.2.1',
      timestamp: T0 + 1,
      result: 'failure',
      failure_reason: 'bad_password',
      failure_detail: 'sshd: detail 1',
    });
    expect(typeof first.timestamp).toBe('number');
  });

  it('lets the event loop run between pages (a long window never holds the server)', async () => {
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const { sizes } = await collect(store.scan(T0 - 1, T0 + 100, 2));
    const { sizes: rangeSizes } = await collect(store.range(T0 - 1, T0 + 100, 2));
    ticking = false;
    // One turn of the loop at least between each pair of pages of both walks.
    expect(turns).toBeGreaterThanOrEqual(sizes.length - 1 + rangeSizes.length - 1);
  });
});
