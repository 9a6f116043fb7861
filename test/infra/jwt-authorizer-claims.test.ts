// JwtAuthorizer's claim props per issuer (permissionClaims, requiredClaims, contextClaims, the Cognito groups
// option): what they render for the Lambda, read back by the Lambda's own parseConfig, and the synth errors
// that name the prop.
import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { parseConfig } from '../../lambda/authorizer';
import { InfraConfigError, JwtAuthorizer, type JwtAuthorizerProps } from '../../infra/constructs';
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

test('every claim prop of `issuer` and of an `issuers` entry reaches the Lambda, which reads it back', () => {
  const { env, files } = synthesize(() => ({
    issuer: ISSUER,
    audience: AUDIENCE,
    permissionClaims: ['permissions', 'https://example\\.com/roles'],
    requiredClaims: { email_verified: true, 'org.tier': ['gold', 'silver'] },
    contextClaims: ['email', 'https://example\\.com/tenant'],
    issuers: [
      {
        issuer: ENTRA,
        audience: ['api://items'],
        permissionClaims: ['roles'],
        requiredClaims: { tid: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
        contextClaims: ['tid', 'azp'],
      },
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
    issuer: ISSUER,
    audience: AUDIENCE,
    requiredClaims: { level: accepted },
  }));
  expect(env.REQUIRED_CLAIMS).toBe('{"level":[9007199254740991,-9007199254740991,0.1,1e-7,2.5]}');
  const [issuer] = parseConfig(env, { read: (path) => files[path] ?? '' }).issuers;
  expect(issuer?.requiredClaims?.[0]?.accepted).toStrictEqual(accepted);
});

test('no claim props, no claim variables', () => {
  const env = synthEnvironment(() => ({
    issuer: ISSUER,
    audience: AUDIENCE,
    issuers: [{ issuer: ENTRA, audience: ['x'] }],
  }));
  expect(Object.keys(env).filter((k) => k.includes('CLAIMS'))).toEqual([]);
  expect(JSON.parse(env.ISSUERS as string)).toEqual([{ issuer: ENTRA, audience: ['x'] }]);
});

test('Cognito: userPoolGroupsAsPermissions is one line for `cognito:groups` as permissions', () => {
  const env = synthEnvironment((stack) => {
    const userPool = new cognito.UserPool(stack, 'Pool');
    return {
      userPool,
      userPoolClients: [userPool.addClient('Client')],
      userPoolGroupsAsPermissions: true,
      userPoolPermissionClaims: ['custom_permissions', 'cognito:groups'],
      userPoolRequiredClaims: { 'custom:tenant': 'acme' },
      userPoolContextClaims: ['cognito:groups', 'username'],
    };
  });
  expect(env).toMatchObject({
    COGNITO_PERMISSION_CLAIMS: 'cognito:groups,custom_permissions',
    COGNITO_REQUIRED_CLAIMS: '{"custom:tenant":"acme"}',
    COGNITO_CONTEXT_CLAIMS: 'cognito:groups,username',
  });
  expect(env).not.toHaveProperty('PERMISSION_CLAIMS');
});

describe('bad claim props fail the synth, naming the prop', () => {
  const base = { issuer: ISSUER, audience: AUDIENCE };
  const pool = (stack: Stack) => new cognito.UserPool(stack, 'Pool');
  const NAME_FIX = 'Use a claim name such as "roles", or a dotted path such as "realm_access.roles".';
  const VALUE_FIX =
    'Require a string, a number (integers within ±9007199254740991, which JavaScript holds exactly), a ' +
    'boolean, or a list of accepted ones, e.g. { email_verified: true }.';
  const ROUNDED =
    'must not be an integer beyond ±9007199254740991, which a JavaScript number cannot hold exactly (its ' +
    'neighbours round to the same number); got';

  test.each<[string, (stack: Stack) => JwtAuthorizerProps, string, string]>([
    [
      'an empty permission claim name',
      () => ({ ...base, permissionClaims: ['roles', ''] }),
      'permissionClaims[1]',
      `JwtAuthorizer: permissionClaims[1] is an empty claim name; got "". ${NAME_FIX}`,
    ],
    [
      'an empty claim name in an issuers entry',
      () => ({ ...base, issuers: [{ issuer: ENTRA, audience: ['x'], permissionClaims: [''] }] }),
      'issuers[0].permissionClaims[0]',
      `JwtAuthorizer: issuers[0].permissionClaims[0] is an empty claim name; got "". ${NAME_FIX}`,
    ],
    [
      'a path through __proto__',
      () => ({ ...base, permissionClaims: ['realm_access.__proto__'] }),
      'permissionClaims[0]',
      `JwtAuthorizer: permissionClaims[0] names "__proto__", which no claim path may follow; got "realm_access.__proto__". ${NAME_FIX}`,
    ],
    [
      'a claim name with a comma, which the variable cannot carry',
      () => ({ ...base, permissionClaims: ['a,b'] }),
      'permissionClaims[0]',
      'JwtAuthorizer: permissionClaims[0] contains a comma; got "a,b". Give this issuer through `issuers` instead.',
    ],
    [
      'scope as a permission claim',
      () => ({ ...base, permissionClaims: ['scope'] }),
      'permissionClaims[0]',
      'JwtAuthorizer: permissionClaims[0] is "scope", which always counts. Leave it out.',
    ],
    [
      'a required claim whose value is an object',
      () => ({ ...base, requiredClaims: { org: { id: 'acme' } as never } }),
      'requiredClaims.org',
      `JwtAuthorizer: requiredClaims.org must be a string, a number, a boolean or an array of them; got {"id":"acme"} (objects and nested arrays cannot be required). ${VALUE_FIX}`,
    ],
    [
      'a required claim in an issuers entry whose value is an object',
      () => ({
        ...base,
        issuers: [{ issuer: ENTRA, audience: ['x'], requiredClaims: { tid: { not: 'a value' } as never } }],
      }),
      'issuers[0].requiredClaims.tid',
      `JwtAuthorizer: issuers[0].requiredClaims.tid must be a string, a number, a boolean or an array of them; got {"not":"a value"} (objects and nested arrays cannot be required). ${VALUE_FIX}`,
    ],
    [
      'a required claim with an empty name',
      () => ({ ...base, requiredClaims: { '': true } }),
      'requiredClaims[""]',
      `JwtAuthorizer: requiredClaims[""] is an empty claim name. ${VALUE_FIX}`,
    ],
    [
      'an empty list of accepted values',
      () => ({ ...base, requiredClaims: { acr: [] } }),
      'requiredClaims.acr',
      `JwtAuthorizer: requiredClaims.acr must list at least one accepted value; got []. ${VALUE_FIX}`,
    ],
    [
      // The literal 1234567890123456789 is 1234567890123456768 to JavaScript before the construct sees it.
      'a required tenant id JavaScript has rounded',
      () => ({ ...base, requiredClaims: { tenant: Number('1234567890123456789') } }),
      'requiredClaims.tenant',
      `JwtAuthorizer: requiredClaims.tenant ${ROUNDED} 1234567890123456800. ${VALUE_FIX}`,
    ],
    [
      'an accepted value beyond 2^53 in an issuers entry',
      () => ({
        ...base,
        issuers: [{ issuer: ENTRA, audience: ['x'], requiredClaims: { oid: ['a', 2 ** 60] } }],
      }),
      'issuers[0].requiredClaims.oid',
      `JwtAuthorizer: issuers[0].requiredClaims.oid ${ROUNDED} 1152921504606847000. ${VALUE_FIX}`,
    ],
    [
      'a user pool required claim of -2^53',
      (stack) => {
        const userPool = pool(stack);
        return {
          userPool,
          userPoolClients: [userPool.addClient('C')],
          userPoolRequiredClaims: { 'custom:n': -(2 ** 53) },
        };
      },
      'userPoolRequiredClaims["custom:n"]',
      `JwtAuthorizer: userPoolRequiredClaims["custom:n"] ${ROUNDED} -9007199254740992. ${VALUE_FIX}`,
    ],
    [
      'a context claim that takes a built-in key',
      () => ({ ...base, contextClaims: ['issuer'] }),
      'contextClaims[0]',
      'JwtAuthorizer: contextClaims[0] gives the context key "issuer", which the authorizer sets itself; got "issuer". Copy each claim once, and none that becomes a key the authorizer sets (sub, issuer, scope, ...).',
    ],
    [
      'two context claims with one key',
      () => ({ ...base, contextClaims: ['cognito:groups', 'cognito_groups'] }),
      'contextClaims[1]',
      'JwtAuthorizer: contextClaims[1] gives the context key "cognito_groups", as "cognito:groups" does already; got "cognito_groups". Copy each claim once, and none that becomes a key the authorizer sets (sub, issuer, scope, ...).',
    ],
    [
      'claim props without issuer',
      () => ({ issuers: [{ issuer: ENTRA, audience: ['x'] }], permissionClaims: ['roles'] }),
      'issuer',
      'JwtAuthorizer: issuer is required when permissionClaims is set; got undefined. Pass the issuer URL exactly as it appears in the `iss` claim.',
    ],
    [
      'the groups option without a user pool',
      () => ({ ...base, userPoolGroupsAsPermissions: true }),
      'userPoolGroupsAsPermissions',
      'JwtAuthorizer: userPoolGroupsAsPermissions is set without userPool, so it would do nothing. Pass userPool and userPoolClients too, or leave it out.',
    ],
    [
      'a user pool context claim that takes a built-in key',
      (stack) => {
        const userPool = pool(stack);
        return { userPool, userPoolClients: [userPool.addClient('C')], userPoolContextClaims: ['sub'] };
      },
      'userPoolContextClaims[0]',
      'JwtAuthorizer: userPoolContextClaims[0] gives the context key "sub", which the authorizer sets itself; got "sub". Copy each claim once, and none that becomes a key the authorizer sets (sub, issuer, scope, ...).',
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
    expect(error).toMatchObject({ name: 'InfraConfigError', code: 'INVALID_PROP', subject, message });
  });
});
