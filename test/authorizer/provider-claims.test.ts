// Permissions, required claims and context claims from tokens laid out as real providers issue them (Entra ID
// app-only, Cognito groups, Keycloak realm roles, Auth0 RBAC, Okta), signed with real keys, with the keys
// served by a real HTTPS JWKS endpoint.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { claims, signToken } from '../support/keys';
import { API_ARN, AUDIENCE, ISSUER, lastDecision, startHarness, tokenEvent, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
});

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const COGNITO_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123';

/** The route resources a policy allows, without the stage prefix (e.g. `GET/items`). */
function allowed(result: APIGatewayAuthorizerResult): string[] {
  const allow = result.policyDocument.Statement.find((s) => s.Effect === 'Allow') as
    { Resource: string[] } | undefined;
  return (allow?.Resource ?? []).map((r) => r.slice(`${API_ARN}/`.length));
}

async function authorize(
  env: Record<string, string>,
  payload: Record<string, unknown>,
): Promise<APIGatewayAuthorizerResult> {
  return h.authorizer(env).authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, payload)}`));
}

async function refusal(env: Record<string, string>, payload: Record<string, unknown>) {
  await expect(authorize(env, payload)).rejects.toThrow(/^Unauthorized$/);
  const { reason, detail } = lastDecision(h.logs);
  return { reason, detail };
}

describe('provider layouts', () => {
  test('Entra ID app-only (client credentials): `roles`, no `scp`, the tenant required', async () => {
    const env = { PERMISSION_CLAIMS: 'roles', REQUIRED_CLAIMS: JSON.stringify({ tid: TENANT }) };
    const token = claims({
      scope: undefined,
      client_id: undefined,
      azp: 'b1c2d3e4-service',
      idtyp: 'app',
      tid: TENANT,
      oid: 'a1b2c3d4-service-principal',
      sub: 'a1b2c3d4-service-principal',
      roles: ['items:read', 'items:write'],
    });
    const result = await authorize(env, token);
    expect(allowed(result)).toEqual(['GET/items', 'GET/items/', 'POST/items', 'POST/items/', 'GET/items/?*']);
    expect(result.context).toMatchObject({ scope: 'items:read items:write', clientId: 'b1c2d3e4-service' });
  });

  test('the same Entra token without PERMISSION_CLAIMS holds nothing: `roles` counts only where configured', async () => {
    const token = claims({ scope: undefined, tid: TENANT, roles: ['items:read', 'items:write'] });
    const result = await authorize({}, token);
    expect(allowed(result)).toEqual([]);
    expect(result.policyDocument.Statement).toEqual([
      { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${API_ARN}/*` },
    ]);
    expect(result.context?.scope).toBe('');
  });

  test('Cognito: `cognito:groups` as permissions, copied to the context as `cognito_groups`', async () => {
    // Cognito's JWKS lives on AWS, which cannot be reached here: this fetcher sends the request for the
    // pool's JWKS URI to the local HTTPS server. Everything else is the production path.
    const env = {
      ISSUER: '',
      AUDIENCE: '',
      JWKS_URI: '',
      COGNITO_USER_POOL_ID: 'eu-west-1_Abc123',
      COGNITO_CLIENT_ID: 'app1',
      COGNITO_SCOPE_PREFIX: 'items-api/',
      COGNITO_PERMISSION_CLAIMS: 'cognito:groups',
      COGNITO_CONTEXT_CLAIMS: 'cognito:groups,username',
    };
    const authorizer = h.authorizer(env, {
      fetcher: { fetch: () => h.fetcher.fetch(h.server.url) },
    });
    const token = claims({
      iss: COGNITO_ISSUER,
      aud: undefined,
      token_use: 'access',
      client_id: 'app1',
      username: 'alice',
      scope: 'openid items-api/items:read',
      'cognito:groups': ['items:delete', 'Readers'],
    });
    const result = await authorizer.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, token)}`));
    // The scope prefix is Cognito's spelling of scopes: it applies to `scope`, not to group names.
    expect(result.context).toMatchObject({
      scope: 'openid items-api/items:read items:read items:delete Readers',
      cognito_groups: 'items:delete Readers',
      username: 'alice',
    });
    expect(allowed(result)).toEqual(['GET/items', 'GET/items/', 'GET/items/?*', 'DELETE/items/?*']);
  });

  test('Keycloak: realm roles at `realm_access.roles`, client roles at `resource_access.<client>.roles`', async () => {
    const env = { PERMISSION_CLAIMS: 'realm_access.roles, resource_access.items-api.roles' };
    const token = claims({
      scope: 'openid profile email',
      azp: 'items-web',
      realm_access: { roles: ['offline_access', 'uma_authorization', 'items:read'] },
      resource_access: {
        'items-api': { roles: ['items:write'] },
        account: { roles: ['manage-account', 'items:delete'] },
      },
    });
    const result = await authorize(env, token);
    expect(result.context?.scope).toBe(
      'openid profile email offline_access uma_authorization items:read items:write',
    );
    // `account`'s items:delete is another client's role: only the configured path counts.
    expect(allowed(result)).toEqual(['GET/items', 'GET/items/', 'POST/items', 'POST/items/', 'GET/items/?*']);
  });

  test('Auth0 RBAC: `permissions`, and a namespaced custom claim (with dots) copied to the context', async () => {
    const env = {
      PERMISSION_CLAIMS: 'permissions',
      CONTEXT_CLAIMS: 'https://example\\.com/roles,https://example\\.com/tenant',
    };
    const token = claims({
      aud: ['https://api.test', 'https://example.eu.auth0.com/userinfo'],
      scope: 'openid profile',
      azp: 'spa-client',
      permissions: ['items:read', 'items:write', 'items:delete'],
      'https://example.com/roles': ['editor'],
      'https://example.com/tenant': 'acme',
    });
    const result = await authorize(env, token);
    expect(allowed(result)).toEqual([
      'GET/items',
      'GET/items/',
      'POST/items',
      'POST/items/',
      'GET/items/?*',
      'DELETE/items/?*',
    ]);
    expect(result.context).toMatchObject({
      https___example_com_roles: 'editor',
      https___example_com_tenant: 'acme',
    });
  });

  test('Okta: `scp` as an array counts with no configuration; group names with spaces grant nothing', async () => {
    const env = { PERMISSION_CLAIMS: 'groups' };
    const token = claims({
      scope: undefined,
      scp: ['openid', 'items:read'],
      client_id: undefined,
      cid: '0oa1b2c3d4',
      uid: '00u1b2c3d4',
      groups: ['Everyone', 'Items Writers', 'items:delete'],
    });
    const result = await authorize(env, token);
    expect(result.context).toMatchObject({
      scope: 'openid items:read Everyone items:delete',
      clientId: '0oa1b2c3d4',
    });
    expect(allowed(result)).toEqual(['GET/items', 'GET/items/', 'GET/items/?*', 'DELETE/items/?*']);
  });
});

describe('required claims', () => {
  const required = {
    tid: TENANT,
    email_verified: true,
    acr: ['urn:mfa', 'urn:phr'],
    'ext.level': 2,
  };
  const env = { REQUIRED_CLAIMS: JSON.stringify(required) };
  const good = { tid: TENANT, email_verified: true, acr: 'urn:phr', ext: { level: 2 } };

  test('a token holding every required value is allowed', async () => {
    const result = await authorize(env, claims(good));
    expect(allowed(result)).toEqual(['GET/items', 'GET/items/', 'POST/items', 'POST/items/', 'GET/items/?*']);
  });

  test.each<[string, Record<string, unknown>, string, string]>([
    ['tid missing', { tid: undefined }, 'MISSING_REQUIRED_CLAIM', 'required claim "tid" is missing'],
    ['another tenant', { tid: 'other' }, 'WRONG_CLAIM_VALUE', 'claim "tid" does not hold an accepted value'],
    [
      'email_verified false',
      { email_verified: false },
      'WRONG_CLAIM_VALUE',
      'claim "email_verified" does not hold an accepted value',
    ],
    [
      'email_verified as the string "true" (no type coercion)',
      { email_verified: 'true' },
      'WRONG_CLAIM_VALUE',
      'claim "email_verified" does not hold an accepted value',
    ],
    [
      'an acr not in the list',
      { acr: 'urn:pwd' },
      'WRONG_CLAIM_VALUE',
      'claim "acr" does not hold an accepted value',
    ],
    [
      'acr as an array holding an accepted value (a value is compared whole)',
      { acr: ['urn:mfa'] },
      'WRONG_CLAIM_VALUE',
      'claim "acr" does not hold an accepted value',
    ],
    [
      'the nested level missing',
      { ext: {} },
      'MISSING_REQUIRED_CLAIM',
      'required claim "ext.level" is missing',
    ],
    [
      'the parent of the nested claim a string',
      { ext: 'level' },
      'MISSING_REQUIRED_CLAIM',
      'required claim "ext.level" is missing',
    ],
    [
      'the nested level "2"',
      { ext: { level: '2' } },
      'WRONG_CLAIM_VALUE',
      'claim "ext.level" does not hold an accepted value',
    ],
    [
      'a top-level claim literally named "ext.level" (a dot is a path)',
      { ext: undefined, 'ext.level': 2 },
      'MISSING_REQUIRED_CLAIM',
      'required claim "ext.level" is missing',
    ],
  ])('%s is 401 %s', async (_name, change, reason, detail) => {
    expect(await refusal(env, claims({ ...good, ...change }))).toEqual({ reason, detail });
  });

  test('required claims are checked after the signature: a forged token is BAD_SIGNATURE, not a claim reason', async () => {
    const forged = signToken({ ...h.newKey('RS256'), kid: h.keys.rsa.kid }, claims({ tid: 'other' }));
    await expect(h.authorizer(env).authorize(tokenEvent(`Bearer ${forged}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
    expect(lastDecision(h.logs).reason).toBe('BAD_SIGNATURE');
  });

  test('the log names the claim but never its value', async () => {
    await refusal(env, claims({ ...good, tid: 'secret-tenant-value' }));
    expect(h.logs.join('\n')).not.toContain('secret-tenant-value');
  });

  test('an ISSUERS entry has its own rules: the single issuer’s do not apply to it', async () => {
    const other = 'https://other.test';
    const issuers = JSON.stringify([
      {
        issuer: other,
        audience: ['https://api.test'],
        jwksUri: h.server.url,
        permissionClaims: ['roles'],
        requiredClaims: { tid: 'other-tenant' },
      },
    ]);
    const both = { ...env, ISSUERS: issuers };
    const fromOther = claims({ iss: other, scope: undefined, tid: 'other-tenant', roles: ['items:read'] });
    expect(allowed(await authorize(both, fromOther))).toEqual(['GET/items', 'GET/items/', 'GET/items/?*']);
    // The single issuer does not read `roles`, and still requires its own tenant.
    const fromSingle = claims({ ...good, scope: undefined, roles: ['items:read'] });
    expect(allowed(await authorize(both, fromSingle))).toEqual([]);
    expect(await refusal(both, claims({ iss: other, tid: TENANT }))).toEqual({
      reason: 'WRONG_CLAIM_VALUE',
      detail: 'claim "tid" does not hold an accepted value',
    });
  });
});

