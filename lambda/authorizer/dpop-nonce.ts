// DPoP server nonces (RFC 9449 §8), stateless and shared by every instance: a nonce is the number of its
// 60-second window and an HMAC-SHA256 of that number under a key all instances read from the replay table
// (dpop-nonce-dynamodb.ts), so any instance accepts a nonce another one handed out and nothing is stored per
// nonce. The proof's `jti` is still what stops a replay (dpop-replay.ts); the nonce bounds how long before its
// use a proof can have been made.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DPOP_NONCE_WINDOW_SECONDS, useDpopNonceChallenge } from '../contract/sender-constraint';
import { NonceChallengeError, NonceKeyUnavailableError, type ChallengeReason } from './errors';

/** One key signs the windows of one day; its item lives two, so yesterday's nonces still verify at midnight. */
export const NONCE_KEY_PERIOD_SECONDS = 86_400;
/** A fresh random HMAC-SHA256 key, as RFC 2104 §3 advises: as long as the hash output. */
export const NONCE_KEY_BYTES = 32;

const WINDOW_BYTES = 8;
const MAC_BYTES = 32;
/** base64url of 8 + 32 bytes, without padding. */
const NONCE_PATTERN = /^[A-Za-z0-9_-]{54}$/;

/** The window a time falls in. */
export function nonceWindow(nowSeconds: number): number {
  return Math.floor(nowSeconds / DPOP_NONCE_WINDOW_SECONDS);
}

/** The key period whose key signs a window's nonce. */
export function keyPeriodOf(window: number): number {
  return Math.floor((window * DPOP_NONCE_WINDOW_SECONDS) / NONCE_KEY_PERIOD_SECONDS);
}

function windowBytes(window: number): Buffer {
  const bytes = Buffer.alloc(WINDOW_BYTES);
  bytes.writeBigUInt64BE(BigInt(window));
  return bytes;
}

/** base64url(window as 8 bytes big-endian || HMAC-SHA256(key, those 8 bytes)). */
export function mintNonce(key: Buffer, window: number): string {
  const prefix = windowBytes(window);
  return Buffer.concat([prefix, createHmac('sha256', key).update(prefix).digest()]).toString('base64url');
}

/** A nonce's parts, or undefined for anything that does not have a nonce's exact (canonical) shape. */
export function parseNonce(nonce: unknown): { readonly window: number; readonly mac: Buffer } | undefined {
  if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) return undefined;
  const bytes = Buffer.from(nonce, 'base64url');
  // The last character carries 2 bits and 4 padding bits: only one of its spellings is the nonce.
  if (bytes.length !== WINDOW_BYTES + MAC_BYTES || bytes.toString('base64url') !== nonce) return undefined;
  const window = bytes.readBigUInt64BE(0);
  if (window > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { window: Number(window), mac: bytes.subarray(WINDOW_BYTES) };
}

/** Whether `mac` is the HMAC of `window` under `key` (compared in constant time). */
function macMatches(key: Buffer, window: number, mac: Buffer): boolean {
  return timingSafeEqual(createHmac('sha256', key).update(windowBytes(window)).digest(), mac);
}

/** A value now, or once a promise settles: the cached path stays synchronous. */
function then<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** What the check found: only `valid` lets a proof through. */
export type NonceVerdict = 'missing' | 'malformed' | 'stale' | 'forged' | 'valid';

/**
 * The verdict on a proof's `nonce` claim at `nowSeconds`, with the key of the period its window names: a nonce
 * of the current or the previous window whose MAC verifies. `keyOf` is asked only for a window in range; the
 * verdict is synchronous when the key is.
 */
export function judgeNonce(
  nonce: unknown,
  nowSeconds: number,
  keyOf: (period: number) => Buffer | Promise<Buffer>,
): NonceVerdict | Promise<NonceVerdict> {
  if (nonce === undefined) return 'missing';
  const parsed = parseNonce(nonce);
  if (parsed === undefined) return 'malformed';
  const current = nonceWindow(nowSeconds);
  if (parsed.window !== current && parsed.window !== current - 1) return 'stale';
  return then(keyOf(keyPeriodOf(parsed.window)), (key): NonceVerdict =>
    macMatches(key, parsed.window, parsed.mac) ? 'valid' : 'forged',
  );
}

/** Where the key of a period comes from: the same bytes on every instance, or NonceKeyUnavailableError. */
export interface NonceKeyStore {
  key(period: number, nowSeconds: number): Buffer | Promise<Buffer>;
}

/**
 * A store that loads each period's key once per instance (`load` is the table read, dpop-nonce-dynamodb.ts)
 * and then answers from memory. Concurrent asks for one period share one load; a failed load is not kept,
 * so the next request tries again.
 */
export function cachedNonceKeyStore(
  load: (period: number, nowSeconds: number) => Promise<Buffer>,
): NonceKeyStore {
  const keys = new Map<number, Buffer>();
  const loading = new Map<number, Promise<Buffer>>();
  return {
    key(period, nowSeconds) {
      const known = keys.get(period);
      if (known !== undefined) return known;
      let pending = loading.get(period);
      if (pending === undefined) {
        pending = load(period, nowSeconds).then(
          (key) => {
            // At most the previous, the current and the next period are ever asked for.
            for (const old of keys.keys()) if (old < period - 1) keys.delete(old);
            keys.set(period, key);
            loading.delete(period);
            return key;
          },
          (cause: unknown) => {
            loading.delete(period);
            throw cause instanceof NonceKeyUnavailableError
              ? cause
              : new NonceKeyUnavailableError('the DPoP nonce key could not be read', { cause });
          },
        );
        loading.set(period, pending);
      }
      return pending;
    },
  };
}

const CHALLENGE_MESSAGES: Readonly<Record<Exclude<NonceVerdict, 'valid'>, [ChallengeReason, string]>> = {
  missing: ['DPOP_NONCE_REQUIRED', 'the proof carries no nonce'],
  malformed: ['DPOP_NONCE_INVALID', 'the proof nonce is not one this server hands out'],
  stale: ['DPOP_NONCE_INVALID', 'the proof nonce is from an earlier window'],
  forged: ['DPOP_NONCE_INVALID', 'the proof nonce does not verify'],
};

/** The server nonces of one authorizer instance. */
export class DpopNonces {
  private readonly challenge = useDpopNonceChallenge();
  private currentWindow = -1;
  private currentNonce = '';

  constructor(private readonly keys: NonceKeyStore) {}

  /** The nonce to hand out now (RFC 9449 §8.1): one per window, minted once per instance. */
  current(nowSeconds: number): string | Promise<string> {
    const window = nonceWindow(nowSeconds);
    if (window === this.currentWindow) return this.currentNonce;
    return then(this.keys.key(keyPeriodOf(window), nowSeconds), (key) => {
      const nonce = mintNonce(key, window);
      this.currentWindow = window;
      this.currentNonce = nonce;
      return nonce;
    });
  }

  /**
   * Settles when the proof's `nonce` claim is a valid nonce; otherwise throws NonceChallengeError with a fresh
   * one, or NonceKeyUnavailableError when a key cannot be read (fail closed: 503).
   */
  check(nonce: unknown, nowSeconds: number): void | Promise<void> {
    const judged = judgeNonce(nonce, nowSeconds, (period) => this.keys.key(period, nowSeconds));
    return then(judged, (verdict) => {
      if (verdict === 'valid') return undefined;
      const [code, message] = CHALLENGE_MESSAGES[verdict];
      return then(this.current(nowSeconds), (fresh) => {
        throw new NonceChallengeError(code, message, fresh, this.challenge);
      });
    });
  }
}
