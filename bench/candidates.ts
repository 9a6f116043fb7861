// The warm candidates, each set up with its keys already cached: the crypto floor, aws-jwt-verify alone, our
// whole authorizer (twice: production logging and errors only), jose, and jsonwebtoken + jwks-rsa.
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { Agent as HttpsAgent } from 'node:https';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { JwtVerifier } from 'aws-jwt-verify';
import jwt from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import {
  createAuthorizer,
  filesBesideHandler,
  parseConfig,
  type Authorizer,
  type AuthorizerDeps,
} from 'bearer-gate/authorizer';
import { setLogSink } from 'bearer-gate/authorizer';
import { p1363ToDer } from './p1363-to-der';
import { AUDIENCE, ISSUER, METHOD_ARN, type BenchAlg, type Fixtures } from './fixtures';
import { trustingFetch } from './trusting-fetch';

export type CandidateId =
  | 'floor'
  | 'aws-jwt-verify'
  | 'handler-info'
  | 'handler-info-unwritten'
  | 'handler-error'
  | 'jose'
  | 'jsonwebtoken';

export interface Candidate {
  readonly id: CandidateId;
  readonly label: string;
  /** Verifies one token; resolves (or returns) only if the token was accepted. */
  run(token: string): unknown;
}

export class CandidateCheckError extends Error {
  override readonly name = 'CandidateCheckError';
  readonly code = 'CANDIDATE_CHECK';
}

/**
 * The floor: node:crypto with a ready KeyObject, plus the JSON parsing any verifier must do. The key is passed
 * bare (an ES256 signature turned into DER first): on Node 24 that is the cheapest call, by ~15 µs.
 */
function floor(fixtures: Fixtures, alg: BenchAlg): Candidate {
  const key = createPublicKey({ key: fixtures.keys[alg].jwk, format: 'jwk' });
  return {
    id: 'floor',
    label: 'floor: node:crypto verify + JSON.parse',
    run(token) {
      const first = token.indexOf('.');
      const second = token.indexOf('.', first + 1);
      JSON.parse(Buffer.from(token.slice(0, first), 'base64url').toString('utf8'));
      const payload: unknown = JSON.parse(
        Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'),
      );
      const signed = Buffer.from(token.slice(0, second));
      const jws = Buffer.from(token.slice(second + 1), 'base64url');
      const signature = alg === 'ES256' ? p1363ToDer(jws, 32) : jws;
      if (!cryptoVerify('sha256', signed, key, signature)) throw new CandidateCheckError('bad signature');
      return payload;
    },
  };
}

async function awsJwtVerify(fixtures: Fixtures): Promise<Candidate> {
  const verifier = JwtVerifier.create(
    { issuer: ISSUER, audience: AUDIENCE, jwksUri: fixtures.jwks.url },
    {
      jwksCache: new SimpleJwksCache({
        fetcher: new SimpleFetcher({ defaultRequestOptions: { ca: fixtures.certificate } }),
      }),
    },
  );
  await verifier.hydrate();
  return {
    id: 'aws-jwt-verify',
    label: 'aws-jwt-verify alone (verify)',
    run: (token) => verifier.verify(token),
  };
}

/**
 * Our whole path: bearer parsing, strict decode, verification, claim checks, policy and (maybe) the log line.
 * With the fetcher it ships (BoundedFetcher), trusting the JWKS server's certificate as a private CA is
 * trusted in production: TRUSTED_CA_FILE.
 */
export async function ourAuthorizer(
  fixtures: Fixtures,
  logLevel: 'info' | 'error',
  overrides: Record<string, string> = {},
  deps: AuthorizerDeps = {},
): Promise<Authorizer> {
  const config = parseConfig(
    fixtures.env({ LOG_LEVEL: logLevel, TRUSTED_CA_FILE: fixtures.certificateFile, ...overrides }),
    filesBesideHandler(),
  );
  const authorizer = createAuthorizer(config, deps);
  await authorizer.ready;
  return authorizer;
}

