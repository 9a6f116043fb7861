// The JwtAuthorizer construct on its own: what it deploys, the Lambda's environment, the gateway responses,
// route protection from one table, and the constructor's prop checks.
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { RouteRule } from '../../lambda/routes';
import {
  GATEWAY_RESPONSES,
  IDENTITY_VALIDATION_EXPRESSION,
  InfraConfigError,
  JwtAuthorizer,
  gatewayResponseBody,
} from '../../infra/constructs';
import type { JwtAuthorizerProps } from '../../infra/constructs';
import { authorizerAssetFiles, fastApp } from './synth-context';

const ISSUER = 'https://issuer.example.com/';
const AUDIENCE = ['https://api.example.com'];
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
    jwt = new JwtAuthorizer(stack, 'Jwt', { issuer: ISSUER, audience: AUDIENCE });
    jwt.addRoutes(api, ROUTES.slice(0, 2), mock);
    // Added after the first call: the route file is written at synth, so it still carries this one.
    jwt.addMethod(api.root.resourceForPath('/orders/{id}'), 'DELETE', mock(), {
      scopes: ROUTES[2]?.scopes ?? [],
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
      userPool,
      userPoolClients: [web, cli],
      issuers: [
        {
          issuer: 'https://login.example.org',
          audience: ['a', 'b'],
          jwksUri: 'https://keys.example.org/jwks',
        },
      ],
      routes: [{ method: 'GET', path: '/elsewhere', scopes: [] }],
      resultsCacheTtl: Duration.minutes(10),
      tokenTypes: ['at+jwt', 'application/at+jwt'],
      clockSkew: Duration.seconds(10),
      maxTokenBytes: 4096,
      logLevel: 'debug',
      architecture: lambda.Architecture.X86_64,
      memorySize: 512,
      timeout: Duration.seconds(3),
      authorizerName: 'jwt',
      corsAllowOrigin: 'https://app.example.com',
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

  test('passes the extra issuers, token types, skew, size and log level', () => {
    const { Variables } = authorizerFunction(template).Environment;
    expect(JSON.parse(Variables.ISSUERS as string)).toEqual([
      { issuer: 'https://login.example.org', audience: ['a', 'b'], jwksUri: 'https://keys.example.org/jwks' },
    ]);
    expect(Variables).toMatchObject({
      TOKEN_TYPES: 'at+jwt,application/at+jwt',
      CLOCK_SKEW_SECONDS: '10',
      MAX_TOKEN_BYTES: '4096',
      LOG_LEVEL: 'debug',
    });
    expect(Variables).not.toHaveProperty('ISSUER');
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

test('a zero TTL turns the result cache off', () => {
  const { stack, api } = fixture();
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuer: ISSUER,
    audience: AUDIENCE,
    resultsCacheTtl: Duration.seconds(0),
  });
  jwt.addRoutes(api, ROUTES, mock);
  Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
    AuthorizerResultTtlInSeconds: 0,
  });
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
      issuer: ISSUER,
      audience: AUDIENCE,
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
    const jwt = new JwtAuthorizer(stack, 'Jwt', { issuer: ISSUER, audience: AUDIENCE });
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
    userPool,
    userPoolClients: [userPool.addClient('Cli')],
    userPoolResourceServer,
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
  const base: JwtAuthorizerProps = { issuer: ISSUER, audience: AUDIENCE };

  test.each<[string, (stack: Stack) => JwtAuthorizerProps, string, string]>([
    [
      'TTL over an hour',
      () => ({ ...base, resultsCacheTtl: Duration.hours(2) }),
      'resultsCacheTtl',
      "JwtAuthorizer: resultsCacheTtl must be a whole number of seconds from 0 to 3600; got 7200 seconds. Use at most Duration.hours(1) (API Gateway's limit), or Duration.seconds(0) to turn the cache off.",
    ],
    [
      'fractional TTL',
      () => ({ ...base, resultsCacheTtl: Duration.millis(1500) }),
      'resultsCacheTtl',
      "JwtAuthorizer: resultsCacheTtl must be a whole number of seconds from 0 to 3600; got 1.5 seconds. Use at most Duration.hours(1) (API Gateway's limit), or Duration.seconds(0) to turn the cache off.",
    ],
    [
      'no issuer at all',
      () => ({}),
      'issuer',
      'JwtAuthorizer: issuer is missing: no trusted issuer was given. Pass issuer and audience, issuers, or userPool and userPoolClients.',
    ],
    [
      'issuer without audience',
      () => ({ issuer: ISSUER }),
      'audience',
      "JwtAuthorizer: audience is required with issuer; got undefined. Pass the API's identifier, e.g. ['https://api.example.com'].",
    ],
    [
      'audience without issuer',
      () => ({ audience: AUDIENCE }),
      'issuer',
      'JwtAuthorizer: issuer is required when audience is set; got undefined. Pass the issuer URL exactly as it appears in the `iss` claim.',
    ],
    [
      'empty audience',
      () => ({ issuer: ISSUER, audience: [] }),
      'audience',
      "JwtAuthorizer: audience must not be empty. Pass the API's identifier, e.g. ['https://api.example.com'].",
    ],
    [
      'audience with a comma',
      () => ({ issuer: ISSUER, audience: ['a,b'] }),
      'audience',
      `JwtAuthorizer: audience entries must be non-empty and contain no commas; got "a,b". Pass the API's identifier, e.g. ['https://api.example.com'].`,
    ],
    [
      'http issuer without jwksUri',
      () => ({ issuer: 'http://issuer.example.com', audience: AUDIENCE }),
      'issuer',
      'JwtAuthorizer: issuer must be an absolute https URL; got "http://issuer.example.com". Use the https issuer URL, or pass jwksUri explicitly.',
    ],
    [
      'http jwksUri',
      () => ({ ...base, jwksUri: 'http://issuer.example.com/jwks' }),
      'jwksUri',
      `JwtAuthorizer: jwksUri must be an absolute https URL; got "http://issuer.example.com/jwks". Use the https URL of the issuer's JWKS.`,
    ],
    [
      'empty issuers',
      () => ({ issuers: [] }),
      'issuers',
      'JwtAuthorizer: issuers must not be empty; got []. Leave it out, or list at least one issuer.',
    ],
    [
      'repeated issuer',
      () => ({ ...base, issuers: [{ issuer: ISSUER, audience: ['x'] }] }),
      'issuers[0].issuer',
      `JwtAuthorizer: issuers[0].issuer repeats "${ISSUER}". Trust each issuer once, with all its audiences.`,
    ],
    [
      'userPool without clients',
      (stack) => ({ userPool: pool(stack) }),
      'userPoolClients',
      'JwtAuthorizer: userPoolClients is required with userPool; got undefined. Pass the app clients whose access tokens the API accepts.',
    ],
    [
      'clients without userPool',
      (stack) => ({ ...base, userPoolClients: [pool(stack).addClient('C')] }),
      'userPool',
      'JwtAuthorizer: userPool is required when userPoolClients is set; got undefined. Pass the user pool the clients belong to.',
    ],
    [
      'clock skew over 5 minutes',
      () => ({ ...base, clockSkew: Duration.minutes(10) }),
      'clockSkew',
      'JwtAuthorizer: clockSkew must be a whole number of seconds from 0 to 300; got 600 seconds. A few seconds to a minute covers real clock drift.',
    ],
    [
      'empty token types',
      () => ({ ...base, tokenTypes: [] }),
      'tokenTypes',
      'JwtAuthorizer: tokenTypes must not be empty. Use media type names such as "at+jwt" or "application/at+jwt" (RFC 9068).',
    ],
    [
      'token type with a space',
      () => ({ ...base, tokenTypes: ['at jwt'] }),
      'tokenTypes',
      'JwtAuthorizer: tokenTypes entries must be media type names; got "at jwt". Use media type names such as "at+jwt" or "application/at+jwt" (RFC 9068).',
    ],
    [
      'memory below Lambda’s minimum',
      () => ({ ...base, memorySize: 64 }),
      'memorySize',
      'JwtAuthorizer: memorySize must be a whole number from 128 to 10240; got 64. Lambda accepts 128 to 10240 MiB.',
    ],
    [
      'timeout beyond API Gateway’s',
      () => ({ ...base, timeout: Duration.seconds(30) }),
      'timeout',
      'JwtAuthorizer: timeout must be a whole number of seconds from 1 to 29; got 30 seconds. API Gateway waits at most 29 seconds for an authorizer.',
    ],
    [
      'token size out of range',
      () => ({ ...base, maxTokenBytes: 100 }),
      'maxTokenBytes',
      'JwtAuthorizer: maxTokenBytes must be a whole number from 256 to 65536; got 100. Typical access tokens are 1 to 4 KB.',
    ],
    [
      'unknown log level',
      () => ({ ...base, logLevel: 'verbose' as never }),
      'logLevel',
      'JwtAuthorizer: logLevel must be one of debug, info, warn, error, silent; got "verbose". Use "info" in production.',
    ],
    [
      'CORS origin with a quote',
      () => ({ ...base, corsAllowOrigin: "https://x'" }),
      'corsAllowOrigin',
      `JwtAuthorizer: corsAllowOrigin must be "*" or an origin without quotes or line breaks; got "https://x'". Use "*" or an origin such as "https://app.example.com".`,
    ],
    [
      'CORS header name with a space',
      () => ({ ...base, corsAllowHeaders: ['Authorization', 'Idempotency Key'] }),
      'corsAllowHeaders[1]',
      'JwtAuthorizer: corsAllowHeaders[1] must be a header name (letters, digits and hyphens); got "Idempotency Key". List each header name as its own entry, e.g. ["Authorization", "Content-Type"].',
    ],
    [
      'exposed headers as one comma-separated entry',
      () => ({ ...base, corsExposeHeaders: ['WWW-Authenticate,Location'] }),
      'corsExposeHeaders[0]',
      'JwtAuthorizer: corsExposeHeaders[0] must be a header name (letters, digits and hyphens); got "WWW-Authenticate,Location". List each header name as its own entry, e.g. ["Authorization", "Content-Type"].',
    ],
    [
      'problem type base that is not a URI',
      () => ({ ...base, problemTypeBase: 'errors/' }),
      'problemTypeBase',
      'JwtAuthorizer: problemTypeBase must be an absolute URI without spaces, quotes, "$" or "#"; got "errors/". Use a prefix such as "https://errors.example.com/" or "tag:example.com,2026:problem:".',
    ],
    [
      'problem type base with a fragment',
      () => ({ ...base, problemTypeBase: 'https://errors.example.com/#' }),
      'problemTypeBase',
      'JwtAuthorizer: problemTypeBase must be an absolute URI without spaces, quotes, "$" or "#"; got "https://errors.example.com/#". Use a prefix such as "https://errors.example.com/" or "tag:example.com,2026:problem:".',
    ],
    [
      'issuer with a fragment',
      () => ({ ...base, issuer: 'https://issuer.example.com/#tenant' }),
      'issuer',
      'JwtAuthorizer: issuer must be an issuer identifier without a query or fragment ("?", "#"); got "https://issuer.example.com/#tenant". Pass the issuer exactly as the `iss` claim has it; identifiers with a query or fragment are not valid issuers.',
    ],
    [
      'issuers entry with a query',
      () => ({ ...base, issuers: [{ issuer: 'https://other.example.com/?t=1', audience: ['api'] }] }),
      'issuers[0].issuer',
      'JwtAuthorizer: issuers[0].issuer must be an issuer identifier without a query or fragment ("?", "#"); got "https://other.example.com/?t=1". Pass the issuer exactly as the `iss` claim has it; identifiers with a query or fragment are not valid issuers.',
    ],
    [
      'route with a bad scope',
      () => ({ ...base, routes: [{ method: 'GET', path: '/a', scopes: ['read write'] }] }),
      'routes[0].scopes',
      'JwtAuthorizer: routes[0].scopes must be an array of scope names without spaces or quotes. Fix the route table.',
    ],
    [
      'route with a bad path',
      () => ({ ...base, routes: [{ method: 'GET', path: 'items', scopes: [] }] }),
      'routes[0].path',
      'JwtAuthorizer: routes[0].path must start with "/" and not end with one, like /items/{id}; got "items". Fix the route table.',
    ],
    [
      'route with a bad method',
      () => ({ ...base, routes: [{ method: 'TRACE' as never, path: '/a', scopes: [] }] }),
      'routes[0].method',
      'JwtAuthorizer: routes[0].method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY; got "TRACE". Fix the route table.',
    ],
    [
      'zero revocation delay',
      (stack) => ({ ...base, revocationTable: table(stack), maxRevocationDelay: Duration.seconds(0) }),
      'maxRevocationDelay',
      'JwtAuthorizer: maxRevocationDelay must be a whole number of seconds from 1 to 3600; got 0 seconds. It caps the result cache TTL: use from Duration.seconds(1) to Duration.hours(1) (the cache maximum).',
    ],
    [
      'revocation delay over the cache maximum',
      (stack) => ({ ...base, revocationTable: table(stack), maxRevocationDelay: Duration.hours(2) }),
      'maxRevocationDelay',
      'JwtAuthorizer: maxRevocationDelay must be a whole number of seconds from 1 to 3600; got 7200 seconds. It caps the result cache TTL: use from Duration.seconds(1) to Duration.hours(1) (the cache maximum).',
    ],
    [
      'fractional revocation delay',
      (stack) => ({ ...base, revocationTable: table(stack), maxRevocationDelay: Duration.millis(2500) }),
      'maxRevocationDelay',
      'JwtAuthorizer: maxRevocationDelay must be a whole number of seconds from 1 to 3600; got 2.5 seconds. It caps the result cache TTL: use from Duration.seconds(1) to Duration.hours(1) (the cache maximum).',
    ],
    [
      'revocation delay without a table',
      () => ({ ...base, maxRevocationDelay: Duration.seconds(30) }),
      'maxRevocationDelay',
      'JwtAuthorizer: maxRevocationDelay is set without revocationTable, so it would do nothing. Pass revocationTable to turn revocation on, or leave it out.',
    ],
    [
      'revocationRequireJti without a table',
      () => ({ ...base, revocationRequireJti: false }),
      'revocationRequireJti',
      'JwtAuthorizer: revocationRequireJti is set without revocationTable, so it would do nothing. Pass revocationTable to turn revocation on, or leave it out.',
    ],
    [
      'resource server without a user pool',
      (stack) => ({
        ...base,
        userPoolResourceServer: pool(stack).addResourceServer('Api', { identifier: 'api' }),
      }),
      'userPoolResourceServer',
      'JwtAuthorizer: userPoolResourceServer is set without userPool; got a resource server. Pass userPool and userPoolClients too, or leave userPoolResourceServer out.',
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
    expect(error).toMatchObject({ name: 'InfraConfigError', code: 'INVALID_PROP', subject, message });
  });
});

describe('route protection', () => {
  test('a route declared twice is refused', () => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', {
      ...{ issuer: ISSUER, audience: AUDIENCE },
      routes: ROUTES.slice(0, 1),
    });
    expect(() => jwt.addRoutes(api, ROUTES.slice(0, 1), mock)).toThrow(
      expect.objectContaining({
        code: 'ROUTE_CONFLICT',
        message:
          'JwtAuthorizer: route GET /orders is declared twice. Declare each method and path once in the route table.',
      }),
    );
  });

  test('one authorizer serves one REST API', () => {
    const { stack, api } = fixture();
    const other = new apigw.RestApi(stack, 'Other', { deploy: false });
    const jwt = new JwtAuthorizer(stack, 'Jwt', { issuer: ISSUER, audience: AUDIENCE });
    jwt.addRoutes(api, ROUTES.slice(0, 1), mock);
    expect(() => jwt.addRoutes(other, ROUTES.slice(1, 2), mock)).toThrow(
      expect.objectContaining({
        code: 'ROUTE_CONFLICT',
        message:
          'JwtAuthorizer: already serves the REST API at Test/Api; an API Gateway authorizer belongs to one REST API, so Test/Other needs its own JwtAuthorizer.',
      }),
    );
  });

  test('an authorizer with no routes fails synthesis, since it would deny everything', () => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', { issuer: ISSUER, audience: AUDIENCE });
    // Using the authorizer directly records no scopes: the Lambda would have nothing to allow.
    api.root.addMethod('GET', mock(), { authorizer: jwt.authorizer });
    expect(() => Template.fromStack(stack)).toThrow(
      /Test\/Jwt: JwtAuthorizer has no routes, so every request would be denied\. Protect methods with addRoutes\(\) or addMethod\(\), or list them in the routes prop\./,
    );
  });

  test('method options pass through, but authorization is always the JwtAuthorizer', () => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', { issuer: ISSUER, audience: AUDIENCE });
    const [method] = jwt.addRoutes(api, ROUTES.slice(0, 1), mock, (route) => ({
      operationName: `op-${route.method}`,
      ...({ authorizationType: apigw.AuthorizationType.NONE } as object),
    }));
    expect(method?.httpMethod).toBe('GET');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      OperationName: 'op-GET',
      AuthorizationType: 'CUSTOM',
    });
  });
});
