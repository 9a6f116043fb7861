// The Items API stack in both identity modes: the table, the API stage, route protection from the one
// route table, least-privilege grants, Cognito's PKCE client, outputs, and cdk-nag's AwsSolutions checks.
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ITEMS_TABLE_SCHEMA } from '../../lambda/items/table-schema';
import { REVOCATION_TABLE_ATTRIBUTES } from 'bearer-gate/contract';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, problemType } from '../../lambda/http';
import { APP_ROUTES, toRouteRules } from '../../lambda/routes';
import { ItemsApiStack, readStackConfig } from '../../infra/stacks';
import { acknowledgements, authorizerAssetFiles, awsSolutionsFindings, fastApp } from './synth-context';

function synth(context: Record<string, string>): { stack: Stack; template: Template } {
  const app = fastApp(context);
  const stack = new ItemsApiStack(app, 'ItemsApi', {
    config: readStackConfig((k) => app.node.tryGetContext(k)),
  });
  return { stack, template: Template.fromStack(stack) };
}

type Resource = { Properties: Record<string, unknown> };

/** The admin Lambda's environment (the only function with MAX_TOKEN_LIFETIME_SECONDS). */
function adminVariables(template: Template): Record<string, unknown> {
  const [fn] = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { MAX_TOKEN_LIFETIME_SECONDS: Match.anyValue() } } },
    }),
  ) as Resource[];
  return (fn?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

function authorizerVariables(template: Template): Record<string, unknown> {
  const [fn] = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { ROUTES_FILE: Match.anyValue() } } },
    }),
  ) as Resource[];
  return (fn?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

const TABLE_IDS = { items: /^ItemsTable/, revocations: /^RevocationsTable/ } as const;

/** DynamoDB actions granted to the role whose logical id starts with `rolePrefix`, all on `table`. */
function dynamoActions(template: Template, rolePrefix: string, table: keyof typeof TABLE_IDS): string[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  const mine = policies.filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)),
  );
  const statements = mine.flatMap(
    (p) =>
      (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
        .Statement,
  );
  const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
  for (const s of dynamo) {
    // Only this table (and, for reads, nothing wider): no wildcard resources, no other table.
    expect([s.Resource].flat()).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(TABLE_IDS[table]), 'Arn'] }]);
  }
  return dynamo.flatMap((s) => [s.Action].flat()).sort();
}

const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

