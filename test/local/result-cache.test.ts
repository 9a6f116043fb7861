// The authorizer result cache: TTL from an injected clock, 0 turns it off, and it stays bounded.
import { ResultCache } from '../../local/gateway';

describe('ResultCache', () => {
  test('keeps a value until the TTL has passed', () => {
    let now = 1_000_000;
    const cache = new ResultCache<string>({ ttlSeconds: 300, now: () => now });
    cache.set('token', 'policy');
    now += 299_999;
    expect(cache.get('token')).toBe('policy');
    now += 1;
    expect(cache.get('token')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('a TTL of 0 caches nothing', () => {
    const cache = new ResultCache<string>({ ttlSeconds: 0 });
    cache.set('token', 'policy');
    expect(cache.enabled).toBe(false);
    expect(cache.get('token')).toBeUndefined();
  });

  test('drops the oldest entries beyond maxEntries', () => {
    const cache = new ResultCache<number>({ ttlSeconds: 60, maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  test.each([-1, 1.5, Number.NaN])('refuses a TTL of %p', (ttlSeconds) => {
    expect(() => new ResultCache({ ttlSeconds })).toThrow(
      `ttlSeconds must be a whole number >= 0; got ${ttlSeconds}`,
    );
  });
});
