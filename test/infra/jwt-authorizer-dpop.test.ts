// The construct's DPoP and protected-resource-metadata props: a REQUEST authorizer with its cache off (a
// cached Allow would answer a replayed proof), the DPoP variables parseConfig reads back, the replay table's
// one permission, the DPoP and resource_metadata challenges, and the metadata route without the authorizer;
// server nonces: the ACCESS_DENIED headers mapped from the authorizer's context, and their variables.
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Issuer, JwtAuthorizer, type JwtAuthorizerProps } from '../../infra/constructs';
import { parseConfig } from '../../lambda/authorizer';
import { authorizerEnvironment, fastApp, synthError } from './synth-context';

const ISSUER = 'https://issuer.example.com/';
const REQUIRED_ISSUERS_FIX =
  "List issuers (their exact iss), or ['*'] for all; leave it out to accept bearer tokens too.";
const ROUTES = [
  { method: 'GET', path: '/orders', scopes: ['orders:read'] },
  { method: 'POST', path: '/orders', scopes: ['orders:write'] },
] as const;

function build(props: Partial<JwtAuthorizerProps>) {
  const stack = new Stack(fastApp(), 'Test');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  const table = new dynamodb.Table(stack, 'Replay', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuers: [Issuer.oidc(ISSUER, { audience: ['https://api.example.com'] })],
    ...props,
  });
  jwt.addRoutes(api, [...ROUTES], () => new apigw.MockIntegration());
  return { stack, jwt, table, template: () => Template.fromStack(stack) };
}

test('dpop makes a REQUEST authorizer with the result cache off, and says why in the 401', () => {
  const { template, jwt } = build({ dpop: {} });
  template().hasResourceProperties('AWS::ApiGateway::Authorizer', {
    Type: 'REQUEST',
    AuthorizerResultTtlInSeconds: 0,
  });
  expect(jwt.resultsCacheTtl.toSeconds()).toBe(0);
  expect(jwt.variant).toBe('plain');
  template().hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
    ResponseType: 'UNAUTHORIZED',
    ResponseParameters: Match.objectLike({
      'gatewayresponse.header.WWW-Authenticate':
        `'Bearer error="invalid_token", DPoP error="invalid_token", ` +
        `algs="ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512"'`,
      'gatewayresponse.header.Access-Control-Allow-Headers': "'Authorization,Content-Type,DPoP'",
    }),
  });
});

test('an explicit non-zero cache TTL with dpop is refused, naming the prop and the fix', () => {
  expect(synthError(() => build({ dpop: {}, resultsCacheTtl: Duration.minutes(5) })).message).toContain(
    'Test/Jwt: resultsCacheTtl must be Duration.seconds(0) with dpop (a cached policy would accept a replayed proof); got 300 s. Leave resultsCacheTtl out with dpop.',
  );
});

test('the DPoP variables reach the Lambda and parseConfig reads them back', () => {
  const built = build({ dpop: { requiredIssuers: [ISSUER], proofMaxAge: Duration.seconds(90) } });
  const env = authorizerEnvironment(built.stack);
  expect(env).toMatchObject({ DPOP_REQUIRED_ISSUERS: ISSUER, DPOP_PROOF_MAX_AGE_SECONDS: '90' });
  expect(parseConfig({ ...env, ROUTES_FILE: '', ROUTES: JSON.stringify(ROUTES) }).dpop).toEqual({
    requiredIssuers: [ISSUER],
    proofMaxAgeSeconds: 90,
    replayTable: null,
    nonces: null,
  });
});

test('a replay table: the DynamoDB bundle, DPOP_REPLAY_TABLE, and dynamodb:PutItem on that table only', () => {
  const stack = new Stack(fastApp(), 'Test');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  const replay = new dynamodb.Table(stack, 'Replay', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuers: [Issuer.oidc(ISSUER, { audience: ['https://api.example.com'] })],
    dpop: { replayTable: replay },
  });
  jwt.addRoutes(api, [...ROUTES], () => new apigw.MockIntegration());
  expect(jwt.variant).toBe('revocable');
  expect(authorizerEnvironment(stack).DPOP_REPLAY_TABLE).toEqual({ Ref: expect.stringMatching(/^Replay/) });
  const statements = (
    Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as {
      Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
    }[]
  ).flatMap((p) => p.Properties.PolicyDocument.Statement);
  expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))).toEqual([
    expect.objectContaining({
      Action: 'dynamodb:PutItem',
      Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^Replay/), 'Arn'] }],
    }),
  ]);
});