describe.each([
  ['Cognito mode', {}],
  ['issuer mode', { issuer: 'https://example.eu.auth0.com/', audience: 'https://api.example.com' }],
])('%s (shared resources)', (_mode, context) => {
  let stack: Stack;
  let template: Template;
  beforeAll(() => ({ stack, template } = synth(context)));

  test('the items table is on demand, encrypted, with point-in-time recovery and the items key schema', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: ITEMS_TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: ITEMS_TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: ITEMS_TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
    });
  });

  test('the revocation table (RevocationList) is on demand, encrypted, retained, with point-in-time recovery and its TTL attribute', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: REVOCATION_TABLE_ATTRIBUTES.partitionKey, KeyType: 'HASH' }],
      }),
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: REVOCATION_TABLE_ATTRIBUTES.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: REVOCATION_TABLE_ATTRIBUTES.partitionKey, AttributeType: 'S' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: {
        AttributeName: REVOCATION_TABLE_ATTRIBUTES.timeToLiveAttribute,
        Enabled: true,
      },
    });
  });

  test('the authorizer checks revocation: REVOCATION_TABLE, jti required, read-only on that table only', () => {
    expect(authorizerVariables(template)).toMatchObject({
      REVOCATION_TABLE: { Ref: expect.stringMatching(/^RevocationsTable/) },
      REVOCATION_REQUIRE_JTI: 'true',
      CLOCK_SKEW_SECONDS: '30',
    });
    expect(dynamoActions(template, 'JwtAuthorizerHandlerRole', 'revocations')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
    ]);
  });

  test("the admin Lambda (RevocationList's, prebuilt) may only update revocations: no reads, no deletes, no items table", () => {
    expect(dynamoActions(template, 'RevocationsAdminRole', 'revocations')).toEqual(['dynamodb:UpdateItem']);
    const admins = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { MAX_TOKEN_LIFETIME_SECONDS: Match.anyValue() } } },
      }),
    ) as Resource[];
    expect(admins).toHaveLength(1);
    const [admin] = admins;
    expect((admin?.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toEqual({
      REVOCATION_TABLE: { Ref: expect.stringMatching(/^RevocationsTable/) },
      MAX_TOKEN_LIFETIME_SECONDS: expect.stringMatching(/^\d+$/),
      REQUIRED_SCOPES: 'tokens:revoke',
      LOG_LEVEL: 'info',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  test("POST /revocations is served by the RevocationList's admin function: the prebuilt bundle on Node 24", () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      OperationName: 'CreateRevocation',
      Integration: Match.objectLike({
        Uri: Match.objectLike({
          'Fn::Join': [
            '',
            Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^RevocationsAdminFunction'), 'Arn'] }]),
          ],
        }),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RevocationsAdminRole'), 'Arn'] },
    });
  });

  test('the stage has access logs, execution logs without bodies, tracing and throttling', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('"principalId":"\\$context.authorizer.principalId"'),
      },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ],
    });
  });

  test('every non-OPTIONS method uses the custom authorizer; one per route', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Resource[];
    const guarded = methods.filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(guarded).toHaveLength(APP_ROUTES.length);
    for (const m of guarded) {
      expect(m.Properties).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: expect.stringMatching(/^JwtAuthorizer/) },
      });
    }
    for (const m of methods.filter((m) => m.Properties.HttpMethod === 'OPTIONS')) {
      expect(m.Properties.AuthorizationType).toBe('NONE');
    }
  });

  test("the authorizer's route file is exactly the route table", () => {
    expect(authorizerVariables(template).ROUTES_FILE).toBe('routes.json');
    expect(JSON.parse(authorizerAssetFiles(stack)['routes.json'] ?? '')).toEqual(toRouteRules(APP_ROUTES));
  });

  test('the authorizer is TOKEN, its cache capped at the 60 s revocation delay, with the identity validation expression', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      AuthorizerResultTtlInSeconds: 60,
      IdentityValidationExpression: Match.stringLikeRegexp('^\\^\\[Bb\\]'),
    });
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 9);
  });

  test('each items Lambda gets ITEMS_TABLE and exactly the access its route declares', () => {
    template.resourceCountIs('AWS::Lambda::Function', APP_ROUTES.length + 1);
    for (const route of APP_ROUTES.filter((r) => r.table === 'items')) {
      const actions = dynamoActions(template, `${route.id}Role`, route.table);
      expect(actions).toEqual(
        expect.arrayContaining(
          route.access === 'write' ? ['dynamodb:PutItem'] : ['dynamodb:GetItem', 'dynamodb:Query'],
        ),
      );
      if (route.access === 'read') expect(actions.filter((a) => WRITE_ACTIONS.includes(a))).toEqual([]);
      else expect(actions).toEqual(expect.arrayContaining(WRITE_ACTIONS));
      expect(actions).not.toContain('dynamodb:*');
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ITEMS_TABLE: { Ref: Match.stringLikeRegexp('^ItemsTable') } } },
    });
  });

  test('POST /items validates its body against the CreateItem model', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('^ApiCreateItemModel') } },
      RequestValidatorId: { Ref: Match.stringLikeRegexp('^ApiRequestValidator') },
    });
  });

  test("the authorizer's alarms notify the stack's SSL-only topic, and it has a dashboard", () => {
    // Revocation is on, no JWKS seed: JWKS unavailable, JWKS fetches failing, faults, init failing,
    // timeouts, throttles, revocation.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    const topic = { Ref: expect.stringMatching(/^AlarmTopic/) };
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Unavailable',
      Dimensions: [
        { Name: 'reason', Value: 'REVOCATION_UNAVAILABLE' },
        { Name: 'service', Value: 'items-api-authorizer' },
      ],
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(authorizerVariables(template)).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: 'BearerGate',
      POWERTOOLS_SERVICE_NAME: 'items-api-authorizer',
    });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: Match.stringLikeRegexp('^AlarmTopic') } });
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged', () => {
    expect(awsSolutionsFindings(stack)).toEqual([]);
  });

  test('every acknowledgement gives a written reason', () => {
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThanOrEqual(60);
  });
});