describe('context claims', () => {
  const env = { CONTEXT_CLAIMS: 'email,email_verified,tenant.id,age,groups,profile,nested' };

  test('strings, numbers and booleans are copied; arrays of plain strings are space-joined; the rest is left out', async () => {
    const result = await authorize(
      env,
      claims({
        email: 'alice@example.com',
        email_verified: true,
        tenant: { id: 'acme' },
        age: 42,
        groups: ['a', 'b'],
        profile: { name: 'Alice' },
        nested: [['a']],
      }),
    );
    const { sub, scope, issuer, clientId, tokenId, expiresAt, ...copied } = result.context ?? {};
    expect({ sub, scope, issuer, clientId }).toEqual({
      sub: 'user-1',
      scope: 'items:read items:write',
      issuer: 'https://issuer.test',
      clientId: 'client-1',
    });
    expect(typeof tokenId).toBe('string');
    expect(typeof expiresAt).toBe('number');
    expect(copied).toEqual({
      email: 'alice@example.com',
      email_verified: true,
      tenant_id: 'acme',
      age: 42,
      groups: 'a b',
    });
  });

  test.each<[string, unknown]>([
    ['an array with an element holding a space', ['a', 'b c']],
    ['an array with a number', ['a', 1]],
    ['an array with an empty string', ['a', '']],
    ['null', null],
  ])('groups as %s is not copied', async (_name, groups) => {
    const result = await authorize(env, claims({ groups }));
    expect(result.context).not.toHaveProperty('groups');
  });
});

