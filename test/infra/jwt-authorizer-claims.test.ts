// The claim options of each issuer (permissionClaims, requiredClaims, contextClaims, the Cognito groups
// option): what they render for the Lambda, read back by the Lambda's own parseConfig, and the synth errors
// that name the issuer and the option.
import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { parseConfig } from '../../lambda/authorizer';
import { InfraConfigError, Issuer, JwtAuthorizer, type JwtAuthorizerProps } from '../../infra/constructs';
import { authorizerAssetFiles, fastApp } from './synth-context';

const ISSUER = 'https://example.eu.auth0.com/';
const ENTRA = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
const AUDIENCE = ['https://api.example.com'];

interface Synthesized {
  readonly env: Record<string, string>;
  /** The files of the authorizer's code asset (routes.json, ...), which the Lambda reads beside itself. */
  readonly files: Record<string, string>;
}

function synthesize(props: (stack: Stack) => JwtAuthorizerProps): Synthesized {
  const stack = new Stack(fastApp(), 'Test');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  const jwt = new JwtAuthorizer(stack, 'Jwt', props(stack));
  jwt.addRoutes(
    api,
    [{ method: 'GET', path: '/items', scopes: ['items:read'] }],
    () => new apigw.MockIntegration(),
  );
  const found = Object.values(
    Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { ROUTES_FILE: Match.anyValue() } } },
    }),
  ) as Array<{ Properties: { Environment: { Variables: Record<string, string> } } }>;
  expect(found).toHaveLength(1);
  return {
    env: (found[0] as (typeof found)[number]).Properties.Environment.Variables,
    files: authorizerAssetFiles(stack),
  };
}

function synthEnvironment(props: (stack: Stack) => JwtAuthorizerProps): Record<string, string> {
  return synthesize(props).env;
}