describe('Cognito mode', () => {
  let stack: Stack;
  let template: Template;
  beforeAll(() => ({ stack, template } = synth({})));

  test('the authorizer trusts the pool and its public client', () => {
    expect(authorizerVariables(template)).toMatchObject({
      COGNITO_USER_POOL_ID: { Ref: expect.stringMatching(/^UserPool/) },
      COGNITO_CLIENT_ID: { Ref: expect.stringMatching(/^UserPoolPublicClient/) },
    });
    expect(authorizerVariables(template)).not.toHaveProperty('ISSUER');
  });

  test("Cognito's resource-server prefix is passed, so items-api/items:read counts as items:read", () => {
    expect(authorizerVariables(template).COGNITO_SCOPE_PREFIX).toEqual({
      'Fn::Join': ['', [{ Ref: expect.stringMatching(/^UserPoolResourceServer/) }, '/']],
    });
  });

  test('a subject revocation is kept for the 15-minute access token lifetime plus the clock skew', () => {
    expect(adminVariables(template).MAX_TOKEN_LIFETIME_SECONDS).toBe(String(15 * 60 + 30));
  });

  test('the resource server declares the items scopes and tokens:revoke', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'items-api',
      Scopes: ['items:read', 'items:write', 'items:delete', 'tokens:revoke'].map((ScopeName) =>
        Match.objectLike({ ScopeName }),
      ),
    });
  });

  test('the app client is public, Authorization Code only, with 15-minute access tokens and refresh tokens', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthScopes: [
        'openid',
        ...['items:read', 'items:write', 'items:delete'].map((scope) => ({
          'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('^UserPoolResourceServer') }, `/${scope}`]],
        })),
      ],
      CallbackURLs: ['http://localhost:8400/callback'],
      AccessTokenValidity: 15,
      RefreshTokenValidity: 43200,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  test('the pool has no self sign-up and a strong password policy', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  test('the hosted domain prefix is derived from the stack name and account', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['-', ['itemsapi', { Ref: 'AWS::AccountId' }]] },
    });
  });

  test('outputs everything a client needs', () => {
    template.hasOutput('RevocationTableName', {
      Value: { Ref: Match.stringLikeRegexp('^RevocationsTable') },
    });
    template.hasOutput('MaxRevocationDelaySeconds', { Value: '60' });
    for (const key of [
      'ApiUrl',
      'Issuer',
      'UserPoolId',
      'ClientId',
      'HostedDomain',
      'AuthorizeEndpoint',
      'TokenEndpoint',
    ]) {
      template.hasOutput(key, Match.anyValue());
    }
    template.hasOutput('Scopes', {
      Value: 'items-api/items:read items-api/items:write items-api/items:delete',
    });
    expect(stack.stackName).toBe('ItemsApi');
  });

  test('a domain prefix from context is used as is', () => {
    synth({ cognitoDomainPrefix: 'items-demo-7f3a' }).template.hasResourceProperties(
      'AWS::Cognito::UserPoolDomain',
      {
        Domain: 'items-demo-7f3a',
      },
    );
  });
});

describe('issuer mode', () => {
  let template: Template;
  beforeAll(
    () =>
      ({ template } = synth({
        issuer: 'https://example.eu.auth0.com/',
        audience: 'https://api.example.com,urn:items',
        jwksUri: 'https://example.eu.auth0.com/.well-known/jwks.json',
      })),
  );

  test('creates no Cognito resources', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
  });

  test('passes the issuer, audiences and JWKS URI to the authorizer', () => {
    expect(authorizerVariables(template)).toMatchObject({
      ISSUER: 'https://example.eu.auth0.com/',
      AUDIENCE: 'https://api.example.com,urn:items',
      JWKS_URI: 'https://example.eu.auth0.com/.well-known/jwks.json',
    });
    expect(authorizerVariables(template)).not.toHaveProperty('COGNITO_USER_POOL_ID');
  });

  test('outputs the issuer, audience and scopes', () => {
    template.hasOutput('Issuer', { Value: 'https://example.eu.auth0.com/' });
    template.hasOutput('Audience', { Value: 'https://api.example.com,urn:items' });
    template.hasOutput('Scopes', { Value: 'items:read items:write items:delete tokens:revoke' });
  });

  test('a subject revocation is kept for the default token lifetime (one day) plus the clock skew', () => {
    expect(adminVariables(template).MAX_TOKEN_LIFETIME_SECONDS).toBe(String(86_400 + 30));
    expect(authorizerVariables(template)).not.toHaveProperty('COGNITO_SCOPE_PREFIX');
  });
});