describe('numbers beyond what a double holds are compared and copied exactly', () => {
  // JSON.stringify would round these before signing, so the payload text is written out: the claims a
  // token needs, then `members` spelled exactly as given.
  function signedWith(members: string): string {
    const standard = JSON.stringify(claims());
    return signToken(h.keys.rsa, {}, { rawPayload: `${standard.slice(0, -1)},${members}}` });
  }
  const ALL_ROUTES = ['GET/items', 'GET/items/', 'POST/items', 'POST/items/', 'GET/items/?*'];

  describe.each<[string, () => Record<string, string>]>([
    ['REQUIRED_CLAIMS', () => ({ REQUIRED_CLAIMS: '{"tenant":1234567890123456789}' })],
    [
      'an ISSUERS entry',
      () => ({
        ISSUER: '',
        AUDIENCE: '',
        JWKS_URI: '',
        ISSUERS: `[{"issuer":"${ISSUER}","audience":["${AUDIENCE}"],"jwksUri":"${h.server.url}",
          "requiredClaims":{"tenant":[7, 1234567890123456789]}}]`,
      }),
    ],
  ])('a tenant 1234567890123456789 required through %s', (_where, settings) => {
    test.each<[string, string, string | null]>([
      ['the tenant itself', '"tenant":1234567890123456789', null],
      ['the tenant spelled with an exponent', '"tenant":1.234567890123456789e18', null],
      ['the tenant with a zero fraction', '"tenant": 1234567890123456789.000', null],
      ['1234567890123456800, the double both round to', '"tenant":1234567890123456800', 'WRONG_CLAIM_VALUE'],
      ['1234567890123456789.4', '"tenant":1234567890123456789.4', 'WRONG_CLAIM_VALUE'],
      ['1234567890123456790, the next id', '"tenant":1234567890123456790', 'WRONG_CLAIM_VALUE'],
      ['the digits as a string', '"tenant":"1234567890123456789"', 'WRONG_CLAIM_VALUE'],
    ])('%s', async (_name, members, reason) => {
      const env = settings();
      const event = tokenEvent(`Bearer ${signedWith(members)}`);
      if (reason === null) {
        expect(allowed(await h.authorizer(env).authorize(event))).toEqual(ALL_ROUTES);
        return;
      }
      await expect(h.authorizer(env).authorize(event)).rejects.toThrow(/^Unauthorized$/);
      expect(lastDecision(h.logs)).toMatchObject({
        reason,
        detail: 'claim "tenant" does not hold an accepted value',
      });
    });
  });

  test.each<[string, string, string | number]>([
    ['uid 1234567890123456789', '1234567890123456789', '1234567890123456789'],
    ['uid 1234567890123456790, another user', '1234567890123456790', '1234567890123456790'],
    ['2^53 + 1', '9007199254740993', '9007199254740993'],
    ['2^60, which a double holds but which is no safe integer', '1152921504606846976', '1152921504606846976'],
    // JSON.stringify's own spelling of 2^60: the payload text is canonical, and the decoder keeps no text.
    ['2^60 as JavaScript spells it', '1152921504606847000', '1152921504606847000'],
    ['a fraction beyond 17 digits', '0.10000000000000001', '0.10000000000000001'],
    ['a number beyond the double range', '1e400', '1e400'],
    ['the largest safe integer, as a number', '9007199254740991', 9007199254740991],
    ['a fraction a double holds, as a number', '0.5', 0.5],
    ['a whole number spelled with a fraction, as a number', '42.0', 42],
  ])('context: %s', async (_name, spelled, carried) => {
    const result = await h
      .authorizer({ CONTEXT_CLAIMS: 'uid' })
      .authorize(tokenEvent(`Bearer ${signedWith(`"uid":${spelled}`)}`));
    expect(result.context?.uid).toStrictEqual(carried);
  });
});