test('every claim option of the first issuer (variables) and of a further one (ISSUERS) reaches the Lambda, which reads it back', () => {
  const { env, files } = synthesize(() => ({
    issuers: [
      Issuer.oidc(ISSUER, {
        audience: AUDIENCE,
        permissionClaims: ['permissions', 'https://example\\.com/roles'],
        requiredClaims: { email_verified: true, 'org.tier': ['gold', 'silver'] },
        contextClaims: ['email', 'https://example\\.com/tenant'],
      }),
      Issuer.oidc(ENTRA, {
        audience: ['api://items'],
        permissionClaims: ['roles'],
        requiredClaims: { tid: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
        contextClaims: ['tid', 'azp'],
      }),
    ],
  }));
  expect(env).toMatchObject({
    PERMISSION_CLAIMS: 'permissions,https://example\\.com/roles',
    REQUIRED_CLAIMS: '{"email_verified":true,"org.tier":["gold","silver"]}',
    CONTEXT_CLAIMS: 'email,https://example\\.com/tenant',
  });
  expect(JSON.parse(env.ISSUERS as string)).toEqual([
    {
      issuer: ENTRA,
      audience: ['api://items'],
      permissionClaims: ['roles'],
      requiredClaims: { tid: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
      contextClaims: ['tid', 'azp'],
    },
  ]);

  // The configuration contract, both ways: what the construct wrote is what the Lambda understands.
  const [auth0, entra] = parseConfig(env, {
    read: (path) => {
      const file = files[path];
      if (file === undefined) throw new Error(`no ${path} in the code asset`);
      return file;
    },
  }).issuers;
  expect(auth0?.permissionClaims?.map((c) => c.segments)).toEqual([
    ['permissions'],
    ['https://example.com/roles'],
  ]);
  expect(auth0?.requiredClaims?.map((r) => [r.claim.segments, r.accepted])).toEqual([
    [['email_verified'], [true]],
    [
      ['org', 'tier'],
      ['gold', 'silver'],
    ],
  ]);
  expect(auth0?.contextClaims?.map((c) => c.key)).toEqual(['email', 'https___example_com_tenant']);
  expect(entra?.permissionClaims?.map((c) => c.name)).toEqual(['roles']);
  expect(entra?.requiredClaims?.map((r) => r.accepted)).toEqual([['72f988bf-86f1-41af-91ab-2d7cd011db47']]);
  expect(entra?.contextClaims?.map((c) => c.key)).toEqual(['tid', 'azp']);
});

test('numbers JavaScript holds exactly reach the Lambda as the same numbers', () => {
  const accepted = [9007199254740991, -9007199254740991, 0.1, 1e-7, 2.5];
  const { env, files } = synthesize(() => ({
    issuers: [Issuer.oidc(ISSUER, { audience: AUDIENCE, requiredClaims: { level: accepted } })],
  }));
  expect(env.REQUIRED_CLAIMS).toBe('{"level":[9007199254740991,-9007199254740991,0.1,1e-7,2.5]}');
  const [issuer] = parseConfig(env, { read: (path) => files[path] ?? '' }).issuers;
  expect(issuer?.requiredClaims?.[0]?.accepted).toStrictEqual(accepted);
});

test('no claim props, no claim variables', () => {
  const env = synthEnvironment(() => ({
    issuers: [Issuer.oidc(ISSUER, { audience: AUDIENCE }), Issuer.oidc(ENTRA, { audience: ['x'] })],
  }));
  expect(Object.keys(env).filter((k) => k.includes('CLAIMS'))).toEqual([]);
  expect(JSON.parse(env.ISSUERS as string)).toEqual([{ issuer: ENTRA, audience: ['x'] }]);
});

test('Cognito: groupsAsPermissions is one line for `cognito:groups` as permissions', () => {
  const env = synthEnvironment((stack) => {
    const userPool = new cognito.UserPool(stack, 'Pool');
    return {
      issuers: [
        Issuer.cognito(userPool, {
          clients: [userPool.addClient('Client')],
          groupsAsPermissions: true,
          permissionClaims: ['custom_permissions', 'cognito:groups'],
          requiredClaims: { 'custom:tenant': 'acme' },
          contextClaims: ['cognito:groups', 'username'],
        }),
      ],
    };
  });
  expect(env).toMatchObject({
    COGNITO_PERMISSION_CLAIMS: 'cognito:groups,custom_permissions',
    COGNITO_REQUIRED_CLAIMS: '{"custom:tenant":"acme"}',
    COGNITO_CONTEXT_CLAIMS: 'cognito:groups,username',
  });
  expect(env).not.toHaveProperty('PERMISSION_CLAIMS');
});

describe('bad claim options fail the synth, naming the construct, the issuer and the option', () => {
  type Claims = Parameters<typeof Issuer.oidc>[1];
  const auth0 = (claims: Partial<Claims>): JwtAuthorizerProps => ({
    issuers: [Issuer.oidc(ISSUER, { audience: AUDIENCE, ...claims })],
  });
  const pool = (stack: Stack) => new cognito.UserPool(stack, 'Pool');
  const NAME_FIX = 'Use a claim name such as "roles", or a dotted path such as "realm_access.roles".';
  const VALUE_FIX =
    'Require a string, a number (integers within ±9007199254740991, which JavaScript holds exactly), a ' +
    'boolean, or a list of accepted ones, e.g. { email_verified: true }.';
  const ROUNDED =
    'must not be an integer beyond ±9007199254740991, which a JavaScript number cannot hold exactly (its ' +
    'neighbours round to the same number); got';
  const CONTEXT_FIX =
    'Copy each claim once, and none that becomes a key the authorizer sets (sub, issuer, scope, ...).';

  test.each<[string, (stack: Stack) => JwtAuthorizerProps, string, string]>([
    [
      'an empty permission claim name',
      () => auth0({ permissionClaims: ['roles', ''] }),
      'issuers[0].permissionClaims[1]',
      `issuers[0].permissionClaims[1] is an empty claim name; got "". ${NAME_FIX}`,
    ],
    [
      'an empty claim name in a second issuer',
      () => ({
        issuers: [
          Issuer.oidc(ISSUER, { audience: AUDIENCE }),
          Issuer.oidc(ENTRA, { audience: ['x'], permissionClaims: [''] }),
        ],
      }),
      'issuers[1].permissionClaims[0]',
      `issuers[1].permissionClaims[0] is an empty claim name; got "". ${NAME_FIX}`,
    ],
    [
      'a path through __proto__',
      () => auth0({ permissionClaims: ['realm_access.__proto__'] }),
      'issuers[0].permissionClaims[0]',
      `issuers[0].permissionClaims[0] names "__proto__", which no claim path may follow; got "realm_access.__proto__". ${NAME_FIX}`,
    ],
    [
      'a Cognito claim name with a comma, which its variable cannot carry',
      (stack) => {
        const userPool = pool(stack);
        return {
          issuers: [
            Issuer.cognito(userPool, { clients: [userPool.addClient('C')], permissionClaims: ['a,b'] }),
          ],
        };
      },
      'issuers[0].permissionClaims[0]',
      'issuers[0].permissionClaims[0] contains a comma, which a Cognito issuer\'s claim list cannot carry; got "a,b". Use a claim name without a comma.',
    ],
    [
      'scope as a permission claim',
      () => auth0({ permissionClaims: ['scope'] }),
      'issuers[0].permissionClaims[0]',
      'issuers[0].permissionClaims[0] is "scope", which always counts. Leave it out.',
    ],
    [
      'a required claim whose value is an object',
      () => auth0({ requiredClaims: { org: { id: 'acme' } as never } }),
      'issuers[0].requiredClaims.org',
      `issuers[0].requiredClaims.org must be a string, a number, a boolean or an array of them; got {"id":"acme"} (objects and nested arrays cannot be required). ${VALUE_FIX}`,
    ],
    [
      'a required claim with an empty name',
      () => auth0({ requiredClaims: { '': true } }),
      'issuers[0].requiredClaims[""]',
      `issuers[0].requiredClaims[""] is an empty claim name. ${VALUE_FIX}`,
    ],
    [
      'an empty list of accepted values',
      () => auth0({ requiredClaims: { acr: [] } }),
      'issuers[0].requiredClaims.acr',
      `issuers[0].requiredClaims.acr must list at least one accepted value; got []. ${VALUE_FIX}`,
    ],
    [
      // The literal 1234567890123456789 is 1234567890123456768 to JavaScript before the construct sees it.
      'a required tenant id JavaScript has rounded',
      () => auth0({ requiredClaims: { tenant: Number('1234567890123456789') } }),
      'issuers[0].requiredClaims.tenant',
      `issuers[0].requiredClaims.tenant ${ROUNDED} 1234567890123456800. ${VALUE_FIX}`,
    ],
    [
      'an accepted value beyond 2^53 in a second issuer',
      () => ({
        issuers: [
          Issuer.oidc(ISSUER, { audience: AUDIENCE }),
          Issuer.oidc(ENTRA, { audience: ['x'], requiredClaims: { oid: ['a', 2 ** 60] } }),
        ],
      }),
      'issuers[1].requiredClaims.oid',
      `issuers[1].requiredClaims.oid ${ROUNDED} 1152921504606847000. ${VALUE_FIX}`,
    ],
    [
      'a user pool required claim of -2^53',
      (stack) => {
        const userPool = pool(stack);
        return {
          issuers: [
            Issuer.cognito(userPool, {
              clients: [userPool.addClient('C')],
              requiredClaims: { 'custom:n': -(2 ** 53) },
            }),
          ],
        };
      },
      'issuers[0].requiredClaims["custom:n"]',
      `issuers[0].requiredClaims["custom:n"] ${ROUNDED} -9007199254740992. ${VALUE_FIX}`,
    ],
    [
      'a context claim that takes a built-in key',
      () => auth0({ contextClaims: ['issuer'] }),
      'issuers[0].contextClaims[0]',
      `issuers[0].contextClaims[0] gives the context key "issuer", which the authorizer sets itself; got "issuer". ${CONTEXT_FIX}`,
    ],
    [
      'two context claims with one key',
      () => auth0({ contextClaims: ['cognito:groups', 'cognito_groups'] }),
      'issuers[0].contextClaims[1]',
      `issuers[0].contextClaims[1] gives the context key "cognito_groups", as "cognito:groups" does already; got "cognito_groups". ${CONTEXT_FIX}`,
    ],
    [
      'a user pool context claim that takes a built-in key',
      (stack) => {
        const userPool = pool(stack);
        return {
          issuers: [Issuer.cognito(userPool, { clients: [userPool.addClient('C')], contextClaims: ['sub'] })],
        };
      },
      'issuers[0].contextClaims[0]',
      `issuers[0].contextClaims[0] gives the context key "sub", which the authorizer sets itself; got "sub". ${CONTEXT_FIX}`,
    ],
  ])('%s', (_name, props, subject, message) => {
    const stack = new Stack(fastApp(), 'Test');
    let error: unknown;
    try {
      new JwtAuthorizer(stack, 'Jwt', props(stack));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InfraConfigError);
    expect(error).toMatchObject({
      name: 'InfraConfigError',
      code: 'INVALID_PROP',
      subject,
      message: `Test/Jwt: ${message}`,
    });
  });
});

test('an OIDC issuer with a comma in a claim name travels in ISSUERS, which can carry it', () => {
  const env = synthEnvironment(() => ({
    issuers: [Issuer.oidc(ISSUER, { audience: AUDIENCE, permissionClaims: ['https://example\\.com/a,b'] })],
  }));
  expect(env).not.toHaveProperty('ISSUER');
  expect(JSON.parse(env.ISSUERS as string)).toEqual([
    { issuer: ISSUER, audience: AUDIENCE, permissionClaims: ['https://example\\.com/a,b'] },
  ]);
});
