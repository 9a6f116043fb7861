// The JwtAuthorizer construct on its own: what it deploys, the Lambda's environment, the gateway responses,
// route protection from one table, and the constructor's prop checks.
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteRule } from '../../lambda/routes';
import {
  CorsOrigin,
  GATEWAY_RESPONSES,
  IDENTITY_VALIDATION_EXPRESSION,
  InfraConfigError,
  JWT_AUTHORIZER_DEFAULTS,
  Issuer,
  JwksWarmUp,
  JwtAuthorizer,
  LogLevel,
  gatewayResponseBody,
} from '../../infra/constructs';
import type { JwtAuthorizerProps } from '../../infra/constructs';
import { constructContract } from '../../local/construct-contract';
import { authorizerAssetFiles, fastApp } from './synth-context';

const ISSUER = 'https://issuer.example.com/';
const AUDIENCE = ['https://api.example.com'];
const BASE: JwtAuthorizerProps = { issuers: [Issuer.oidc(ISSUER, { audience: AUDIENCE })] };
const ROUTES: readonly RouteRule[] = [
  { method: 'GET', path: '/orders', scopes: ['orders:read'] },
  { method: 'POST', path: '/orders', scopes: ['orders:write'] },
  { method: 'DELETE', path: '/orders/{id}', scopes: ['orders:write', 'orders:admin'] },
];

interface Fixture {
  readonly stack: Stack;
  readonly api: apigw.RestApi;
}

function fixture(): Fixture {
  const stack = new Stack(fastApp(), 'Test');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  return { stack, api };
}

function mock(): apigw.Integration {
  return new apigw.MockIntegration();
}

/** The authorizer Lambda (the only function with a ROUTES_FILE variable). */
function authorizerFunction(
  template: Template,
): { Environment: { Variables: Record<string, unknown> } } & Record<string, unknown> {
  const found = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { ROUTES_FILE: Match.anyValue() } } },
    }),
  );
  expect(found).toHaveLength(1);
  return (found[0] as { Properties: never }).Properties;
}

describe('issuer mode with defaults', () => {
  let template: Template;
  let jwt: JwtAuthorizer;
  let stack: Stack;

  beforeAll(() => {
    let api: apigw.RestApi;
    ({ stack, api } = fixture());
    jwt = new JwtAuthorizer(stack, 'Jwt', BASE);
    jwt.addRoutes(api, ROUTES.slice(0, 2), mock);
    // Added after the first call: the route file is written at synth, so it still carries this one.
    jwt.addMethod(api.root.resourceForPath('/orders/{id}'), 'DELETE', mock(), {
      scopes: [...(ROUTES[2]?.scopes ?? [])],
    });
    template = Template.fromStack(stack);
  });

  test('creates a TOKEN authorizer on the Authorization header with the validation expression and 300 s cache', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: IDENTITY_VALIDATION_EXPRESSION,
      AuthorizerResultTtlInSeconds: 300,
      AuthorizerUri: Match.anyValue(),
    });
    expect(jwt.resultsCacheTtl.toSeconds()).toBe(300);
  });

  test('the Lambda runs Node 24 on arm64 with 256 MiB and 5 s', () => {
    const fn = authorizerFunction(template);
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 5,
    });
    expect(fn).toMatchObject({ TracingConfig: { Mode: 'Active' } });
  });

  test('the environment has exactly the issuer settings and the routes that were protected', () => {
    const { Variables } = authorizerFunction(template).Environment;
    expect(Object.keys(Variables).sort()).toEqual([
      'AUDIENCE',
      'ISSUER',
      'LOG_LEVEL',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'ROUTES_FILE',
    ]);
    expect(Variables).toMatchObject({
      ISSUER,
      AUDIENCE: 'https://api.example.com',
      LOG_LEVEL: 'info',
      // Metrics go to the default namespace, told apart from other authorizers' by the construct's path.
      POWERTOOLS_METRICS_NAMESPACE: 'BearerGate',
      POWERTOOLS_SERVICE_NAME: 'Test/Jwt',
      ROUTES_FILE: 'routes.json',
    });
    expect(JSON.parse(authorizerAssetFiles(stack)['routes.json'] ?? '')).toEqual(ROUTES);
    expect(jwt.routes).toEqual(ROUTES);
  });

  test('every method uses the custom authorizer', () => {
    const methods = template.findResources('AWS::ApiGateway::Method');
    expect(Object.keys(methods)).toHaveLength(3);
    for (const method of Object.values(methods)) {
      expect(method).toMatchObject({
        Properties: {
          AuthorizationType: 'CUSTOM',
          AuthorizerId: { Ref: expect.stringMatching(/^JwtAuthorizer/) },
        },
      });
    }
  });

  test('the log group writes are the only permission of its role besides tracing', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JwtHandlerLogGroup'), 'Arn'] },
          }),
        ]),
      },
    });
  });

  test('adds every gateway response of the contract, with quoted headers and the JSON body', () => {
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', GATEWAY_RESPONSES.length);
    for (const response of GATEWAY_RESPONSES) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: response.type,
        StatusCode: response.statusCode === undefined ? Match.absent() : String(response.statusCode),
        ResponseParameters: Object.fromEntries(
          Object.entries(response.headers).map(([k, v]) => [`gatewayresponse.header.${k}`, `'${v}'`]),
        ),
        ResponseTemplates: { 'application/json': gatewayResponseBody(response) },
      });
    }
  });

  test("bodies say about:blank and CORS allows and exposes only the authorizer's own headers by default", () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Access-Control-Allow-Headers': "'Authorization,Content-Type'",
        'gatewayresponse.header.Access-Control-Expose-Headers': "'WWW-Authenticate,Retry-After'",
      }),
      ResponseTemplates: {
        'application/json': Match.serializedJson(
          Match.objectLike({ type: 'about:blank', code: 'INVALID_TOKEN' }),
        ),
      },
    });
  });

  test('401 carries WWW-Authenticate invalid_token, 403 insufficient_scope, failures 503 with Retry-After', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.WWW-Authenticate': `'Bearer error="invalid_token"'`,
        'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.WWW-Authenticate': `'Bearer error="insufficient_scope"'`,
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'AUTHORIZER_FAILURE',
      StatusCode: '503',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': "'5'" }),
    });
  });
});