test('protectedResource serves the RFC 9728 document without the authorizer and points every 401 at it', () => {
  const { template } = build({
    dpop: {},
    protectedResource: { resource: 'https://api.example.com/v1' },
  });
  const t = template();
  t.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '.well-known' });
  t.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'oauth-protected-resource' });
  t.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'v1' });
  const methods = Object.values(t.findResources('AWS::ApiGateway::Method')) as {
    Properties: {
      AuthorizationType: string;
      Integration?: { IntegrationResponses?: { ResponseTemplates: Record<string, string> }[] };
    };
  }[];
  const metadata = methods.filter((m) => m.Properties.AuthorizationType === 'NONE');
  expect(metadata).toHaveLength(1);
  const body =
    metadata[0]?.Properties.Integration?.IntegrationResponses?.[0]?.ResponseTemplates['application/json'];
  expect(JSON.parse(body as string)).toEqual({
    resource: 'https://api.example.com/v1',
    authorization_servers: [ISSUER],
    scopes_supported: ['orders:read', 'orders:write'],
    bearer_methods_supported: ['header'],
    dpop_signing_alg_values_supported: [
      'ES256',
      'ES384',
      'ES512',
      'EdDSA',
      'PS256',
      'PS384',
      'PS512',
      'RS256',
      'RS384',
      'RS512',
    ],
  });
  t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
    ResponseType: 'UNAUTHORIZED',
    ResponseParameters: Match.objectLike({
      'gatewayresponse.header.WWW-Authenticate': Match.stringLikeRegexp(
        'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/v1"',
      ),
    }),
  });
});

test.each([
  ['https://abc123.execute-api.us-east-1.amazonaws.com/prod', 'is an execute-api URL'],
  ['http://api.example.com', 'resource must use https (RFC 9728 §1.2)'],
])('protectedResource %s is refused', (resource, message) => {
  expect(synthError(() => build({ protectedResource: { resource } })).message).toContain(message);
});

/** The RFC 9728 document's response template for an authorizer that trusts one user pool. */
function cognitoMetadata(
  pool: (stack: Stack) => { pool: cognito.IUserPool; client: cognito.IUserPoolClient },
): { stack: Stack; body: unknown } {
  const stack = new Stack(fastApp(), 'Test');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  const made = pool(stack);
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuers: [Issuer.cognito(made.pool, { clients: [made.client] })],
    protectedResource: { resource: 'https://api.example.com' },
  });
  jwt.addRoutes(api, [...ROUTES], () => new apigw.MockIntegration());
  const [metadata] = Object.values(
    Template.fromStack(stack).findResources('AWS::ApiGateway::Method', {
      Properties: { AuthorizationType: 'NONE' },
    }),
  ) as {
    Properties: { Integration: { IntegrationResponses: { ResponseTemplates: Record<string, unknown> }[] } };
  }[];
  return {
    stack,
    body: metadata?.Properties.Integration.IntegrationResponses[0]?.ResponseTemplates['application/json'],
  };
}

test('a user pool of the same app: authorization_servers is its issuer, the region read from the pool id at deploy', () => {
  const { stack, body } = cognitoMetadata((s) => {
    const pool = new cognito.UserPool(s, 'Pool');
    return { pool, client: pool.addClient('Client') };
  });
  const poolRef = {
    Ref: stack.getLogicalId(stack.node.findChild('Pool').node.defaultChild as cognito.CfnUserPool),
  };
  expect(body).toEqual({
    'Fn::Join': [
      '',
      [
        '{"resource":"https://api.example.com","authorization_servers":["https://cognito-idp.',
        { 'Fn::Select': [0, { 'Fn::Split': ['_', poolRef] }] },
        '.amazonaws.com/',
        poolRef,
        '"],"scopes_supported":["orders:read","orders:write"],"bearer_methods_supported":["header"]}',
      ],
    ],
  });
});

test('an imported user pool id: authorization_servers is its issuer, the region its prefix', () => {
  const { body } = cognitoMetadata((s) => ({
    pool: cognito.UserPool.fromUserPoolId(s, 'Pool', 'eu-west-1_AbC123'),
    client: cognito.UserPoolClient.fromUserPoolClientId(s, 'Client', 'client-1'),
  }));
  expect(JSON.parse(body as string).authorization_servers).toEqual([
    'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
  ]);
});

test.each<[string, Partial<JwtAuthorizerProps>, string]>([
  [
    'no required issuers',
    { dpop: { requiredIssuers: [] } },
    'dpop.requiredIssuers must not be empty. ' + REQUIRED_ISSUERS_FIX,
  ],
  [
    'an empty required issuer',
    { dpop: { requiredIssuers: [ISSUER, ''] } },
    `dpop.requiredIssuers[1] must be non-empty and contain no commas; got "". ${REQUIRED_ISSUERS_FIX}`,
  ],
  [
    'a required issuer with a comma',
    { dpop: { requiredIssuers: ['https://a.example.com,https://b.example.com'] } },
    'dpop.requiredIssuers[0] must be non-empty and contain no commas; got ' +
      `"https://a.example.com,https://b.example.com". ${REQUIRED_ISSUERS_FIX}`,
  ],
  [
    'a proof max age of 0',
    { dpop: { proofMaxAge: Duration.seconds(0) } },
    'dpop.proofMaxAge must be a whole number of seconds from 1 to 300; got 0 seconds. Use Duration.minutes(1).',
  ],
  [
    'a proof max age over 5 minutes',
    { dpop: { proofMaxAge: Duration.seconds(301) } },
    'dpop.proofMaxAge must be a whole number of seconds from 1 to 300; got 301 seconds. Use Duration.minutes(1).',
  ],
  [
    'a proof max age in part seconds',
    { dpop: { proofMaxAge: Duration.millis(1500) } },
    'dpop.proofMaxAge must be a whole number of seconds from 1 to 300; got 1.5 seconds. Use Duration.minutes(1).',
  ],
])('dpop with %s is refused, naming the prop and the fix', (_name, props, message) => {
  const error = synthError(() => build(props));
  expect([error.code, error.message]).toEqual(['INVALID_PROP', `Test/Jwt: ${message}`]);
});

