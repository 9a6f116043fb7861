// A JWKS cache that stays warm across invocations, refetches at most once per window on unknown key ids,
// refuses a flood of bogus `kid`s at once (never holding an instance), and still picks up a key that was
// really rotated in meanwhile.
import type { Fetcher } from 'aws-jwt-verify/https';
import type { Jwks, JwkWithKid } from 'aws-jwt-verify/jwk';
import { JwksNotAvailableInCacheError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { JwtHeader } from 'aws-jwt-verify/jwt-model';
import { JwksUnavailableError } from './errors';
import { keyFitsAlgorithm } from './algorithms';

export type JwksFetchReason = 'cold' | 'unknown-kid' | 'refresh';

export interface JwksFetchEvent {
  readonly jwksUri: string;
  readonly reason: JwksFetchReason;
  readonly ok: boolean;
  /** Usable signing key ids in the fetched set. */
  readonly keys: number;
  readonly ms: number;
  readonly error?: string;
}

export interface JwksCacheOptions {
  readonly fetcher: Fetcher;
  /**
   * Once an unknown kid has sent us to the issuer, further unknown kids inside this window are refused at
   * once and schedule ONE trailing fetch at its end instead of each fetching. Bounds the load a flood can
   * put on the issuer and costs no waiting (on Lambda a waiting request holds a whole instance), while a key
   * rotated in during the window is still found, by the requests after the trailing fetch.
   */
  readonly refetchWindowMs: number;
  /** After a failed fetch, fail fast for this long rather than hammering an issuer that is down. */
  readonly failureBackoffMs: number;
  /** Keys older than this are refreshed in the background while the cached set keeps serving. */
  readonly maxAgeMs: number;
  readonly onFetch?: (event: JwksFetchEvent) => void;
  readonly now?: () => number;
}

interface Entry {
  jwks: Jwks;
  /** Usually one key per kid; RFC 7517 §4.5 allows a kid shared by keys of different types. */
  byKid: Map<string, JwkWithKid[]>;
  fetchedAt: number;
}

function index(jwks: Jwks): Map<string, JwkWithKid[]> {
  const byKid = new Map<string, JwkWithKid[]>();
  for (const jwk of jwks.keys) {
    if (typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    if (!['RSA', 'EC', 'OKP'].includes(jwk.kty)) continue;
    byKid.set(jwk.kid, [...(byKid.get(jwk.kid) ?? []), jwk as JwkWithKid]);
  }
  return byKid;
}

/** The key for this token's kid; of several, the one that fits its alg. */
function lookup(entry: Entry, header: JwtHeader): JwkWithKid | undefined {
  const keys = entry.byKid.get(header.kid as string);
  if (keys === undefined || keys.length === 1) return keys?.[0];
  return keys.find((jwk) => keyFitsAlgorithm(jwk, header.alg)) ?? keys[0];
}

function parseJwks(body: ArrayBuffer): Jwks {
  const parsed: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !Array.isArray((parsed as { keys?: unknown }).keys) ||
    (parsed as { keys: unknown[] }).keys.some((k) => typeof k !== 'object' || k === null || Array.isArray(k))
  ) {
    throw new Error('response is not a JWKS ({"keys": [...]})');
  }
  return parsed as Jwks;
}

export class WarmJwksCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly trailing = new Map<string, ReturnType<typeof setTimeout>>();
  /** When an unknown kid last sent us to the issuer: the start of the current refetch window. */
  private readonly lastAsked = new Map<string, number>();
  private readonly lastFailure = new Map<string, { at: number; error: JwksUnavailableError }>();
  private readonly now: () => number;

  constructor(private readonly options: JwksCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  async getJwks(jwksUri: string): Promise<Jwks> {
    return (await this.fetch(jwksUri, this.entries.has(jwksUri) ? 'refresh' : 'cold')).jwks;
  }

  getCachedJwk(jwksUri: string, decomposedJwt: { header: JwtHeader }): JwkWithKid {
    const entry = this.entries.get(jwksUri);
    if (!entry) throw new JwksNotAvailableInCacheError(`JWKS for ${jwksUri} not yet in cache`);
    const jwk = lookup(entry, decomposedJwt.header);
    if (!jwk) throw new KidNotFoundInJwksError('kid not found in the cached JWKS');
    if (this.now() - entry.fetchedAt > this.options.maxAgeMs) this.refreshInBackground(jwksUri);
    return jwk;
  }

  async getJwk(jwksUri: string, decomposedJwt: { header: JwtHeader }): Promise<JwkWithKid> {
    const cached = this.entries.get(jwksUri);
    const hit = cached && lookup(cached, decomposedJwt.header);
    if (hit) return hit;

    let entry: Entry;
    if (!cached) {
      entry = await this.fetch(jwksUri, 'cold');
    } else {
      const since = this.now() - (this.lastAsked.get(jwksUri) ?? -Infinity);
      if (since < this.options.refetchWindowMs) {
        this.scheduleTrailingFetch(jwksUri, this.options.refetchWindowMs - since);
        throw new KidNotFoundInJwksError('kid not found in the JWKS; the issuer was asked moments ago');
      }
      this.lastAsked.set(jwksUri, this.now());
      entry = await this.fetch(jwksUri, 'unknown-kid');
    }
    const jwk = lookup(entry, decomposedJwt.header);
    if (!jwk) throw new KidNotFoundInJwksError('kid not found in the JWKS');
    return jwk;
  }

  /** Cancels scheduled fetches and waits for running ones (tests, and a local gateway that reloads). */
  async stop(): Promise<void> {
    for (const timer of this.trailing.values()) clearTimeout(timer);
    this.trailing.clear();
    await Promise.allSettled([...this.inflight.values()]);
  }

  /** One fetch at the end of the current window, for every unknown kid refused inside it. */
  private scheduleTrailingFetch(jwksUri: string, delayMs: number): void {
    if (this.trailing.has(jwksUri)) return;
    const timer = setTimeout(() => {
      this.trailing.delete(jwksUri);
      // This opens the next window: unknown kids arriving during or right after it are refused at once.
      this.lastAsked.set(jwksUri, this.now());
      this.fetch(jwksUri, 'unknown-kid').catch(() => {
        // Reported through onFetch (or was, when the failure backoff began); the cached keys keep serving.
      });
    }, delayMs);
    // Never what keeps a process alive; on Lambda an overdue timer fires when the instance thaws.
    timer.unref();
    this.trailing.set(jwksUri, timer);
  }

  private refreshInBackground(jwksUri: string): void {
    if (this.inflight.has(jwksUri)) return;
    this.fetch(jwksUri, 'refresh').catch(() => {
      // Already reported through onFetch; the cached keys keep serving until the next attempt.
    });
  }

  private fetch(jwksUri: string, reason: JwksFetchReason): Promise<Entry> {
    const running = this.inflight.get(jwksUri);
    if (running) return running;
    const failure = this.lastFailure.get(jwksUri);
    if (failure && this.now() - failure.at < this.options.failureBackoffMs)
      return Promise.reject(failure.error);

    const started = this.now();
    const promise = this.options.fetcher
      .fetch(jwksUri)
      .then((body) => {
        const jwks = parseJwks(body);
        const byKid = index(jwks);
        // An empty or unusable key set is an issuer fault; keep serving the last good set.
        if (byKid.size === 0) throw new Error('JWKS has no usable signing keys');
        const entry: Entry = { jwks, byKid, fetchedAt: this.now() };
        this.entries.set(jwksUri, entry);
        this.lastFailure.delete(jwksUri);
        this.options.onFetch?.({ jwksUri, reason, ok: true, keys: byKid.size, ms: this.now() - started });
        return entry;
      })
      .catch((cause: unknown) => {
        const message = cause instanceof Error ? cause.message : String(cause);
        const error = new JwksUnavailableError(`JWKS at ${jwksUri} unavailable: ${message}`, { cause });
        this.lastFailure.set(jwksUri, { at: this.now(), error });
        this.options.onFetch?.({
          jwksUri,
          reason,
          ok: false,
          keys: 0,
          ms: this.now() - started,
          error: message,
        });
        throw error;
      })
      .finally(() => this.inflight.delete(jwksUri));
    this.inflight.set(jwksUri, promise);
    return promise;
  }
}
