// The bounded cache the DPoP proof headers live in: never more than its bound, the least recently used
// forgotten first, a hit making its key the most recent; checked against a plain model of the same rules.
import fc from 'fast-check';
import { LruCache } from '../../lambda/authorizer/lru-cache';
import { propertyRuns } from '../hardening/property-runs';

test('holds at most maxEntries, forgetting the oldest first', () => {
  const cache = new LruCache<string, number>(3);
  for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) cache.set(key, i);
  expect(cache.size).toBe(3);
  expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d'), cache.get('e')]).toEqual([
    undefined,
    undefined,
    2,
    3,
    4,
  ]);
});

test('a hit makes its key the most recent, so the next eviction takes another', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  expect(cache.get('a')).toBe(1);
  cache.set('c', 3);
  expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
});

test('a hit on the most recent key, repeated, keeps the order; then an older hit still moves', () => {
  const cache = new LruCache<string, number>(3);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  expect([cache.get('c'), cache.get('c'), cache.get('a')]).toEqual([3, 3, 1]);
  cache.set('d', 4);
  expect([cache.get('b'), cache.get('c'), cache.get('a'), cache.get('d')]).toEqual([undefined, 3, 1, 4]);
});

test('setting a key it holds replaces the value without evicting anything', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('a', 10);
  expect(cache.size).toBe(2);
  expect([cache.get('a'), cache.get('b')]).toEqual([10, 2]);
});

test('a key equal in text but another string object hits; a different text never does', () => {
  const cache = new LruCache<string, string>(4);
  const key = ['eyJhbGciOiJFUzI1NiJ9', 'x'].join('.');
  cache.set(key, 'value');
  expect(cache.get(`eyJhbGciOiJFUzI1NiJ9${'.x'}`)).toBe('value');
  expect(cache.get(`${key} `)).toBeUndefined();
  expect(cache.get(key.toUpperCase())).toBeUndefined();
});

test.each([[0], [-1], [1.5], [Number.NaN]])('maxEntries %p is refused', (max) => {
  expect(() => new LruCache(max)).toThrow(
    new RangeError(`maxEntries must be a whole number of at least 1; got ${max}`),
  );
});

/** The oracle: an array of [key, value], least recent first, kept by the rules the cache documents. */
function model(max: number, ops: readonly (readonly ['get' | 'set', number])[]): (number | undefined)[] {
  const entries: [number, number][] = [];
  const results: (number | undefined)[] = [];
  ops.forEach(([op, key], step) => {
    const at = entries.findIndex(([k]) => k === key);
    if (op === 'get') {
      if (at === -1) results.push(undefined);
      else {
        const [entry] = entries.splice(at, 1) as [[number, number]];
        entries.push(entry);
        results.push(entry[1]);
      }
    } else {
      if (at !== -1) entries.splice(at, 1);
      if (entries.length >= max) entries.shift();
      entries.push([key, step]);
    }
  });
  return results;
}

test('any sequence of gets and sets answers as the model does and never holds more than the bound', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.tuple(fc.constantFrom('get' as const, 'set' as const), fc.integer({ min: 0, max: 9 })), {
        maxLength: 60,
      }),
      (max, ops) => {
        const cache = new LruCache<number, number>(max);
        const answers: (number | undefined)[] = [];
        ops.forEach(([op, key], step) => {
          if (op === 'get') answers.push(cache.get(key));
          else cache.set(key, step);
          expect(cache.size).toBeLessThanOrEqual(max);
        });
        expect(answers).toEqual(model(max, ops));
      },
    ),
    { numRuns: propertyRuns(500) },
  );
});
