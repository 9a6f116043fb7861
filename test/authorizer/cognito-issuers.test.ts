// Cognito mode accepts both issuer forms of the configured user pool, the regional one and the one user pools
// with multi-Region replication put in their tokens, and nothing else: exact strings, judged by an oracle
// written here from the documented forms. Tokens of either form are one identity (the context's issuer, the
// revocation entries), with one JWKS fetch. Real keys, real signed tokens, DynamoDB Local for revocation.
import '../items/local-aws-env';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import type { Fetcher } from 'aws-jwt-verify/https';
import { createAuthorizer, type Authorizer } from '../../lambda/authorizer';
import { createRevocationCheck } from '../../lambda/authorizer/revocation-loader';
import { createRevocationService, createRevocationTableInput } from '../../lambda/revocation';
import { propertyRuns, propertyTimeout } from '../hardening/property-runs';
import { localClient } from '../setup/dynamodb-local';
import { claims, signToken } from '../support/keys';
import { lastDecision, startHarness, tokenEvent, type Harness } from './harness';

const REGION = 'eu-west-1';
const POOL = `${REGION}_Abc123`;
// The oracle: the two forms as AWS documents them, spelled out, not computed by the code under test.
const REGIONAL = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123';
const MULTI_REGION = 'https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123';
const ACCEPTED: ReadonlySet<string> = new Set([REGIONAL, MULTI_REGION]);
const UNAUTHORIZED = /^Unauthorized$/;

const COGNITO_ENV = {
  ISSUER: '',
  AUDIENCE: '',
  JWKS_URI: '',
  COGNITO_USER_POOL_ID: POOL,
  COGNITO_CLIENT_ID: 'app1',
};

let h: Harness;
/** The JWKS URIs the authorizer asked for. */
let fetched: string[];
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
  fetched = [];
});

/**
 * Cognito's JWKS lives on AWS, which cannot be reached here: this fetcher records the URI asked for and
 * serves the local HTTPS server's JWKS instead. Everything else is the production path.
 */
const redirect: Fetcher = {
  fetch: async (uri: string) => {
    fetched.push(uri);
    return h.fetcher.fetch(h.server.url);
  },
};

function cognitoAuthorizer(overrides: Record<string, string> = {}): Authorizer {
  const config = h.config({ ...COGNITO_ENV, ...overrides });
  return createAuthorizer(config, { fetcher: redirect, revocation: createRevocationCheck(config) });
}

function token(iss: string, overrides: Record<string, unknown> = {}): string {
  return signToken(
    h.keys.rsa,
    claims({
      iss,
      aud: undefined,
      token_use: 'access',
      client_id: 'app1',
      scope: 'items:read',
      ...overrides,
    }),
  );
}

test.each([
  ['*', '*'],
  ['the regional issuer', REGIONAL],
])(
  'DPOP_REQUIRED_ISSUERS %s: a bearer token of either form is refused (DPOP_REQUIRED), the multi-Region one included',
  async (_name, required) => {
    const authorizer = cognitoAuthorizer({ DPOP_REQUIRED_ISSUERS: required });
    for (const iss of [REGIONAL, MULTI_REGION]) {
      await expect(authorizer.authorize(tokenEvent(`Bearer ${token(iss)}`))).rejects.toThrow(UNAUTHORIZED);
      expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'DPOP_REQUIRED' });
    }
  },
);

test('a token of either form is allowed, with the same context and one JWKS fetch from the regional URI', async () => {
  const authorizer = cognitoAuthorizer();
  const contexts = [];
  for (const iss of [REGIONAL, MULTI_REGION]) {
    const result = await authorizer.authorize(tokenEvent(`Bearer ${token(iss, { jti: 'same-id' })}`));
    expect(result.policyDocument.Statement[0]?.Effect).toBe('Allow');
    contexts.push(result.context);
  }
  // One identity: the configured (regional) issuer names the user, whichever form the token carried.
  expect(contexts[1]).toEqual(contexts[0]);
  expect(contexts[0]).toMatchObject({
    issuer: REGIONAL,
    sub: 'user-1',
    clientId: 'app1',
    tokenId: 'same-id',
  });
  expect(fetched).toEqual([`${REGIONAL}/.well-known/jwks.json`]);
});

test.each<[string, string]>([
  ['another pool, multi-Region form', 'https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc124'],
  [
    'another region, multi-Region form',
    'https://issuer-cognito-idp.us-east-1.amazonaws.com/eu-west-1_Abc123',
  ],
  ['a trailing slash', `${MULTI_REGION}/`],
  ['plain http', 'http://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123'],
  ['an upper-case host', 'https://ISSUER-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123'],
  ['a longer host', 'https://issuer-cognito-idp.eu-west-1.amazonaws.com.evil.test/eu-west-1_Abc123'],
  ['a host prefix', 'https://evil-issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123'],
  ['a pool id in another case', 'https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc123'],
  ['an explicit port', 'https://issuer-cognito-idp.eu-west-1.amazonaws.com:443/eu-west-1_Abc123'],
])('%s is WRONG_ISSUER, and no key is fetched for it', async (_name, iss) => {
  const authorizer = cognitoAuthorizer();
  await authorizer.ready;
  fetched = [];
  await expect(authorizer.authorize(tokenEvent(`Bearer ${token(iss)}`))).rejects.toThrow(UNAUTHORIZED);
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'WRONG_ISSUER' });
  expect(fetched).toEqual([]);
});

