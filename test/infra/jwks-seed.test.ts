// JwksSeed and JwtAuthorizer's jwksSeed prop: checked at synth by the module the Lambda reads it with, shipped
// as a file in the code asset (never an environment variable), and read back by parseConfig unchanged. A seed
// never widens trust: private or symmetric keys, and an entry whose recorded issuer contradicts the props, fail
// the synth (issue #20).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Issuer, JwksSeed, JwtAuthorizer, renderJwksSeed } from '../../infra/constructs';
import type { JwtAuthorizerProps } from '../../infra/constructs';
import { parseConfig } from '../../lambda/authorizer';
import { createKey } from '../support/keys';
import { authorizerAssetFiles, authorizerEnvironment, fastApp, synthError } from './synth-context';

const ISSUER = 'https://issuer.example.com/';
const JWKS_URI = 'https://issuer.example.com/keys';
const key = createKey('ES256');
const FETCHED_AT = '2026-11-01T10:00:00.000Z';
const seedObject = { [JWKS_URI]: { keys: [key.jwk], fetchedAt: FETCHED_AT } };
const rsa = createKey('RS256', 'rsa-1');
/** The private half of the RSA test key as a JWK, as a careless export would write it. */
const rsaPrivate = { ...(rsa.privateKey.export({ format: 'jwk' }) as Record<string, string>), ...rsa.jwk };
const hmac = { kty: 'oct', kid: 'hmac-1', k: 'c2hhcmVkLXNlY3JldC12YWx1ZQ', alg: 'HS256' };
/** Every private or secret value above: none may appear in an error. */
const SECRETS = [...['d', 'p', 'q', 'dp', 'dq', 'qi'].map((m) => rsaPrivate[m] as string), hmac.k];
const REGENERATE =
  'Regenerate it with `npx bearer-gate-jwks-seed --issuer <issuer>` (or `--jwks-uri <url>`).';
const PUBLIC_ONLY =
  ': a seed holds public keys only. Remove that key, and have it replaced at the issuer: its secret is exposed.';
const ROUTE = { method: 'GET' as const, path: '/orders', scopes: ['orders:read'] };

/** An authorizer trusting ISSUER with JWKS_URI (or discovery, with `jwksUri: undefined`), and these props. */
function authorizer(props: Partial<JwtAuthorizerProps> & { jwksUri?: string | undefined }): {
  stack: Stack;
  jwt: JwtAuthorizer;
} {
  const stack = new Stack(fastApp(), 'Test');
  const { jwksUri, ...rest } = { jwksUri: JWKS_URI, ...props };
  const audience = ['https://api.example.com'];
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuers: [Issuer.oidc(ISSUER, jwksUri === undefined ? { audience } : { audience, jwksUri })],
    ...rest,
  });
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  jwt.addRoutes(api, [ROUTE], () => new apigw.MockIntegration());
  return { stack, jwt };
}

test('the seed reaches the Lambda as a file in the code asset; the environment only names it', () => {
  const { stack } = authorizer({
    jwksSeed: JwksSeed.fromObject(seedObject, { maxAge: Duration.days(3) }),
  });
  const env = authorizerEnvironment(stack);
  expect(env).toMatchObject({ JWKS_SEED_FILE: 'jwks-seed.json', JWKS_SEED_MAX_AGE_SECONDS: '259200' });
  expect(Object.values(env).some((v) => typeof v === 'string' && v.includes(key.jwk.x as string))).toBe(
    false,
  );
  expect(authorizerAssetFiles(stack)['jwks-seed.json']).toBe(JSON.stringify(seedObject));
});

test('round trip: what the construct renders, parseConfig reads back unchanged', () => {
  const { stack } = authorizer({ jwksSeed: JwksSeed.fromObject(seedObject) });
  const env = authorizerEnvironment(stack);
  const files = authorizerAssetFiles(stack);
  const config = parseConfig(env, { read: (path) => files[path] as string });
  expect(config.jwksSeed).toEqual({
    file: 'jwks-seed.json',
    maxAgeSeconds: 7 * 86400,
    entries: [
      { jwksUri: JWKS_URI, jwks: { keys: [key.jwk] }, fetchedAt: Date.parse(FETCHED_AT), issuer: null },
    ],
  });
});

test('no seed: no seed variable and no seed file', () => {
  const { stack } = authorizer({});
  expect(authorizerEnvironment(stack).JWKS_SEED_FILE).toBeUndefined();
  expect(Object.keys(authorizerAssetFiles(stack)).sort()).toEqual([
    'index.mjs',
    'index.mjs.map',
    'routes.json',
  ]);
});

