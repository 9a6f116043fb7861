// JWKS requests each key-fetching stack makes, counted at the server: cold, warm (known kids only) and under a
// probe of tokens whose kids the issuer never published (two concurrent bursts, back to back).
import { randomUUID } from 'node:crypto';
import { Agent as HttpsAgent } from 'node:https';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { JwtVerifier } from 'aws-jwt-verify';
import jwt from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import { claims, createKey, signToken } from '../test/support/keys';
import { ourAuthorizer } from './candidates';
import { AUDIENCE, ISSUER, METHOD_ARN, type Fixtures } from './fixtures';
import { trustingFetch } from './trusting-fetch';

export type FetchingStack = 'ours' | 'aws-jwt-verify' | 'jose' | 'jwks-rsa';

export interface JwksFetchCounts {
  readonly stack: FetchingStack;
  readonly cold: number;
  readonly warm: number;
  readonly probe: number;
  /** Probe tokens sent (none may be accepted). */
  readonly probeTokens: number;
  /** Probe verifications still unsettled at the deadline (queued behind a rate limiter, say). */
  readonly probePending: number;
  readonly probeDeadlineMs: number;
}

export class JwksProbeError extends Error {
  override readonly name = 'JwksProbeError';
  readonly code = 'JWKS_PROBE';
}

interface Stack {
  /** Whatever the stack does before its first request (ours fetches at init). */
  start(): Promise<void>;
  verify(token: string): Promise<unknown>;
}

async function createStack(id: FetchingStack, fixtures: Fixtures, windowMs: number | null): Promise<Stack> {
  switch (id) {
    case 'ours': {
      let authorize: ((token: string) => Promise<unknown>) | undefined;
      return {
        start: async () => {
          const authorizer = await ourAuthorizer(
            fixtures,
            'error',
            {},
            windowMs === null ? {} : { jwksRefetchWindowMs: windowMs },
          );
          authorize = (token) =>
            authorizer.authorize({
              type: 'TOKEN',
              authorizationToken: `Bearer ${token}`,
              methodArn: METHOD_ARN,
            });
        },
        verify: (token) => (authorize as (token: string) => Promise<unknown>)(token),
      };
    }
    case 'aws-jwt-verify': {
      const verifier = JwtVerifier.create(
        { issuer: ISSUER, audience: AUDIENCE, jwksUri: fixtures.jwks.url },
        {
          jwksCache: new SimpleJwksCache({
            fetcher: new SimpleFetcher({ defaultRequestOptions: { ca: fixtures.certificate } }),
          }),
        },
      );
      return { start: async () => undefined, verify: (token) => verifier.verify(token) };
    }
    case 'jose': {
      const { createRemoteJWKSet, customFetch, jwtVerify } = await import('jose');
      const keySet = createRemoteJWKSet(new URL(fixtures.jwks.url), {
        [customFetch]: trustingFetch(fixtures.certificate),
      });
      return {
        start: async () => undefined,
        verify: (token) => jwtVerify(token, keySet, { issuer: ISSUER, audience: AUDIENCE }),
      };
    }
    case 'jwks-rsa': {
      const client = jwksRsa({
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        jwksUri: fixtures.jwks.url,
        requestAgent: new HttpsAgent({ ca: fixtures.certificate }),
      });
      return {
        start: async () => undefined,
        verify: async (token) => {
          const decoded = jwt.decode(token, { complete: true });
          const key = await client.getSigningKey(decoded?.header.kid);
          return jwt.verify(token, key.getPublicKey(), { issuer: ISSUER, audience: AUDIENCE });
        },
      };
    }
  }
}

const PENDING = Symbol('pending');

/**
 * Sends the burst and waits until every verification settles or the deadline passes; returns how many were
 * still pending. A stack that queues requests behind a rate limiter would otherwise hold the run for minutes.
 */
async function probeBurst(stack: Stack, tokens: readonly string[], deadline: number): Promise<number> {
  const results = await Promise.all(
    tokens.map((token) => {
      const verification = stack.verify(token).then(
        () => 'accepted' as const,
        () => 'refused' as const,
      );
      const timeLeft = Math.max(0, deadline - performance.now());
      const timer = new Promise<typeof PENDING>((resolve) =>
        setTimeout(() => resolve(PENDING), timeLeft).unref(),
      );
      return Promise.race([verification, timer]);
    }),
  );
  if (results.includes('accepted')) throw new JwksProbeError('a token with an unknown kid was accepted');
  return results.filter((r) => r === PENDING).length;
}

export async function countJwksFetches(
  fixtures: Fixtures,
  probeTokens: number,
  windowMs: number | null,
): Promise<JwksFetchCounts[]> {
  const known = fixtures.tokens('RS256', 5);
  const stranger = createKey('RS256');
  const probe = (): string[] =>
    Array.from({ length: probeTokens }, () =>
      signToken(stranger, claims({ iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 }), {
        header: { kid: `probe-${randomUUID()}` },
      }),
    );
  const requests = (): number => fixtures.jwks.requests.length;
  // Long enough for our trailing refetch at the end of the window (2 s by default), bounded for the rest.
  const probeDeadlineMs = (windowMs ?? 5000) + 2000;
  const counts: JwksFetchCounts[] = [];

  for (const id of ['ours', 'aws-jwt-verify', 'jose', 'jwks-rsa'] as const) {
    const stack = await createStack(id, fixtures, windowMs);
    let before = requests();
    await stack.start();
    const first = known[0] as string;
    await stack.verify(first);
    const cold = requests() - before;

    before = requests();
    for (const token of known) await stack.verify(token);
    const warm = requests() - before;

    before = requests();
    const deadline = performance.now() + probeDeadlineMs;
    const pending =
      (await probeBurst(stack, probe(), deadline)) + (await probeBurst(stack, probe(), deadline));
    // Counted at the deadline, not when the bursts settle: a stack may refuse at once and fetch later (ours
    // refuses unknown kids inside its refetch window at once, then makes one trailing fetch at its end).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - performance.now())));
    const probed = requests() - before;
    counts.push({
      stack: id,
      cold,
      warm,
      probe: probed,
      probeTokens: 2 * probeTokens,
      probePending: pending,
      probeDeadlineMs,
    });
  }
  return counts;
}