async function handler(fixtures: Fixtures, logLevel: 'info' | 'error'): Promise<Candidate> {
  const authorizer = await ourAuthorizer(fixtures, logLevel);
  return {
    id: logLevel === 'info' ? 'handler-info' : 'handler-error',
    label:
      logLevel === 'info'
        ? 'our handler, LOG_LEVEL=info (production default)'
        : 'our handler, LOG_LEVEL=error (errors only)',
    run: async (token) => {
      const result = await authorizer.authorize({
        type: 'TOKEN',
        authorizationToken: `Bearer ${token}`,
        methodArn: METHOD_ARN,
      });
      if (result.policyDocument.Statement[0]?.Effect !== 'Allow') {
        throw new CandidateCheckError('our handler did not allow a valid token');
      }
      return result;
    },
  };
}

/**
 * The production-logging handler with its lines built but written nowhere: the difference to the written run
 * is the cost of the write itself (one syscall per line), the difference to errors only is serialization.
 */
function unwrittenLogs(info: Candidate): Candidate {
  const discard = (): void => undefined;
  return {
    id: 'handler-info-unwritten',
    label: 'our handler, LOG_LEVEL=info, lines built but not written',
    run: async (token) => {
      const restore = setLogSink(discard);
      try {
        return await info.run(token);
      } finally {
        restore();
      }
    },
  };
}

async function jose(fixtures: Fixtures): Promise<Candidate> {
  // jose is ESM only; this module is CommonJS under tsx, so it is loaded with import().
  const { createRemoteJWKSet, customFetch, jwtVerify } = await import('jose');
  const keySet = createRemoteJWKSet(new URL(fixtures.jwks.url), {
    [customFetch]: trustingFetch(fixtures.certificate),
  });
  await keySet.reload();
  return {
    id: 'jose',
    label: 'jose (jwtVerify + createRemoteJWKSet)',
    run: (token) => jwtVerify(token, keySet, { issuer: ISSUER, audience: AUDIENCE }),
  };
}

/** The verification path of the popular auth0 sample authorizer (jwks-rsa with its cache and rate limit). */
async function jsonwebtoken(fixtures: Fixtures, alg: BenchAlg): Promise<Candidate> {
  const client = jwksRsa({
    cache: true,
    rateLimit: true,
    jwksRequestsPerMinute: 10,
    jwksUri: fixtures.jwks.url,
    requestAgent: new HttpsAgent({ ca: fixtures.certificate }),
  });
  await client.getSigningKey(fixtures.keys[alg].kid);
  return {
    id: 'jsonwebtoken',
    label: 'jsonwebtoken + jwks-rsa (auth0 sample)',
    run: async (token) => {
      const decoded = jwt.decode(token, { complete: true });
      if (decoded === null || typeof decoded.header.kid !== 'string') {
        throw new CandidateCheckError('jsonwebtoken could not decode the token');
      }
      const key = await client.getSigningKey(decoded.header.kid);
      return jwt.verify(token, key.getPublicKey(), { issuer: ISSUER, audience: AUDIENCE });
    },
  };
}

/** Builds every candidate for one algorithm, each with its keys cached, and checks each accepts the tokens. */
export async function createCandidates(
  fixtures: Fixtures,
  alg: BenchAlg,
  tokens: readonly string[],
): Promise<Candidate[]> {
  const candidates = [
    floor(fixtures, alg),
    await awsJwtVerify(fixtures),
    await handler(fixtures, 'info'),
    await unwrittenLogs(await handler(fixtures, 'info')),
    await handler(fixtures, 'error'),
    await jose(fixtures),
    await jsonwebtoken(fixtures, alg),
  ];
  for (const candidate of candidates) {
    for (const token of tokens) {
      try {
        await candidate.run(token);
      } catch (cause) {
        throw new CandidateCheckError(`${candidate.id} rejected a valid ${alg} token`, { cause });
      }
    }
  }
  return candidates;
}