test('an issuer without jwksUri leaves JWKS_URI unset (the Lambda discovers it) and may be seeded by issuer', () => {
  const seed = {
    'https://keys.example.com/jwks': { keys: [key.jwk], fetchedAt: FETCHED_AT, issuer: ISSUER },
  };
  const { stack } = authorizer({ jwksUri: undefined, jwksSeed: JwksSeed.fromObject(seed) });
  expect(authorizerEnvironment(stack).JWKS_URI).toBeUndefined();
  expect(JSON.parse(authorizerAssetFiles(stack)['jwks-seed.json'] as string)).toEqual(seed);
});

test('JwksSeed.fromFile reads the file npm run jwks-seed writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bearer-gate-seed-'));
  try {
    const file = join(dir, 'jwks-seed.json');
    writeFileSync(file, JSON.stringify(seedObject, null, 2) + '\n');
    expect(JwksSeed.fromFile(file).entries.map((e) => e.jwksUri)).toEqual([JWKS_URI]);
    const missing = JwksSeed.fromFile(join(dir, 'missing.json'));
    expect(synthError(() => authorizer({ jwksSeed: missing })).message).toMatch(
      new RegExp(
        `^Test/Jwt: jwksSeed names the file "${join(dir, 'missing.json')}", which cannot be read \\(ENOENT.*\\)\\. ` +
          'Pass the path of a seed written by `npx bearer-gate-jwks-seed`, relative to ',
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Cognito user pool created in the stack: its JWKS URI is recognised though its id is a token', () => {
  const stack = new Stack(fastApp(), 'Test');
  const pool = new cognito.UserPool(stack, 'Pool');
  const client = pool.addClient('Client');
  const cognitoUri = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123/.well-known/jwks.json';
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuers: [Issuer.cognito(pool, { clients: [client] })],
    jwksSeed: JwksSeed.fromObject({ [cognitoUri]: { keys: [key.jwk], fetchedAt: FETCHED_AT } }),
  });
  jwt.addRoutes(
    new apigw.RestApi(stack, 'Api', { deploy: false }),
    [ROUTE],
    () => new apigw.MockIntegration(),
  );
  expect(Object.keys(JSON.parse(authorizerAssetFiles(stack)['jwks-seed.json'] as string))).toEqual([
    cognitoUri,
  ]);
});

test('a seed without fetchedAt is valid, with a synth warning that its age is unknown', () => {
  const { stack } = authorizer({ jwksSeed: JwksSeed.fromObject({ [JWKS_URI]: { keys: [key.jwk] } }) });
  Annotations.fromStack(stack).hasWarning(
    '/Test/Jwt',
    Match.stringLikeRegexp('^jwksSeed has entries without fetchedAt: their age counts from each cold start'),
  );
});

