// DPoP server nonces' pure core (RFC 9449 §8): the window and key-period arithmetic, the nonce's exact bytes,
// and the verdict on every kind of nonce a proof may carry (missing, malformed, stale, forged, another key's,
// valid). The oracle below builds nonces from the format's definition with its own byte handling, so it does
// not share code with lambda/authorizer/dpop-nonce.ts; a property holds the two together on generated cases.
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  DpopNonces,
  cachedNonceKeyStore,
  judgeNonce,
  keyPeriodOf,
  mintNonce,
  nonceWindow,
  parseNonce,
  type NonceKeyStore,
  type NonceVerdict,
} from '../../lambda/authorizer/dpop-nonce';
import { NonceChallengeError, NonceKeyUnavailableError } from '../../lambda/authorizer/errors';
import { propertyRuns } from '../hardening/property-runs';

const ALGS = 'ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512';
const CHALLENGE = `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", algs="${ALGS}"`;

/** The format, from its definition: 8 bytes of window number (big-endian), then HMAC-SHA256 of those bytes. */
function oracleNonce(key: Buffer, window: number): string {
  const prefix = Buffer.from(window.toString(16).padStart(16, '0'), 'hex');
  const mac = createHmac('sha256', key).update(prefix).digest();
  return Buffer.concat([prefix, mac]).toString('base64url');
}

/** The verdict, from the rules: the current or previous 60 s window, signed with its day's key. */
function oracleVerdict(nonce: unknown, nowSeconds: number, keyOfDay: (day: number) => Buffer): NonceVerdict {
  if (nonce === undefined) return 'missing';
  if (typeof nonce !== 'string') return 'malformed';
  const bytes = Buffer.from(nonce, 'base64url');
  if (bytes.length !== 40 || bytes.toString('base64url') !== nonce) return 'malformed';
  const window = parseInt(bytes.subarray(0, 8).toString('hex'), 16);
  if (!Number.isSafeInteger(window)) return 'malformed';
  const current = Math.floor(nowSeconds / 60);
  if (window !== current && window !== current - 1) return 'stale';
  const day = Math.floor((window * 60) / 86_400);
  return oracleNonce(keyOfDay(day), window) === nonce ? 'valid' : 'forged';
}

const keyA = randomBytes(32);
const keyB = randomBytes(32);
// 2026-12-09T12:00:30Z.
const NOW = 1_796_817_630;

/** A store with one key per day, counting the loads. */
function dailyKeys(keys: ReadonlyMap<number, Buffer>): NonceKeyStore & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    key(period) {
      asked.push(period);
      const key = keys.get(period);
      if (key === undefined) throw new NonceKeyUnavailableError(`no key for period ${period}`);
      return key;
    },
  };
}

describe('windows and key periods', () => {
  test.each([
    [0, 0],
    [59, 0],
    [60, 1],
    [NOW, 29_946_960],
  ])('second %i is in window %i', (now, window) => {
    expect(nonceWindow(now)).toBe(window);
  });

  test.each([
    [0, 0],
    [1439, 0],
    [1440, 1],
    [29_946_960, 20_796],
  ])('window %i is signed with the key of period (day) %i', (window, period) => {
    expect(keyPeriodOf(window)).toBe(period);
  });
});

describe('the nonce', () => {
  test('is base64url(window, 8 bytes big-endian || HMAC-SHA256(key, those bytes)): 54 characters', () => {
    const nonce = mintNonce(keyA, 29_946_960);
    expect(nonce).toBe(oracleNonce(keyA, 29_946_960));
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{54}$/);
    expect(parseNonce(nonce)?.window).toBe(29_946_960);
  });

  // Computed outside this project (Python's hmac and base64 modules) from the format's definition.
  test.each([
    [1, 'AAAAAAAAAAGkoRzl--j5a_MCgDUobCySdM1CWcvCJON6c9lxkjkD0w'],
    [29_946_960, 'AAAAAAHI9FDo0XcdddDFN_thQ9Ql5-0-L5_AeaVDyBgUolNIKyafmw'],
  ])('a known vector: a key of 32 zero bytes, window %i', (window, nonce) => {
    expect(mintNonce(Buffer.alloc(32), window)).toBe(nonce);
  });
});

