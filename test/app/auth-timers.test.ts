import { afterEach, expect, it, vi } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { startAuthTimers } from '../../src/app/auth-timers.js';

afterEach(() => vi.useRealTimers());

it('serve captures a snapshot every snapshot_interval_s and stops on close', async () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const b = await createBulwark(
    { database_url: 'sqlite::memory:', snapshot_interval_s: 5 },
    { logLevel: 'silent', env: {} },
  );
  try {
    const stop = startAuthTimers(b);
    expect(await b.auth.latestSnapshot()).toBeNull();
    await vi.advanceTimersByTimeAsync(5_000);
    const first = await b.auth.latestSnapshot();
    expect(first).toMatchObject({ per_ip_limit: 120, per_sender_limit: 60 });
    stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await b.auth.latestSnapshot())!.id).toBe(first!.id);
  } finally {
    await b.close();
  }
});
