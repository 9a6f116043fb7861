// A JWKS cache that stays warm across invocations, refetches at most once per window on unknown key ids,
// refuses a flood of bogus `kid`s at once (never holding an instance), and still picks up a key that was
// really rotated in meanwhile. It can start from a seed (JWKS_SEED_FILE): keys on hand at init, fresh as a
// fetch made at the seed's `fetchedAt` would be, served until a fetch replaces them, and for a bounded time
// while the issuer cannot be reached. A key that carries private or secret material is never served: whoever
// saw the JWKS could sign with it.
import type { Fetcher } from 'aws-jwt-verify/https';
import type { Jwks, JwkWithKid } from 'aws-jwt-verify/jwk';
import { JwksNotAvailableInCacheError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { JwtHeader } from 'aws-jwt-verify/jwt-model';
import { JwksUnavailableError } from './errors';
import { keyFitsAlgorithm } from './algorithms';
import { isSigningJwk, keyName, secretKeyMaterial } from './jwks-seed';

/** Why a fetch was made; `warm-up`: at an init ahead of traffic (JWKS_WARM_UP), whatever keys were on hand. */
export type JwksFetchReason = 'cold' | 'unknown-kid' | 'refresh' | 'warm-up';

export interface JwksFetchEvent {
  readonly jwksUri: string;
  readonly reason: JwksFetchReason;
  readonly ok: boolean;
  /** Usable signing key ids in the fetched set. */
  readonly keys: number;
  readonly ms: number;
  readonly error?: string;
}

/**
 * A seed's life, as log fields: loaded at init; serving while fetches fail (in place of a failed-fetch
 * event); replaced by the first fetched set (with how many kids that added and removed); expired when too
 * old to trust, at init or while serving. Ages are whole seconds, null when the seed does not say.
 */
export interface JwksSeedEvent {
  readonly code: 'JWKS_SEED_LOADED' | 'JWKS_SEED_SERVING' | 'JWKS_SEED_REPLACED' | 'JWKS_SEED_EXPIRED';
  readonly jwksUri: string;
  readonly [field: string]: string | number | null;
}

/**
 * A key left out of a JWKS, fetched or seeded, because it carries private or secret material: its name and
 * the members that hold it, never their values.
 */
export interface JwksKeyRefusedEvent {
  readonly code: 'JWKS_KEY_REFUSED';
  readonly jwksUri: string;
  /** `kid "…"` (cut to 64 characters), or `#n (no kid)`. */
  readonly key: string;
  readonly reason: 'SYMMETRIC_KEY' | 'PRIVATE_KEY_MEMBERS';
  /** The secret members present, comma-separated, e.g. "d,p,q,dp,dq,qi". */
  readonly members: string;
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
  /**
   * Keys older than this are refreshed in the background while the cached set keeps serving. A seed counts as
   * a fetch made at its `fetchedAt`: one younger than this is not refreshed before it is this old (an unknown
   * kid still fetches at once), so a key removed at the issuer verifies at most this long after the keys were
   * fetched, as it does on an instance that fetched them itself. A seed is also refreshed this long before its
   * own max age ends, so that the live keys are in before it stops being trusted.
   */
  readonly maxAgeMs: number;
  readonly onFetch?: (event: JwksFetchEvent) => void;
  readonly onSeed?: (event: JwksSeedEvent) => void;
  readonly onKeyRefused?: (event: JwksKeyRefusedEvent) => void;
  readonly now?: () => number;
}

interface Entry {
  jwks: Jwks;
  /** Usually one key per kid; RFC 7517 §4.5 allows a kid shared by keys of different types. */
  byKid: Map<string, JwkWithKid[]>;
  /** When these keys are due for a refresh (-Infinity: at once, as for a seed that does not say its age). */
  refreshAt: number;
  /** Seeded keys: when they were fetched (or the cold start, when the seed does not say) and until when they count. */
  seed?: Seed;
}

interface Seed {
  readonly since: number;
  readonly trustedUntil: number;
  /** Whether the seed said when it was fetched. */
  readonly dated: boolean;
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

/** `start()`, called from the next turn's immediate; a throw there rejects, as from a promise. */
function nextTurn<T>(start: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(start());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
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

  /**
   * Serves these keys, with no fetch, until a fetch replaces them or `maxAgeMs` after `fetchedAt` (null: from
   * now). Returns false, and serves nothing, when the seed is already that old. Like fetched keys, they are
   * refreshed once they are the cache's `maxAgeMs` old, or that long before the seed's trust ends if sooner: a
   * seed that does not say when it was fetched, at the first request that uses it.
   */
  seed(jwksUri: string, seeded: Jwks, fetchedAt: number | null, maxAgeMs: number): boolean {
    const now = this.now();
    // A fetchedAt in the future cannot stretch the trust beyond maxAge from now.
    const since = Math.min(fetchedAt ?? now, now);
    const seed: Seed = { since, trustedUntil: since + maxAgeMs, dated: fetchedAt !== null };
    if (now >= seed.trustedUntil) {
      this.seedEvent('JWKS_SEED_EXPIRED', jwksUri, seed);
      return false;
    }
    const { jwks, byKid } = this.index(jwksUri, seeded);
    const { maxAgeMs: refreshAge } = this.options;
    const refreshAt = seed.dated ? Math.min(since + refreshAge, seed.trustedUntil - refreshAge) : -Infinity;
    const entry: Entry = { jwks, byKid, refreshAt, seed };
    this.entries.set(jwksUri, entry);
    this.seedEvent('JWKS_SEED_LOADED', jwksUri, seed, {
      keys: byKid.size,
      refreshInSeconds: Math.max(0, Math.round(this.freshForMs(entry) / 1000)),
    });
    return true;
  }

  /** Whether keys for this URI are on hand and not yet due for a refresh (a seed: see `seed`). */
  isFresh(jwksUri: string): boolean {
    const entry = this.current(jwksUri);
    return entry !== undefined && this.freshForMs(entry) > 0;
  }

  /** Whether keys for this URI are on hand (fetched, or a seed still trusted). */
  has(jwksUri: string): boolean {
    return this.current(jwksUri) !== undefined;
  }

  async getJwks(jwksUri: string): Promise<Jwks> {
    const entry = this.current(jwksUri);
    return (await this.fetch(jwksUri, entry === undefined || entry.seed ? 'cold' : 'refresh')).jwks;
  }

  /**
   * Fetches these keys now, in the caller's turn, and serves them once in: a seed is replaced however fresh.
   * For an init that runs ahead of traffic (JWKS_WARM_UP), which so pays the instance's first TLS set-up instead
   * of a request. Rejects as a failed fetch does (reported through onFetch, or as JWKS_SEED_SERVING while a seed
   * serves); what was on hand keeps serving.
   */
  async warmUp(jwksUri: string): Promise<void> {
    await this.fetch(jwksUri, 'warm-up');
  }

  getCachedJwk(jwksUri: string, decomposedJwt: { header: JwtHeader }): JwkWithKid {
    const entry = this.current(jwksUri);
    if (!entry) throw new JwksNotAvailableInCacheError(`JWKS for ${jwksUri} not yet in cache`);
    const jwk = lookup(entry, decomposedJwt.header);
    if (!jwk) throw new KidNotFoundInJwksError('kid not found in the cached JWKS');
    // Stale keys, a stale seed's included, are refreshed until a fetch lands (at most once per failure backoff
    // while the issuer is down). A fresh seed is not: its refresh would put the first TLS set-up and handshake
    // of the instance's life on the requests that follow (on Lambda each of its steps lands on the request that
    // thaws the instance), for keys no older than an instance's own fetch may be.
    if (this.freshForMs(entry) <= 0) this.refreshInBackground(jwksUri);
    return jwk;
  }

  async getJwk(jwksUri: string, decomposedJwt: { header: JwtHeader }): Promise<JwkWithKid> {
    const cached = this.current(jwksUri);
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

  /** Settles once no fetch is running, including fetches started while waiting. */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()]);
  }

  /** Cancels scheduled fetches and waits for running ones (tests, and a local gateway that reloads). */
  async stop(): Promise<void> {
    for (const timer of this.trailing.values()) clearTimeout(timer);
    this.trailing.clear();
    await Promise.allSettled([...this.inflight.values()]);
  }

  /** How much longer these keys count as fresh (0 or less: stale). */
  private freshForMs(entry: Entry): number {
    return entry.refreshAt - this.now();
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

  /**
   * The usable signing keys by kid, and the set without the keys left out: a key with private or secret members
   * is never served, whatever its type, and each one is reported.
   */
  private index(jwksUri: string, jwks: Jwks): Pick<Entry, 'jwks' | 'byKid'> {
    const byKid = new Map<string, JwkWithKid[]>();
    const kept = jwks.keys.filter((jwk, at) => {
      const secret = secretKeyMaterial(jwk);
      if (secret !== null) {
        this.options.onKeyRefused?.({
          code: 'JWKS_KEY_REFUSED',
          jwksUri,
          key: keyName(jwk, at),
          reason: secret.symmetric ? 'SYMMETRIC_KEY' : 'PRIVATE_KEY_MEMBERS',
          members: secret.members.join(','),
        });
        return false;
      }
      if (isSigningJwk(jwk)) byKid.set(jwk.kid, [...(byKid.get(jwk.kid) ?? []), jwk]);
      return true;
    });
    return { jwks: kept.length === jwks.keys.length ? jwks : { keys: kept }, byKid };
  }

  /** The entry for this URI; a seed past its trust is dropped here, and from then on fetched like no seed. */
  private current(jwksUri: string): Entry | undefined {
    const entry = this.entries.get(jwksUri);
    if (entry?.seed === undefined || this.now() < entry.seed.trustedUntil) return entry;
    this.entries.delete(jwksUri);
    this.seedEvent('JWKS_SEED_EXPIRED', jwksUri, entry.seed);
    return undefined;
  }

  private seedEvent(
    code: JwksSeedEvent['code'],
    jwksUri: string,
    seed: Seed,
    fields: Record<string, string | number> = {},
  ): void {
    const now = this.now();
    this.options.onSeed?.({
      code,
      jwksUri,
      ...fields,
      seedAgeSeconds: seed.dated ? Math.round((now - seed.since) / 1000) : null,
      trustedForSeconds: Math.max(0, Math.round((seed.trustedUntil - now) / 1000)),
    });
  }

  /**
   * Refreshes after the request that found the keys stale has been decided: its decision never waits for the
   * network, and a seeded cold start does no network I/O before its first decision.
   */
  private refreshInBackground(jwksUri: string): void {
    if (this.inflight.has(jwksUri)) return;
    this.fetch(jwksUri, 'refresh', true).catch(() => {
      // Already reported through onFetch; the cached keys keep serving until the next attempt.
    });
  }

  private fetch(jwksUri: string, reason: JwksFetchReason, deferred = false): Promise<Entry> {
    const running = this.inflight.get(jwksUri);
    if (running) return running;
    const failure = this.lastFailure.get(jwksUri);
    if (failure && this.now() - failure.at < this.options.failureBackoffMs)
      return Promise.reject(failure.error);

    let started = this.now();
    const request = (): Promise<ArrayBuffer> => {
      started = this.now();
      return this.options.fetcher.fetch(jwksUri);
    };
    // In flight from now on (callers join it). A deferred fetch starts in the next turn's immediate: after the
    // request that found the keys stale has been decided, and before the sandbox can freeze, since Lambda's
    // runtime asks for the next invocation only from an immediate it queues after the handler's promise has
    // settled, after ours. The fetcher's costly set-up runs synchronously there. Older runtime clients posted
    // the answer before that immediate, so no request waited for it; the one Node.js 24 runs posts it from that
    // immediate, so the request that starts an instance's first fetch waits for its set-up.
    const promise = (deferred ? nextTurn(request) : request())
      // A background fetch's answer is parsed, indexed and logged a turn later: a request that became ready
      // on the same turn (on Lambda, the invocation that thawed the sandbox) is decided first.
      .then((body) => (deferred ? nextTurn(() => Promise.resolve(body)) : body))
      .then((body) => {
        const { jwks, byKid } = this.index(jwksUri, parseJwks(body));
        // An empty or unusable key set is an issuer fault; keep serving the last good set.
        if (byKid.size === 0) throw new Error('JWKS has no usable signing keys');
        const entry: Entry = { jwks, byKid, refreshAt: this.now() + this.options.maxAgeMs };
        const replaced = this.entries.get(jwksUri);
        this.entries.set(jwksUri, entry);
        this.lastFailure.delete(jwksUri);
        this.options.onFetch?.({ jwksUri, reason, ok: true, keys: byKid.size, ms: this.now() - started });
        if (replaced?.seed) {
          this.seedEvent('JWKS_SEED_REPLACED', jwksUri, replaced.seed, {
            added: [...byKid.keys()].filter((kid) => !replaced.byKid.has(kid)).length,
            removed: [...replaced.byKid.keys()].filter((kid) => !byKid.has(kid)).length,
          });
        }
        return entry;
      })
      .catch((cause: unknown) => {
        const message = cause instanceof Error ? cause.message : String(cause);
        const error = new JwksUnavailableError(`JWKS at ${jwksUri} unavailable: ${message}`, { cause });
        this.lastFailure.set(jwksUri, { at: this.now(), error });
        const seed = this.current(jwksUri)?.seed;
        // The issuer cannot be reached, but the seed still decides requests: degraded, not down.
        if (seed) this.seedEvent('JWKS_SEED_SERVING', jwksUri, seed, { fetchReason: reason, error: message });
        else
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