describe('Cognito mode and tuned props', () => {
  let template: Template;
  let stack: Stack;

  beforeAll(() => {
    let api: apigw.RestApi;
    ({ stack, api } = fixture());
    const userPool = new cognito.UserPool(stack, 'Pool');
    const web = userPool.addClient('Web');
    const cli = userPool.addClient('Cli');
    const jwt = new JwtAuthorizer(stack, 'Jwt', {
      issuers: [
        Issuer.cognito(userPool, { clients: [web, cli] }),
        Issuer.oidc('https://login.example.org', {
          audience: ['a', 'b'],
          jwksUri: 'https://keys.example.org/jwks',
        }),
      ],
      routes: [{ method: 'GET', path: '/elsewhere', scopes: [] }],
      resultsCacheTtl: Duration.minutes(10),
      tokenTypes: ['at+jwt', 'application/at+jwt'],
      clockSkew: Duration.seconds(10),
      maxTokenBytes: 4096,
      logLevel: LogLevel.DEBUG,
      jwksWarmUp: JwksWarmUp.INIT,
      architecture: lambda.Architecture.X86_64,
      memorySize: 512,
      timeout: Duration.seconds(3),
      authorizerName: 'jwt',
      corsAllowOrigin: CorsOrigin.of('https://app.example.com'),
      corsAllowHeaders: ['Authorization', 'Idempotency-Key'],
      corsExposeHeaders: ['WWW-Authenticate', 'Retry-After', 'Location'],
      problemTypeBase: 'https://errors.example.com/',
    });
    jwt.addRoutes(api, ROUTES.slice(0, 1), mock);
    template = Template.fromStack(stack);
  });

  test('passes the pool and every client to the Lambda', () => {
    const { Variables } = authorizerFunction(template).Environment;
    expect(Variables.COGNITO_USER_POOL_ID).toEqual({ Ref: expect.stringMatching(/^Pool/) });
    expect(Variables.COGNITO_CLIENT_ID).toEqual({
      'Fn::Join': [
        '',
        [{ Ref: expect.stringMatching(/^PoolWeb/) }, ',', { Ref: expect.stringMatching(/^PoolCli/) }],
      ],
    });
  });

  test('passes the OIDC issuer, token types, skew, size, log level and JWKS warm-up', () => {
    const { Variables } = authorizerFunction(template).Environment;
    expect(Variables).toMatchObject({
      ISSUER: 'https://login.example.org',
      AUDIENCE: 'a,b',
      JWKS_URI: 'https://keys.example.org/jwks',
      TOKEN_TYPES: 'at+jwt,application/at+jwt',
      CLOCK_SKEW_SECONDS: '10',
      MAX_TOKEN_BYTES: '4096',
      LOG_LEVEL: 'debug',
      JWKS_WARM_UP: 'init',
    });
    expect(Variables).not.toHaveProperty('ISSUERS');
  });

  test('the route file holds the routes prop and the added routes', () => {
    expect(JSON.parse(authorizerAssetFiles(stack)['routes.json'] ?? '')).toEqual([
      { method: 'GET', path: '/elsewhere', scopes: [] },
      { method: 'GET', path: '/orders', scopes: ['orders:read'] },
    ]);
  });

  test("the gateway responses carry the API's CORS headers and problem type URIs", () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Access-Control-Allow-Headers': "'Authorization,Idempotency-Key'",
        'gatewayresponse.header.Access-Control-Expose-Headers': "'WWW-Authenticate,Retry-After,Location'",
      }),
      ResponseTemplates: {
        'application/json': Match.serializedJson(
          Match.objectLike({
            type: 'https://errors.example.com/insufficient-scope',
            code: 'INSUFFICIENT_SCOPE',
          }),
        ),
      },
    });
  });

  test('applies the cache TTL, name, architecture, memory, timeout and CORS origin', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      AuthorizerResultTtlInSeconds: 600,
      Name: 'jwt',
    });
    expect(authorizerFunction(template)).toMatchObject({
      Architectures: ['x86_64'],
      MemorySize: 512,
      Timeout: 3,
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
      }),
    });
  });
});

