/**
 * The example's SMS sender: one phone number, one bucket. `15550100` (no `+`) was a sender of its
 * own, so alternating it with `+15550100` sent ten messages a minute under a limit of five; `+0000000`
 * (no country code starts with 0) was a sender too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildFastifyApp } from '../../examples/messaging-api/fastify-app.js';
import { exampleLimiter, smsSender } from '../../examples/messaging-api/limiter.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('example smsSender', () => {
  it('takes the international form only', () => {
    for (const from of ['+15550100', ' +15550100', '+1 555 0100', '+1-555-0100', '(+1555) 0100'])
      expect(smsSender(from), from).toBe('+15550100');
    for (const from of ['15550100', '001 555 0100', '+0000000', '+12345', '+1234567890123456', '++15550100'])
      expect(smsSender(from), from).toBeNull();
  });

  it('a number without + is 400, never a second bucket for the same phone', async () => {
    const guard = exampleLimiter();
    cleanups.push(() => guard.close());
    const app = await buildFastifyApp(guard);
    cleanups.push(() => app.close());
    const send = (from: string) =>
      app.inject({
        method: 'POST',
        url: '/api/messages/sms',
        payload: { from, to: '+15550199', text: 'hi' },
      });
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await send(i % 2 ? '15550100' : '+15550100')).statusCode);
    expect(codes.filter((c) => c === 202)).toHaveLength(5);
    expect(codes.filter((c, i) => i % 2 === 1)).toEqual([400, 400, 400, 400, 400]);
    expect((await send('+15550100')).statusCode).toBe(429);
  });
});