test("a pool's regional issuer trusted as a plain issuer (not Cognito mode) gets no second form", async () => {
  const authorizer = h.authorizer({ ISSUER: REGIONAL });
  const plain = (iss: string): string => signToken(h.keys.rsa, claims({ iss }));
  await expect(authorizer.authorize(tokenEvent(`Bearer ${plain(REGIONAL)}`))).resolves.toMatchObject({
    principalId: 'user-1',
  });
  await expect(authorizer.authorize(tokenEvent(`Bearer ${plain(MULTI_REGION)}`))).rejects.toThrow(
    UNAUTHORIZED,
  );
  expect(lastDecision(h.logs).reason).toBe('WRONG_ISSUER');
});

describe('property: an iss is accepted exactly when it is one of the two forms', () => {
  const runs = propertyRuns(150, 0.05);
  /** Near misses of either form: one character inserted, removed, replaced or case-flipped. */
  const edited = fc
    .tuple(
      fc.constantFrom(REGIONAL, MULTI_REGION),
      fc.nat(),
      fc.constantFrom('insert', 'remove', 'replace', 'flip'),
      fc.constantFrom('.', '/', '-', '_', 'a', 'A', '1', '%', ':', '?', '#', ' '),
    )
    .map(([form, at, edit, c]) => {
      const i = at % (form.length + 1);
      if (edit === 'insert') return form.slice(0, i) + c + form.slice(i);
      const j = Math.min(i, form.length - 1);
      if (edit === 'remove') return form.slice(0, j) + form.slice(j + 1);
      if (edit === 'replace') return form.slice(0, j) + c + form.slice(j + 1);
      const ch = form[j] as string;
      const flipped = ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase();
      return form.slice(0, j) + flipped + form.slice(j + 1);
    });
  /** Recombined parts of the forms: every scheme, host prefix, region, suffix and pool with every other. */
  const recombined = fc
    .tuple(
      fc.constantFrom('https://', 'http://', 'HTTPS://'),
      fc.constantFrom(
        'cognito-idp.',
        'issuer-cognito-idp.',
        'issuer.cognito-idp.',
        'xissuer-cognito-idp.',
        '',
      ),
      fc.constantFrom(REGION, 'us-east-1', 'eu-west-2', 'EU-WEST-1'),
      fc.constantFrom(
        '.amazonaws.com',
        '.amazonaws.com.cn',
        '.amazonaws.com.evil.test',
        '.amazonaws.com:443',
      ),
      fc.constantFrom(POOL, 'eu-west-1_Abc1234', 'us-east-1_Abc123', 'eu-west-1_abc123', ''),
      fc.constantFrom('', '/', '?x', '#x', '/.well-known/jwks.json'),
    )
    .map((parts) => `${parts[0]}${parts[1]}${parts[2]}${parts[3]}/${parts[4]}${parts[5]}`);

  test(
    'edited and recombined forms',
    async () => {
      const authorizer = cognitoAuthorizer();
      await authorizer.ready;
      await fc.assert(
        fc.asyncProperty(fc.oneof(edited, recombined), async (iss) => {
          h.logs.length = 0;
          const attempt = authorizer.authorize(tokenEvent(`Bearer ${token(iss)}`));
          if (ACCEPTED.has(iss)) {
            expect((await attempt).context?.issuer).toBe(REGIONAL);
          } else {
            await expect(attempt).rejects.toThrow(UNAUTHORIZED);
            expect(lastDecision(h.logs).reason).toBe('WRONG_ISSUER');
          }
        }),
        { numRuns: runs, examples: [[REGIONAL], [MULTI_REGION]] },
      );
    },
    propertyTimeout(runs, 5),
  );
});

describe('revocation: a subject cut-off written under either form covers tokens of both', () => {
  const TABLE = `revocations-${randomUUID().slice(0, 8)}`;
  const endpoint = process.env.DYNAMODB_ENDPOINT as string;
  const now = () => Math.floor(Date.now() / 1000);
  beforeAll(async () => {
    await localClient(endpoint).send(new CreateTableCommand(createRevocationTableInput(TABLE)));
  });

  test.each([
    ['the regional form', REGIONAL],
    ['the multi-Region form', MULTI_REGION],
  ])('revoked under %s', async (_name, revokedAs) => {
    const sub = `user-${randomUUID()}`;
    const authorizer = cognitoAuthorizer({ REVOCATION_TABLE: TABLE, DYNAMODB_ENDPOINT: endpoint });
    const earlier = now() - 60;
    await createRevocationService({
      client: DynamoDBDocumentClient.from(localClient(endpoint)),
      tableName: TABLE,
      maxTokenLifetimeSeconds: 3600,
    }).revoke({ kind: 'subject', issuer: revokedAs, subject: sub }, now());
    for (const iss of [REGIONAL, MULTI_REGION]) {
      h.logs.length = 0;
      await expect(
        authorizer.authorize(tokenEvent(`Bearer ${token(iss, { sub, iat: earlier })}`)),
      ).rejects.toThrow(UNAUTHORIZED);
      expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'TOKEN_REVOKED' });
    }
    // Another subject of the same pool is untouched.
    await expect(
      authorizer.authorize(tokenEvent(`Bearer ${token(MULTI_REGION, { iat: earlier })}`)),
    ).resolves.toMatchObject({ principalId: 'user-1' });
  });
});