describe('judgeNonce', () => {
  const window = nonceWindow(NOW);
  const period = keyPeriodOf(window);
  const keys = new Map([[period, keyA]]);
  const keyOf = (p: number): Buffer => {
    const key = keys.get(p);
    if (key === undefined) throw new Error(`asked for period ${p}`);
    return key;
  };
  const good = mintNonce(keyA, window);
  const flipped = (nonce: string, at: number): string => {
    const bytes = Buffer.from(nonce, 'base64url');
    bytes[at] = (bytes[at] as number) ^ 1;
    return bytes.toString('base64url');
  };
  const movedBack = (nonce: string): string => {
    const bytes = Buffer.from(nonce, 'base64url');
    bytes.writeBigUInt64BE(bytes.readBigUInt64BE(0) - 1n);
    return bytes.toString('base64url');
  };
  // The last of 54 characters carries 2 bits and 4 zero bits (it is A, Q, g or w): the next letter sets a
  // padding bit, and decodes to the same 40 bytes.
  const nonCanonical = good.slice(0, -1) + String.fromCharCode(good.charCodeAt(53) + 1);

  test.each<[string, unknown, NonceVerdict]>([
    ['no nonce claim', undefined, 'missing'],
    ['a number', 42, 'malformed'],
    ['null', null, 'malformed'],
    ['an empty string', '', 'malformed'],
    ['one character short', good.slice(1), 'malformed'],
    ['one character long', `${good}A`, 'malformed'],
    ['standard base64 characters', good.replace(/[A-Z]/, '+'), 'malformed'],
    ['padding', `${good.slice(0, -2)}==`, 'malformed'],
    ['a non-canonical spelling of a good nonce', nonCanonical, 'malformed'],
    ['a window beyond 2^53', Buffer.alloc(40, 0xff).toString('base64url'), 'malformed'],
    ['the current window', good, 'valid'],
    ['the previous window', mintNonce(keyA, window - 1), 'valid'],
    ['two windows back', mintNonce(keyA, window - 2), 'stale'],
    ['a day old', mintNonce(keyA, window - 1440), 'stale'],
    ['the next window', mintNonce(keyA, window + 1), 'stale'],
    ['window 0', mintNonce(keyA, 0), 'stale'],
    ["another key's nonce", mintNonce(keyB, window), 'forged'],
    ['a flipped MAC bit', flipped(good, 39), 'forged'],
    ['the window moved to the previous one, its MAC kept', movedBack(good), 'forged'],
  ])('%s: %s', (_name, nonce, verdict) => {
    expect(judgeNonce(nonce, NOW, keyOf)).toBe(verdict);
  });

  test('the non-canonical spelling above decodes to the same bytes as the good nonce', () => {
    expect(Buffer.from(nonCanonical, 'base64url')).toEqual(Buffer.from(good, 'base64url'));
    expect(nonCanonical).not.toBe(good);
  });

  test("at midnight, the last window of yesterday verifies with yesterday's key", () => {
    const midnight = (period + 1) * 86_400;
    const yesterday = mintNonce(keyA, nonceWindow(midnight) - 1);
    const twoKeys = new Map([
      [period, keyA],
      [period + 1, keyB],
    ]);
    const asked: number[] = [];
    const verdict = judgeNonce(yesterday, midnight + 10, (p) => {
      asked.push(p);
      return twoKeys.get(p) as Buffer;
    });
    expect({ verdict, asked }).toEqual({ verdict: 'valid', asked: [period] });
    expect(
      judgeNonce(mintNonce(keyB, nonceWindow(midnight) - 1), midnight + 10, (p) => twoKeys.get(p) as Buffer),
    ).toBe('forged');
  });

  test('a nonce out of range costs no key read', () => {
    expect(
      judgeNonce(mintNonce(keyA, window - 5), NOW, () => {
        throw new Error('no key read expected');
      }),
    ).toBe('stale');
  });

  test("property: the verdict is the oracle's, for any time, window offset, key and tampering", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 240, max: 4_000_000_000 }),
        fc.integer({ min: -3, max: 2 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 39 }), { nil: undefined }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (now, offset, otherKey, tamperAt, own) => {
          const keyOfDay = (d: number): Buffer =>
            createHmac('sha256', Buffer.from(own)).update(String(d)).digest();
          const window = Math.floor(now / 60) + offset;
          const signer = otherKey ? keyB : keyOfDay(Math.floor((window * 60) / 86_400));
          let nonce = oracleNonce(signer, window);
          if (tamperAt !== undefined) {
            const bytes = Buffer.from(nonce, 'base64url');
            bytes[tamperAt] = (bytes[tamperAt] as number) ^ 0x80;
            nonce = bytes.toString('base64url');
          }
          expect(judgeNonce(nonce, now, keyOfDay)).toBe(oracleVerdict(nonce, now, keyOfDay));
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });

  test("property: any string of a nonce's alphabet and about its length is judged as the oracle judges it", () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/='.split('');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 52, maxLength: 56 }), (chars) => {
        const nonce = chars.join('');
        expect(judgeNonce(nonce, NOW, keyOf)).toBe(oracleVerdict(nonce, NOW, keyOf));
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});