describe('dpop.nonces', () => {
  const ALGS = 'ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512';

  function withNonces(props: Partial<JwtAuthorizerProps> = {}) {
    const stack = new Stack(fastApp(), 'Test');
    const api = new apigw.RestApi(stack, 'Api', { deploy: false });
    const replay = new dynamodb.Table(stack, 'Replay', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    const jwt = new JwtAuthorizer(stack, 'Jwt', {
      issuers: [Issuer.oidc(ISSUER, { audience: ['https://api.example.com'] })],
      dpop: { replayTable: replay, nonces: true },
      ...props,
    });
    jwt.addRoutes(api, [...ROUTES], () => new apigw.MockIntegration());
    return { stack, jwt, template: Template.fromStack(stack) };
  }

  test('ACCESS_DENIED takes WWW-Authenticate and DPoP-Nonce from the Deny context; browsers may read both', () => {
    const { template } = withNonces();
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.WWW-Authenticate': 'context.authorizer.wwwAuthenticate',
        'gatewayresponse.header.DPoP-Nonce': 'context.authorizer.dpopNonce',
        'gatewayresponse.header.Access-Control-Expose-Headers': "'WWW-Authenticate,Retry-After,DPoP-Nonce'",
      }),
      ResponseTemplates: {
        'application/json': Match.stringLikeRegexp('"code":"ACCESS_DENIED"'),
      },
    });
    // The 401 stays static.
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.WWW-Authenticate': `'Bearer error="invalid_token", DPoP error="invalid_token", algs="${ALGS}"'`,
      }),
    });
  });

  test('no other response maps the context', () => {
    const { template } = withNonces();
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as {
      Properties: { ResponseType: string; ResponseParameters: Record<string, string> };
    }[];
    const mapped = responses.filter((r) =>
      Object.values(r.Properties.ResponseParameters).some((v) => v.startsWith('context.')),
    );
    expect(mapped.map((r) => r.Properties.ResponseType)).toEqual(['ACCESS_DENIED']);
  });

  test('the variables reach the Lambda, and parseConfig reads them back', () => {
    const { stack, jwt } = withNonces({ protectedResource: { resource: 'https://api.example.com/v1' } });
    expect(jwt.variant).toBe('revocable');
    const env = authorizerEnvironment(stack);
    expect(env).toMatchObject({
      DPOP_NONCES: 'true',
      DPOP_REPLAY_TABLE: { Ref: expect.stringMatching(/^Replay/) },
      RESOURCE_METADATA_URL: 'https://api.example.com/.well-known/oauth-protected-resource/v1',
    });
    const config = parseConfig({
      ...env,
      DPOP_REPLAY_TABLE: 'replay',
      ROUTES_FILE: '',
      ROUTES: JSON.stringify(ROUTES),
    });
    expect(config.dpop.nonces).toEqual({
      dpopOnly: false,
      resourceMetadataUrl: 'https://api.example.com/.well-known/oauth-protected-resource/v1',
    });
  });

  test('the authorizer may read and write the replay table (the nonce key item) and nothing else of it', () => {
    const { template } = withNonces();
    const statements = (
      Object.values(template.findResources('AWS::IAM::Policy')) as {
        Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
      }[]
    ).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:PutItem', 'dynamodb:GetItem'],
        Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^Replay/), 'Arn'] }],
      }),
    ]);
  });

  test('nonces without a replay table are refused, naming the prop and the fix', () => {
    expect(synthError(() => build({ dpop: { nonces: true } })).message).toContain(
      'Test/Jwt: dpop.nonces needs dpop.replayTable: every Lambda instance signs and checks nonces with one key, ' +
        'an item of that table. Give dpop.replayTable a table with REVOCATION_TABLE_SCHEMA (its own, not the ' +
        'revocation table).',
    );
  });

  test('without nonces, ACCESS_DENIED stays static', () => {
    const { template } = build({ dpop: {} });
    template().hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.WWW-Authenticate': `'Bearer error="insufficient_scope", DPoP error="insufficient_scope", algs="${ALGS}"'`,
      }),
    });
    expect(authorizerEnvironment(build({ dpop: {} }).stack)).not.toHaveProperty('DPOP_NONCES');
  });
});