test("the gateway responses' problem types are the API's own, as its handlers write them", () => {
  const { template } = synth({});
  const bodies = (
    Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as Resource[]
  ).map(
    (r) =>
      JSON.parse((r.Properties.ResponseTemplates as Record<string, string>)['application/json'] ?? '') as {
        type: string;
        code: string;
      },
  );
  expect(bodies.length).toBeGreaterThan(0);
  for (const body of bodies) expect(body.type).toBe(problemType(body.code));
});

describe('CORS: the browser app origin from -c corsAllowOrigin, and nothing wider', () => {
  const APP = 'https://app.example.com';

  function gatewayResponseOrigins(template: Template): unknown[] {
    return (Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as Resource[]).map(
      (r) =>
        (r.Properties.ResponseParameters as Record<string, unknown>)[
          'gatewayresponse.header.Access-Control-Allow-Origin'
        ],
    );
  }

  function itemsHandlerOrigins(template: Template): unknown[] {
    return (
      Object.values(
        template.findResources('AWS::Lambda::Function', {
          Properties: { Environment: { Variables: { ITEMS_TABLE: Match.anyValue() } } },
        }),
      ) as Resource[]
    ).map(
      (fn) =>
        (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.CORS_ALLOW_ORIGIN,
    );
  }

  test('with an origin: the preflight, every gateway response and every items handler allow exactly it', () => {
    const { template } = synth({ corsAllowOrigin: APP });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: Match.objectLike({
        IntegrationResponses: [
          Match.objectLike({
            ResponseParameters: Match.objectLike({
              'method.response.header.Access-Control-Allow-Origin': `'${APP}'`,
            }),
          }),
        ],
      }),
    });
    const origins = gatewayResponseOrigins(template);
    expect(origins.length).toBeGreaterThan(0);
    expect(new Set(origins)).toEqual(new Set([`'${APP}'`]));
    const handlers = itemsHandlerOrigins(template);
    expect(handlers).toHaveLength(APP_ROUTES.filter((r) => r.table === 'items').length);
    expect(new Set(handlers)).toEqual(new Set([APP]));
  });

  test("with an origin: the preflight and every gateway response allow and expose the app's CORS headers", () => {
    const { template } = synth({ corsAllowOrigin: APP });
    const allow = CORS_ALLOW_HEADERS.join(',');
    const expose = CORS_EXPOSE_HEADERS.join(',');
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: Match.objectLike({
        IntegrationResponses: [
          Match.objectLike({
            ResponseParameters: Match.objectLike({
              'method.response.header.Access-Control-Allow-Headers': `'${allow}'`,
              'method.response.header.Access-Control-Expose-Headers': `'${expose}'`,
            }),
          }),
        ],
      }),
    });
    const headers = (
      Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as Resource[]
    ).map((r) => r.Properties.ResponseParameters as Record<string, unknown>);
    expect(new Set(headers.map((h) => h['gatewayresponse.header.Access-Control-Allow-Headers']))).toEqual(
      new Set([`'${allow}'`]),
    );
    expect(new Set(headers.map((h) => h['gatewayresponse.header.Access-Control-Expose-Headers']))).toEqual(
      new Set([`'${expose}'`]),
    );
  });

  test('without one (the default): no preflight, no CORS header anywhere', () => {
    const { template } = synth({});
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Resource[];
    expect(methods.filter((m) => m.Properties.HttpMethod === 'OPTIONS')).toEqual([]);
    expect(new Set(gatewayResponseOrigins(template))).toEqual(new Set([undefined]));
    expect(new Set(itemsHandlerOrigins(template))).toEqual(new Set([undefined]));
  });
});