describe('a seed that cannot work fails the synth, naming the prop and the fix', () => {
  const padding = 'x'.repeat(256 * 1024);
  const cases: Array<[string, () => unknown, string]> = [
    [
      'an http URI',
      () => JwksSeed.fromObject({ 'http://issuer.example.com/keys': { keys: [key.jwk] } }),
      'Test/Jwt: jwksSeed (an object) has a key "http://issuer.example.com/keys" that is not an absolute ' +
        'https JWKS URI. Regenerate it with `npx bearer-gate-jwks-seed --issuer <issuer>` (or `--jwks-uri <url>`).',
    ],
    [
      'a value that is not a JWKS',
      () => JwksSeed.fromObject({ [JWKS_URI]: key.jwk }),
      `Test/Jwt: jwksSeed (an object) maps "${JWKS_URI}" to something that is not a JWKS ({"keys": [...]}). ` +
        'Regenerate it with `npx bearer-gate-jwks-seed --issuer <issuer>` (or `--jwks-uri <url>`).',
    ],
    [
      'a seed over the size cap',
      () => JwksSeed.fromObject({ [JWKS_URI]: { keys: [key.jwk], padding } }),
      `Test/Jwt: jwksSeed (an object) is ${JSON.stringify({ [JWKS_URI]: { keys: [key.jwk], padding } }).length} ` +
        'bytes, over the 262144-byte limit; seed only the issuers this API trusts. Regenerate it with ' +
        '`npx bearer-gate-jwks-seed --issuer <issuer>` (or `--jwks-uri <url>`).',
    ],
    [
      'keys for a JWKS URI the authorizer does not trust',
      () =>
        authorizer({
          jwksSeed: JwksSeed.fromObject({ 'https://other.example.com/keys': { keys: [key.jwk] } }),
        }),
      'Test/Jwt: jwksSeed (an object) has keys for "https://other.example.com/keys", which no trusted issuer ' +
        'uses as its JWKS URI. Remove that entry, or for an issuer found by discovery record it with ' +
        '`npx bearer-gate-jwks-seed --issuer <issuer>`. Seed only the issuers this authorizer trusts.',
    ],
    [
      'an RSA private key (JwksSeed.fromObject)',
      () => JwksSeed.fromObject({ [JWKS_URI]: { keys: [key.jwk, rsaPrivate] } }),
      `Test/Jwt: jwksSeed (an object) maps "${JWKS_URI}" to a JWKS whose key kid "rsa-1" has private key ` +
        `members (d, p, q, dp, dq, qi)${PUBLIC_ONLY} ${REGENERATE}`,
    ],
    [
      'a symmetric key (JwksSeed.fromObject)',
      () => JwksSeed.fromObject({ [JWKS_URI]: { keys: [hmac, key.jwk] } }),
      `Test/Jwt: jwksSeed (an object) maps "${JWKS_URI}" to a JWKS whose key kid "hmac-1" is a symmetric ` +
        `(shared secret) key${PUBLIC_ONLY} ${REGENERATE}`,
    ],
    [
      'a private key put into the entries after the factory checked them (the synth render)',
      () => {
        const seed = JwksSeed.fromObject(seedObject);
        (seed.entries[0]?.jwks.keys as unknown[]).push(rsaPrivate);
        return authorizer({ jwksSeed: seed });
      },
      `Test/Jwt: jwksSeed (an object) maps "${JWKS_URI}" to a JWKS whose key kid "rsa-1" has private key ` +
        `members (d, p, q, dp, dq, qi)${PUBLIC_ONLY} ${REGENERATE}`,
    ],
    [
      "an entry recording a discovered issuer at another issuer's configured JWKS URI",
      () =>
        authorizer({
          issuers: [
            Issuer.oidc(ISSUER, { audience: ['https://api.example.com'], jwksUri: JWKS_URI }),
            Issuer.oidc('https://b.example.com', { audience: ['https://api.example.com'] }),
          ],
          jwksSeed: JwksSeed.fromObject({ [JWKS_URI]: { keys: [key.jwk], issuer: 'https://b.example.com' } }),
        }),
      `Test/Jwt: jwksSeed (an object) records issuer "https://b.example.com" for "${JWKS_URI}", the ` +
        `configured JWKS URI of "${ISSUER}": its keys serve only the issuers configured with it. Remove "issuer" ` +
        'from that entry, or configure "https://b.example.com" with that JWKS URI. Seed only the issuers this ' +
        'authorizer trusts.',
    ],
    [
      'a max age over 90 days',
      () => authorizer({ jwksSeed: JwksSeed.fromObject(seedObject, { maxAge: Duration.days(91) }) }),
      'Test/Jwt: jwksSeed maxAge must be a whole number of seconds from 60 to 7776000; got 7862400 seconds. ' +
        'Use from Duration.minutes(1) to Duration.days(90); the seed is trusted that long without the issuer.',
    ],
  ];

  test.each(cases)('%s', (_name, make, message) => {
    // A factory's problem is reported by the authorizer the seed is given to, naming its path.
    const error = synthError(() => {
      const made = make();
      if (made instanceof JwksSeed) authorizer({ jwksSeed: made });
    });
    expect([error.code, error.subject, error.message]).toEqual([
      'INVALID_PROP',
      message.includes('jwksSeed maxAge') ? 'jwksSeed maxAge' : 'jwksSeed',
      message,
    ]);
    for (const secret of SECRETS) expect(error.message).not.toContain(secret);
  });

  test('JwksSeed.fromFile refuses a file with a private key, naming the file and the kid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bearer-gate-seed-'));
    try {
      const file = join(dir, 'jwks-seed.json');
      writeFileSync(file, JSON.stringify({ [JWKS_URI]: { keys: [rsaPrivate], fetchedAt: FETCHED_AT } }));
      const error = synthError(() => authorizer({ jwksSeed: JwksSeed.fromFile(file) }));
      expect(error.message).toBe(
        `Test/Jwt: jwksSeed from "${file}" maps "${JWKS_URI}" to a JWKS whose key kid "rsa-1" has private ` +
          `key members (d, p, q, dp, dq, qi)${PUBLIC_ONLY} ${REGENERATE}`,
      );
      for (const secret of SECRETS) expect(error.message).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('an entry recording the issuer the props pin to its URI only confirms them: JWKS_URI stays, the seed ships', () => {
  const seed = { [JWKS_URI]: { keys: [key.jwk], fetchedAt: FETCHED_AT, issuer: ISSUER } };
  const { stack } = authorizer({ jwksSeed: JwksSeed.fromObject(seed) });
  expect(authorizerEnvironment(stack).JWKS_URI).toBe(JWKS_URI);
  expect(JSON.parse(authorizerAssetFiles(stack)['jwks-seed.json'] as string)).toEqual(seed);
});

test('renderJwksSeed is compact JSON in the seed contract', () => {
  expect(renderJwksSeed(JwksSeed.fromObject(seedObject), [{ issuer: ISSUER, jwksUri: JWKS_URI }])).toBe(
    JSON.stringify(seedObject),
  );
});