test.each([
  [JwksWarmUp.AUTO, 'auto'],
  [JwksWarmUp.INIT, 'init'],
  [JwksWarmUp.OFF, 'off'],
])("jwksWarmUp %s is the Lambda's JWKS_WARM_UP=%s", (jwksWarmUp, variable) => {
  const { stack, api } = fixture();
  new JwtAuthorizer(stack, 'Jwt', { ...BASE, jwksWarmUp }).addRoutes(api, ROUTES.slice(0, 1), mock);
  expect(authorizerFunction(Template.fromStack(stack)).Environment.Variables.JWKS_WARM_UP).toBe(variable);
});

test('a zero TTL turns the result cache off', () => {
  const { stack, api } = fixture();
  const jwt = new JwtAuthorizer(stack, 'Jwt', { ...BASE, resultsCacheTtl: Duration.seconds(0) });
  jwt.addRoutes(api, ROUTES, mock);
  Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
    AuthorizerResultTtlInSeconds: 0,
  });
});

test("the construct's defaults are the ones the local gateway reproduces (local/construct-contract.ts)", () => {
  const { stack } = fixture();
  const table = new dynamodb.Table(stack, 'Revocations', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const plain = new JwtAuthorizer(stack, 'Plain', BASE);
  const revocable = new JwtAuthorizer(stack, 'Revocable', { ...BASE, revocationTable: table });
  const local = constructContract();
  expect([plain.resultsCacheTtl.toSeconds(), revocable.maxRevocationDelay?.toSeconds()]).toEqual([
    local.defaultCacheTtlSeconds,
    local.defaultMaxRevocationDelaySeconds,
  ]);
  expect([
    JWT_AUTHORIZER_DEFAULTS.resultsCacheTtl.toSeconds(),
    JWT_AUTHORIZER_DEFAULTS.maxRevocationDelay.toSeconds(),
  ]).toEqual([local.defaultCacheTtlSeconds, local.defaultMaxRevocationDelaySeconds]);
});

describe('revocation', () => {
  function withRevocation(props: Partial<JwtAuthorizerProps>, ttl?: Duration) {
    const { stack, api } = fixture();
    const key = new kms.Key(stack, 'Key');
    const table = new dynamodb.Table(stack, 'Revocations', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
    });
    new dynamodb.Table(stack, 'Other', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const jwt = new JwtAuthorizer(stack, 'Jwt', {
      ...BASE,
      revocationTable: table,
      ...(ttl === undefined ? {} : { resultsCacheTtl: ttl }),
      ...props,
    });
    jwt.addRoutes(api, ROUTES, mock);
    return { jwt, template: Template.fromStack(stack) };
  }

  test('bundles the revocable handler, and sets REVOCATION_TABLE and REVOCATION_REQUIRE_JTI=true by default', () => {
    const { jwt, template } = withRevocation({});
    expect(jwt.variant).toBe('revocable');
    const { Variables } = authorizerFunction(template).Environment;
    expect(Variables).toMatchObject({
      REVOCATION_TABLE: { Ref: expect.stringMatching(/^Revocations/) },
      REVOCATION_REQUIRE_JTI: 'true',
    });
  });

  test('revocationRequireJti: false lets tokens without jti fall back to the subject cut-off', () => {
    const { Variables } = authorizerFunction(
      withRevocation({ revocationRequireJti: false }).template,
    ).Environment;
    expect(Variables.REVOCATION_REQUIRE_JTI).toBe('false');
  });

  test('grants BatchGetItem and GetItem on that table only, and decrypt with its key', () => {
    const { template } = withRevocation({});
    const statements = (
      Object.values(template.findResources('AWS::IAM::Policy')) as {
        Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
      }[]
    ).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^Revocations/), 'Arn'] }],
      }),
    ]);
    const kmsActions = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect(kmsActions).toEqual([
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      }),
    ]);
  });

  test.each<[string, Duration | undefined, Duration | undefined, number]>([
    ['default 300 s cache, default 60 s delay', undefined, undefined, 60],
    ['a shorter cache is kept', Duration.seconds(20), undefined, 20],
    ['the delay caps a longer cache', Duration.minutes(10), Duration.seconds(90), 90],
    ['a zero cache stays off', Duration.seconds(0), Duration.seconds(30), 0],
  ])('result cache TTL: %s', (_name, ttl, delay, expected) => {
    const { jwt, template } = withRevocation(delay === undefined ? {} : { maxRevocationDelay: delay }, ttl);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: expected });
    expect(jwt.resultsCacheTtl.toSeconds()).toBe(expected);
    expect(jwt.maxRevocationDelay?.toSeconds()).toBe(delay?.toSeconds() ?? 60);
  });

  test('without a table, nothing about revocation is set and the cache TTL is as given', () => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', BASE);
    jwt.addRoutes(api, ROUTES, mock);
    const { Variables } = authorizerFunction(Template.fromStack(stack)).Environment;
    expect(Variables).not.toHaveProperty('REVOCATION_TABLE');
    expect(Variables).not.toHaveProperty('REVOCATION_REQUIRE_JTI');
    expect([jwt.resultsCacheTtl.toSeconds(), jwt.maxRevocationDelay]).toEqual([300, undefined]);
    expect(jwt.variant).toBe('plain');
  });
});