describe('DpopNonces', () => {
  const window = nonceWindow(NOW);
  const period = keyPeriodOf(window);

  test("hands out the current window's nonce, made once per window", () => {
    const store = dailyKeys(new Map([[period, keyA]]));
    const nonces = new DpopNonces(store);
    expect(nonces.current(NOW)).toBe(oracleNonce(keyA, window));
    expect(nonces.current(NOW + 1)).toBe(oracleNonce(keyA, window));
    expect(nonces.current(NOW + 60)).toBe(oracleNonce(keyA, window + 1));
    expect(store.asked).toEqual([period, period]);
  });

  test('a valid nonce passes, synchronously when the key is on hand', () => {
    const nonces = new DpopNonces(dailyKeys(new Map([[period, keyA]])));
    expect(nonces.check(oracleNonce(keyA, window - 1), NOW)).toBeUndefined();
  });

  test.each<[string, unknown, string, string]>([
    ['no nonce', undefined, 'DPOP_NONCE_REQUIRED', 'the proof carries no nonce'],
    ['a malformed nonce', 'abc', 'DPOP_NONCE_INVALID', 'the proof nonce is not one this server hands out'],
    [
      'a stale nonce',
      oracleNonce(keyA, window - 2),
      'DPOP_NONCE_INVALID',
      'the proof nonce is from an earlier window',
    ],
    ['a forged nonce', oracleNonce(keyB, window), 'DPOP_NONCE_INVALID', 'the proof nonce does not verify'],
  ])('%s: a challenge with a fresh nonce', (_name, nonce, code, message) => {
    const nonces = new DpopNonces(dailyKeys(new Map([[period, keyA]])));
    let thrown: unknown;
    try {
      nonces.check(nonce, NOW);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NonceChallengeError);
    const challenge = thrown as NonceChallengeError;
    expect({
      code: challenge.code,
      message: challenge.message,
      nonce: challenge.nonce,
      challenge: challenge.challenge,
    }).toEqual({
      code,
      message,
      nonce: oracleNonce(keyA, window),
      challenge: CHALLENGE,
    });
  });

  test('a key that cannot be read fails closed with NonceKeyUnavailableError, not a challenge', () => {
    const nonces = new DpopNonces(dailyKeys(new Map()));
    expect(() => nonces.check(undefined, NOW)).toThrow(NonceKeyUnavailableError);
    expect(() => nonces.check(oracleNonce(keyA, window), NOW)).toThrow(`no key for period ${period}`);
  });
});

describe('cachedNonceKeyStore', () => {
  test('loads a period once, shares a load in flight, then answers synchronously', async () => {
    const loads: number[] = [];
    const store = cachedNonceKeyStore(async (period) => {
      loads.push(period);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return period === 7 ? keyA : keyB;
    });
    const [a, b] = await Promise.all([store.key(7, NOW), store.key(7, NOW)]);
    expect(a).toBe(keyA);
    expect(b).toBe(keyA);
    expect(store.key(7, NOW)).toBe(keyA);
    expect(loads).toEqual([7]);
  });

  test('a failed load is not kept: the next ask loads again; the failure is NonceKeyUnavailableError', async () => {
    let fail = true;
    const store = cachedNonceKeyStore(async () => {
      if (fail) throw new Error('table unreachable');
      return keyA;
    });
    const first = store.key(1, NOW);
    await expect(first).rejects.toThrow(NonceKeyUnavailableError);
    await expect(first).rejects.toThrow('the DPoP nonce key could not be read');
    fail = false;
    await expect(store.key(1, NOW)).resolves.toBe(keyA);
  });

  test('keeps the previous period and drops older ones', async () => {
    const loads: number[] = [];
    const store = cachedNonceKeyStore(async (period) => {
      loads.push(period);
      return keyA;
    });
    for (const period of [1, 2, 3]) await store.key(period, NOW);
    expect(store.key(2, NOW)).toBe(keyA);
    await store.key(1, NOW);
    expect(loads).toEqual([1, 2, 3, 1]);
  });
});
