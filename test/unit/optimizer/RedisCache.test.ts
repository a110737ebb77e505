import { describe, expect, it } from 'vitest';
import { RedisCache } from '../../../lambda/shared/query-optimizer/RedisCache.js';
import type { RedisLike } from '../../../lambda/shared/query-optimizer/types.js';

function fakeRedis(mget: () => Promise<Array<string | null>>): RedisLike {
  return {
    status: 'ready',
    mget: () => mget(),
    set: async () => 'OK',
    incr: async () => 1,
    quit: async () => 'OK',
  };
}

describe('RedisCache fails open', () => {
  it('turns a slow Redis into a miss within its timeout and opens the breaker', async () => {
    let calls = 0;
    const never = new Promise<Array<string | null>>(() => undefined);
    const l2 = new RedisCache({
      client: fakeRedis(() => {
        calls++;
        return never;
      }),
      timeoutMillis: 10,
      failureThreshold: 2,
      breakerMillis: 60_000,
    });
    for (let i = 0; i < 4; i++) expect((await l2.lookup('k', ['*'])).envelope).toBeUndefined();
    expect(calls).toBe(2);
    expect(l2.counters.timeouts).toBe(2);
    expect(l2.counters.skipped).toBe(2);
    expect(l2.breakerOpen).toBe(true);
  });

  it('counts a rejected command as an error and garbage as a miss', async () => {
    const failing = new RedisCache({ client: fakeRedis(() => Promise.reject(new Error('READONLY'))) });
    expect((await failing.lookup('k', ['*'])).generations).toBeUndefined();
    expect(failing.counters.errors).toBe(1);
    const garbage = new RedisCache({ client: fakeRedis(async () => ['{not json', '3']) });
    const found = await garbage.lookup('k', ['*']);
    expect(found.envelope).toBeUndefined();
    expect(found.generations).toEqual([3]);
    expect(garbage.counters.garbage).toBe(1);
  });

  it('misses an entry stored under older table generations', async () => {
    const stored = JSON.stringify({
      v: 1,
      g: [0, 4],
      r: { command: 'SELECT', rowCount: 0, rows: [], fields: [] },
    });
    const l2 = new RedisCache({ client: fakeRedis(async () => [stored, null, '5']) });
    expect((await l2.lookup('k', ['*', 'orders'])).envelope).toBeUndefined();
    const current = new RedisCache({ client: fakeRedis(async () => [stored, null, '4']) });
    expect((await current.lookup('k', ['*', 'orders'])).envelope?.r.command).toBe('SELECT');
  });

  it('requires a url or a client', () => {
    expect(() => new RedisCache({})).toThrow(TypeError);
  });
});