test('Cognito mode with a resource server passes its identifier and a slash as COGNITO_SCOPE_PREFIX', () => {
  const { stack, api } = fixture();
  const userPool = new cognito.UserPool(stack, 'Pool');
  const userPoolResourceServer = userPool.addResourceServer('Api', { identifier: 'items-api' });
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuers: [
      Issuer.cognito(userPool, {
        clients: [userPool.addClient('Cli')],
        resourceServer: userPoolResourceServer,
      }),
    ],
  });
  jwt.addRoutes(api, ROUTES, mock);
  expect(authorizerFunction(Template.fromStack(stack)).Environment.Variables.COGNITO_SCOPE_PREFIX).toEqual({
    'Fn::Join': ['', [{ Ref: expect.stringMatching(/^PoolApi/) }, '/']],
  });
});

describe('prop validation', () => {
  const pool = (stack: Stack): cognito.UserPool => new cognito.UserPool(stack, 'Pool');
  const table = (stack: Stack): dynamodb.Table =>
    new dynamodb.Table(stack, 'Revocations', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
  const oidc = (issuer: string, options: Partial<{ audience: string[]; jwksUri: string }> = {}) =>
    Issuer.oidc(issuer, { audience: AUDIENCE, ...options });
  const AUDIENCE_FIX = "Pass the API's identifier, e.g. ['https://api.example.com'].";
  const ISSUERS_FIX = "Pass issuers: [Issuer.oidc('https://example.eu.auth0.com/', { audience: [...] })].";
  const TTL_FIX =
    "Use at most Duration.hours(1) (API Gateway's limit), or Duration.seconds(0) to turn the cache off.";
  const DELAY_FIX =
    'It caps the result cache TTL: use from Duration.seconds(1) to Duration.hours(1) (the cache maximum).';
  const TYPE_FIX = 'Use media type names such as "at+jwt" or "application/at+jwt" (RFC 9068).';
  const HEADER_FIX = 'List each header name as its own entry, e.g. ["Authorization", "Content-Type"].';
  const URI_FIX = 'Use a prefix such as "https://errors.example.com/" or "tag:example.com,2026:problem:".';
  const ISSUER_ID_FIX =
    'Pass the issuer exactly as the `iss` claim has it; identifiers with a query or fragment are not valid issuers.';

  // Each case: the props, the prop the error names, and the message after "Test/Jwt: ".
  test.each<[string, (stack: Stack) => JwtAuthorizerProps, string, string]>([
    [
      'TTL over an hour',
      () => ({ ...BASE, resultsCacheTtl: Duration.hours(2) }),
      'resultsCacheTtl',
      `resultsCacheTtl must be a whole number of seconds from 0 to 3600; got 7200 seconds. ${TTL_FIX}`,
    ],
    [
      'fractional TTL',
      () => ({ ...BASE, resultsCacheTtl: Duration.millis(1500) }),
      'resultsCacheTtl',
      `resultsCacheTtl must be a whole number of seconds from 0 to 3600; got 1.5 seconds. ${TTL_FIX}`,
    ],
    [
      'no issuers at all (a JavaScript caller)',
      () => ({}) as JwtAuthorizerProps,
      'issuers',
      `issuers must list at least one issuer; got undefined. ${ISSUERS_FIX}`,
    ],
    [
      'empty issuers',
      () => ({ issuers: [] }),
      'issuers',
      `issuers must list at least one issuer; got []. ${ISSUERS_FIX}`,
    ],
    [
      'an issuers entry that is not an Issuer',
      () => ({ issuers: [{ issuer: ISSUER } as never] }),
      'issuers[0]',
      `issuers[0] must be made by Issuer.oidc() or Issuer.cognito(); got {"issuer":"${ISSUER}"}. ${ISSUERS_FIX}`,
    ],
    [
      'an issuers entry that is a construct (a JavaScript caller)',
      (stack) => ({ issuers: [pool(stack) as never] }),
      'issuers[0]',
      `issuers[0] must be made by Issuer.oidc() or Issuer.cognito(); got the construct Test/Pool. ${ISSUERS_FIX}`,
    ],
    [
      'an OIDC issuer without audience (a JavaScript caller)',
      () => ({ issuers: [Issuer.oidc(ISSUER, {} as never)] }),
      'issuers[0].audience',
      `issuers[0].audience is required; got undefined. ${AUDIENCE_FIX}`,
    ],
    [
      'empty audience',
      () => ({ issuers: [oidc(ISSUER, { audience: [] })] }),
      'issuers[0].audience',
      `issuers[0].audience must not be empty. ${AUDIENCE_FIX}`,
    ],
    [
      'audience with a comma',
      () => ({ issuers: [oidc(ISSUER, { audience: ['a,b'] })] }),
      'issuers[0].audience[0]',
      `issuers[0].audience[0] must be non-empty and contain no commas; got "a,b". ${AUDIENCE_FIX}`,
    ],
    [
      'http issuer without jwksUri',
      () => ({ issuers: [oidc('http://issuer.example.com')] }),
      'issuers[0].issuer',
      'issuers[0].issuer must be an absolute https URL; got "http://issuer.example.com". Use the https issuer URL, or pass jwksUri explicitly.',
    ],
    [
      'http jwksUri',
      () => ({ issuers: [oidc(ISSUER, { jwksUri: 'http://issuer.example.com/jwks' })] }),
      'issuers[0].jwksUri',
      `issuers[0].jwksUri must be an absolute https URL; got "http://issuer.example.com/jwks". Use the https URL of the issuer's JWKS.`,
    ],
    [
      'issuer with a fragment',
      () => ({ issuers: [oidc('https://issuer.example.com/#tenant')] }),
      'issuers[0].issuer',
      `issuers[0].issuer must be an issuer identifier without a query or fragment ("?", "#"); got "https://issuer.example.com/#tenant". ${ISSUER_ID_FIX}`,
    ],
    [
      'a second issuer with a query',
      () => ({ issuers: [oidc(ISSUER), oidc('https://other.example.com/?t=1')] }),
      'issuers[1].issuer',
      `issuers[1].issuer must be an issuer identifier without a query or fragment ("?", "#"); got "https://other.example.com/?t=1". ${ISSUER_ID_FIX}`,
    ],
    [
      'repeated issuer',
      () => ({ issuers: [oidc(ISSUER), oidc(ISSUER, { audience: ['x'] })] }),
      'issuers[1].issuer',
      `issuers[1].issuer repeats "${ISSUER}" (issuers[0]). Trust each issuer once, with all its audiences.`,
    ],
    [
      'a user pool without clients',
      (stack) => ({ issuers: [Issuer.cognito(pool(stack), { clients: [] })] }),
      'issuers[0].clients',
      'issuers[0].clients must list at least one app client; got []. Pass the app clients whose access tokens the API accepts.',
    ],
    [
      'two user pools',
      (stack) => {
        const other = new cognito.UserPool(stack, 'Other');
        return {
          issuers: [
            Issuer.cognito(pool(stack), {
              clients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'A', 'a')],
            }),
            Issuer.cognito(other, { clients: [other.addClient('B')] }),
          ],
        };
      },
      'issuers[1]',
      'issuers[1] is a second Cognito user pool (issuers[0] is one); an authorizer trusts at most one. Use one JwtAuthorizer per user pool, or trust the other pool with Issuer.oidc(<its issuer URL>, ...).',
    ],
    [
      'clock skew over 5 minutes',
      () => ({ ...BASE, clockSkew: Duration.minutes(10) }),
      'clockSkew',
      'clockSkew must be a whole number of seconds from 0 to 300; got 600 seconds. A few seconds to a minute covers real clock drift.',
    ],
    [
      'empty token types',
      () => ({ ...BASE, tokenTypes: [] }),
      'tokenTypes',
      `tokenTypes must not be empty. ${TYPE_FIX}`,
    ],
    [
      'token type with a space',
      () => ({ ...BASE, tokenTypes: ['at+jwt', 'at jwt'] }),
      'tokenTypes[1]',
      `tokenTypes[1] must be a media type name; got "at jwt". ${TYPE_FIX}`,
    ],
    [
      'memory below Lambda’s minimum',
      () => ({ ...BASE, memorySize: 64 }),
      'memorySize',
      'memorySize must be a whole number from 128 to 10240; got 64. Lambda accepts 128 to 10240 MiB.',
    ],
    [
      'timeout beyond API Gateway’s',
      () => ({ ...BASE, timeout: Duration.seconds(30) }),
      'timeout',
      'timeout must be a whole number of seconds from 1 to 29; got 30 seconds. API Gateway waits at most 29 seconds for an authorizer.',
    ],
    [
      'no reserved concurrency',
      () => ({ ...BASE, reservedConcurrentExecutions: 0 }),
      'reservedConcurrentExecutions',
      "reservedConcurrentExecutions must be a whole number of at least 1; got 0. With 0 every request would be throttled (503); leave it out to share the account's concurrency.",
    ],
    [
      'token size out of range',
      () => ({ ...BASE, maxTokenBytes: 100 }),
      'maxTokenBytes',
      'maxTokenBytes must be a whole number from 256 to 65536; got 100. Typical access tokens are 1 to 4 KB.',
    ],
    [
      'unknown log level (a JavaScript caller)',
      () => ({ ...BASE, logLevel: 'verbose' as never }),
      'logLevel',
      'logLevel must be one of LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR, LogLevel.SILENT; got "verbose". Leave it out for LogLevel.INFO.',
    ],
    [
      'unknown caching mode (a JavaScript caller)',
      () => ({ ...BASE, caching: 'sometimes' as never }),
      'caching',
      'caching must be one of CachingMode.AUTO, CachingMode.TOKEN, CachingMode.ROUTE; got "sometimes". Leave it out for CachingMode.AUTO.',
    ],
    [
      'unknown JWKS warm-up (a JavaScript caller)',
      () => ({ ...BASE, jwksWarmUp: 'always' as never }),
      'jwksWarmUp',
      'jwksWarmUp must be one of JwksWarmUp.AUTO, JwksWarmUp.INIT, JwksWarmUp.OFF; got "always". Leave it out for JwksWarmUp.AUTO.',
    ],
    [
      'unknown tracing mode (a JavaScript caller)',
      () => ({ ...BASE, tracing: 'On' as never }),
      'tracing',
      'tracing must be one of lambda.Tracing.ACTIVE, lambda.Tracing.PASS_THROUGH, lambda.Tracing.DISABLED; got "On". Leave it out for lambda.Tracing.ACTIVE.',
    ],
    [
      'CORS origin with a quote',
      () => ({ ...BASE, corsAllowOrigin: CorsOrigin.of("https://x'") }),
      'corsAllowOrigin',
      `corsAllowOrigin must be an origin without quotes or line breaks; got "https://x'". Use CorsOrigin.of("https://app.example.com").`,
    ],
    [
      'CORS origin as a string (a JavaScript caller)',
      () => ({ ...BASE, corsAllowOrigin: 'https://app.example.com' as never }),
      'corsAllowOrigin',
      'corsAllowOrigin must be CorsOrigin.ANY, CorsOrigin.NONE or CorsOrigin.of(origin); got "https://app.example.com". Use CorsOrigin.of("https://app.example.com").',
    ],
    [
      'CORS header name with a space',
      () => ({ ...BASE, corsAllowHeaders: ['Authorization', 'Idempotency Key'] }),
      'corsAllowHeaders[1]',
      `corsAllowHeaders[1] must be a header name (letters, digits and hyphens); got "Idempotency Key". ${HEADER_FIX}`,
    ],
    [
      'exposed headers as one comma-separated entry',
      () => ({ ...BASE, corsExposeHeaders: ['WWW-Authenticate,Location'] }),
      'corsExposeHeaders[0]',
      `corsExposeHeaders[0] must be a header name (letters, digits and hyphens); got "WWW-Authenticate,Location". ${HEADER_FIX}`,
    ],
    [
      'problem type base that is not a URI',
      () => ({ ...BASE, problemTypeBase: 'errors/' }),
      'problemTypeBase',
      `problemTypeBase must be an absolute URI without spaces, quotes, "$" or "#"; got "errors/". ${URI_FIX}`,
    ],
    [
      'problem type base with a fragment',
      () => ({ ...BASE, problemTypeBase: 'https://errors.example.com/#' }),
      'problemTypeBase',
      `problemTypeBase must be an absolute URI without spaces, quotes, "$" or "#"; got "https://errors.example.com/#". ${URI_FIX}`,
    ],
    [
      'route with a bad scope',
      () => ({ ...BASE, routes: [{ method: 'GET', path: '/a', scopes: ['read write'] }] }),
      'routes[0].scopes',
      'routes[0].scopes must be an array of scope names without spaces or quotes (write [] for a route any valid token may call). Fix the route table.',
    ],
    [
      'route without scopes (a JavaScript caller)',
      () => ({ ...BASE, routes: [{ method: 'GET', path: '/a' } as never] }),
      'routes[0].scopes',
      'routes[0].scopes must be an array of scope names without spaces or quotes (write [] for a route any valid token may call). Fix the route table.',
    ],
    [
      'route with a bad path',
      () => ({ ...BASE, routes: [{ method: 'GET', path: 'items', scopes: [] }] }),
      'routes[0].path',
      'routes[0].path must start with "/" and not end with one, like /items/{id}; got "items". Fix the route table.',
    ],
    [
      'route with a bad method',
      () => ({ ...BASE, routes: [{ method: 'TRACE' as never, path: '/a', scopes: [] }] }),
      'routes[0].method',
      'routes[0].method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY; got "TRACE". Fix the route table.',
    ],
    [
      'zero revocation delay',
      (stack) => ({ ...BASE, revocationTable: table(stack), maxRevocationDelay: Duration.seconds(0) }),
      'maxRevocationDelay',
      `maxRevocationDelay must be a whole number of seconds from 1 to 3600; got 0 seconds. ${DELAY_FIX}`,
    ],
    [
      'revocation delay over the cache maximum',
      (stack) => ({ ...BASE, revocationTable: table(stack), maxRevocationDelay: Duration.hours(2) }),
      'maxRevocationDelay',
      `maxRevocationDelay must be a whole number of seconds from 1 to 3600; got 7200 seconds. ${DELAY_FIX}`,
    ],
    [
      'fractional revocation delay',
      (stack) => ({ ...BASE, revocationTable: table(stack), maxRevocationDelay: Duration.millis(2500) }),
      'maxRevocationDelay',
      `maxRevocationDelay must be a whole number of seconds from 1 to 3600; got 2.5 seconds. ${DELAY_FIX}`,
    ],
    [
      'revocation delay without a table',
      () => ({ ...BASE, maxRevocationDelay: Duration.seconds(30) }),
      'maxRevocationDelay',
      'maxRevocationDelay is set without revocationTable, so it would do nothing. Pass revocationTable to turn revocation on, or leave it out.',
    ],
    [
      'revocationRequireJti without a table',
      () => ({ ...BASE, revocationRequireJti: false }),
      'revocationRequireJti',
      'revocationRequireJti is set without revocationTable, so it would do nothing. Pass revocationTable to turn revocation on, or leave it out.',
    ],
    [
      'subnets without a VPC',
      () => ({ ...BASE, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }),
      'vpcSubnets',
      'vpcSubnets is set without vpc, so it would do nothing. Pass vpc too, or leave it out.',
    ],
    [
      'security groups without a VPC',
      (stack) => ({
        ...BASE,
        securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678')],
      }),
      'securityGroups',
      'securityGroups is set without vpc, so it would do nothing. Pass vpc too, or leave it out.',
    ],
    [
      'a retention with a log group of the app',
      (stack) => ({
        ...BASE,
        logGroup: new logs.LogGroup(stack, 'Logs'),
        logRetention: logs.RetentionDays.ONE_WEEK,
      }),
      'logRetention',
      'logRetention is set with logGroup, whose retention and removal policy are its own. Set them on the log group you pass, or leave logGroup out.',
    ],
  ])('%s', (_name, props, subject, message) => {
    const { stack } = fixture();
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

  test('every problem is reported at once, one line each, naming the path and the prop', () => {
    const { stack } = fixture();
    const nested = new Construct(stack, 'Auth');
    expect(
      () =>
        new JwtAuthorizer(nested, 'Jwt', {
          issuers: [Issuer.oidc('http://issuer.example.com', { audience: [] })],
          memorySize: 64,
          resultsCacheTtl: Duration.hours(2),
        }),
    ).toThrow(
      new InfraConfigError(
        'INVALID_PROP',
        'issuers[0].issuer',
        [
          'Test/Auth/Jwt: issuers[0].issuer must be an absolute https URL; got "http://issuer.example.com". Use the https issuer URL, or pass jwksUri explicitly.',
          `Test/Auth/Jwt: issuers[0].audience must not be empty. ${AUDIENCE_FIX}`,
          `Test/Auth/Jwt: resultsCacheTtl must be a whole number of seconds from 0 to 3600; got 7200 seconds. ${TTL_FIX}`,
          'Test/Auth/Jwt: memorySize must be a whole number from 128 to 10240; got 64. Lambda accepts 128 to 10240 MiB.',
        ].join('\n'),
      ),
    );
  });

  test("a JavaScript app that still passes 0.2's issuer props is told how to move to issuers", () => {
    const { stack } = fixture();
    const error = (() => {
      try {
        new JwtAuthorizer(stack, 'Jwt', { issuer: ISSUER, audience: AUDIENCE } as never);
      } catch (e) {
        return e as InfraConfigError;
      }
      return undefined;
    })();
    expect(error?.message.split('\n')).toEqual([
      'Test/Jwt: issuer is no longer a prop: every issuer is an entry of `issuers`. Pass issuers: [Issuer.oidc(issuer, { audience, jwksUri })].',
      'Test/Jwt: audience is no longer a prop: every issuer is an entry of `issuers`. Pass issuers: [Issuer.oidc(issuer, { audience })].',
      `Test/Jwt: issuers must list at least one issuer; got undefined. ${ISSUERS_FIX}`,
    ]);
  });
});

describe('route protection', () => {
  test('a route declared twice is refused, naming the construct and the route', () => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', { ...BASE, routes: ROUTES.slice(0, 1) });
    expect(() => jwt.addRoutes(api, ROUTES.slice(0, 1), mock)).toThrow(
      new InfraConfigError(
        'ROUTE_CONFLICT',
        'route GET /orders',
        'Test/Jwt: route GET /orders is declared twice. Declare each method and path once in the route table.',
      ),
    );
  });

  test('one authorizer serves one REST API', () => {
    const { stack, api } = fixture();
    const other = new apigw.RestApi(stack, 'Other', { deploy: false });
    const jwt = new JwtAuthorizer(stack, 'Jwt', BASE);
    jwt.addRoutes(api, ROUTES.slice(0, 1), mock);
    expect(() => jwt.addRoutes(other, ROUTES.slice(1, 2), mock)).toThrow(
      new InfraConfigError(
        'ROUTE_CONFLICT',
        'api Test/Other',
        'Test/Jwt: api Test/Other is a second REST API: this authorizer serves Test/Api. An API Gateway authorizer belongs to one REST API, so Test/Other needs its own JwtAuthorizer.',
      ),
    );
  });

  test('a route added once synthesis began is refused', () => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', BASE);
    jwt.addRoutes(api, ROUTES.slice(0, 1), mock);
    Template.fromStack(stack);
    expect(() => jwt.addRoutes(api, ROUTES.slice(1, 2), mock)).toThrow(
      new InfraConfigError(
        'ROUTE_CONFLICT',
        'route POST /orders',
        'Test/Jwt: route POST /orders was added after synthesis began. Add every route before synth.',
      ),
    );
  });

  test('method options pass through, but authorization is always the JwtAuthorizer', () => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', BASE);
    const validator = api.addRequestValidator('Validator', { validateRequestParameters: true });
    const [method] = jwt.addRoutes(api, ROUTES.slice(0, 1), mock, (route) => ({
      operationName: `op-${route.method}`,
      apiKeyRequired: true,
      requestParameters: { 'method.request.querystring.page': false },
      requestValidator: validator,
      ...({ authorizationType: apigw.AuthorizationType.NONE } as object),
    }));
    expect(method?.httpMethod).toBe('GET');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      OperationName: 'op-GET',
      ApiKeyRequired: true,
      RequestParameters: { 'method.request.querystring.page': false },
      RequestValidatorId: { Ref: Match.stringLikeRegexp('^ApiValidator') },
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^JwtAuthorizer') },
    });
  });
});
