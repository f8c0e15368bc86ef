/**
 * The allow-list exempts from alerts too: an allow-listed address's failures (recorded live or
 * imported) are neither anomaly findings nor lockout bans in the anomaly view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { FakeClock } from '../support/app.js';

describe('anomaly view and the allow-list', () => {
  let b: Bulwark;
  const clock = new FakeClock();
  beforeAll(async () => {
    b = await createBulwark(
      { database_url: 'sqlite::memory:', rate_limit_store: 'memory', rate_limit_allow_list: ['10.0.0.0/8'] },
      { logLevel: 'silent', env: {}, clock },
    );
  });
  afterAll(() => b.close());

  it('lists the brute force of an ordinary address, not that of an allow-listed one', async () => {
    const since = clock.now();
    for (const ip of ['10.1.2.3', '203.0.113.50'])
      for (let i = 0; i < 8; i++) {
        clock.advance(500);
        await b.auth.recordAttempt({
          source_ip: ip,
          user_id: `u${i}`,
          result: 'failure',
          failure_reason: 'bad_password',
        });
      }
    const r = await b.auth.anomalies({ since, until: clock.now() + 1 });
    expect(new Set(r.findings.map((f) => f.key))).toEqual(new Set(['203.0.113.50']));
    expect(r.findings.map((f) => f.kind).sort()).toEqual(['brute_force', 'password_spraying']);
    expect(r.bans.map((x) => x.key)).toEqual(['203.0.113.50']);
  });
});
