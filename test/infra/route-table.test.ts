// The route table through the construct: tables one token-cached policy cannot serve switch to per-route
// caching (or fail with caching: 'token'), undeclared protected methods and oversized environments fail the
// synth, and a 300-route API ships its table in the code asset, far from Lambda's 4 KB environment limit.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  CachingMode,
  GATEWAY_RESPONSES,
  Issuer,
  JwtAuthorizer,
  type JwtAuthorizerProps,
} from '../../infra/constructs';
import { authorizerBundleDir } from '../../infra/constructs/authorizer-bundle';
import type { RouteRule } from '../../lambda/contract';
import { authorizerAssetFiles, fastApp } from './synth-context';

const BASE: JwtAuthorizerProps = {
  issuers: [Issuer.oidc('https://issuer.example.com/', { audience: ['https://api.example.com'] })],
};

const ORGS: RouteRule[] = [
  { method: 'GET', path: '/orgs/{org}', scopes: ['read'] },
  { method: 'GET', path: '/orgs/{org}/members', scopes: ['admin'] },
  { method: 'GET', path: '/orgs/{org}/teams/{team}/members', scopes: ['read'] },
];

function build(routes: readonly RouteRule[], props: Partial<JwtAuthorizerProps> = {}) {
  const stack = new Stack(fastApp(), 'Test');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  const jwt = new JwtAuthorizer(stack, 'Jwt', { ...BASE, ...props });
  jwt.addRoutes(api, routes, () => new apigw.MockIntegration());
  return { stack, api, jwt };
}

// GET/orgs/* also covers /orgs/acme/members; the Deny that closes it (GET/orgs/*\/?*) covers the deeper routes.
const CONFLICT =
  'the Deny that closes GET /orgs/{org} also covers requests of GET /orgs/{org}/members; ' +
  'the Deny that closes GET /orgs/{org} also covers requests of GET /orgs/{org}/teams/{team}/members; ' +
  'the Deny that closes GET /orgs/{org}/members also covers requests of GET /orgs/{org}/teams/{team}/members';

describe('caching', () => {
  test('auto: a table one token-cached policy can serve gets a TOKEN authorizer', () => {
    const { stack, jwt } = build([
      { method: 'GET', path: '/items', scopes: ['read'] },
      { method: 'GET', path: '/items/{id}', scopes: ['read'] },
      { method: 'DELETE', path: '/items/{id}', scopes: ['admin'] },
    ]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: Match.anyValue(),
    });
    expect(jwt.cachedPerRoute).toBe(false);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('per token and route'));
  });

  test('auto: the orgs table gets a per-route REQUEST authorizer and a warning naming the routes', () => {
    const { stack, jwt } = build(ORGS);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization,context.httpMethod,context.resourcePath',
      IdentityValidationExpression: Match.absent(),
      AuthorizerResultTtlInSeconds: 300,
    });
    expect(jwt.cachedPerRoute).toBe(true);
    Annotations.fromStack(stack).hasWarning(
      '/Test/Jwt',
      Match.stringLikeRegexp(`caches decisions per token and route.*${escape(CONFLICT)}`),
    );
  });

  test('CachingMode.TOKEN with the orgs table fails the synth, naming the routes and the fix', () => {
    const { stack } = build(ORGS, { caching: CachingMode.TOKEN });
    expect(() => Template.fromStack(stack)).toThrow(
      new RegExp(
        `Test/Jwt: caching is CachingMode.TOKEN, but one token-cached policy cannot tell these routes apart: ${escape(CONFLICT)}\\. Use CachingMode.ROUTE`,
      ),
    );
  });

  test('reading cachedPerRoute before every route is added does not fix the mode too early', () => {
    const stack = new Stack(fastApp(), 'Test');
    const api = new apigw.RestApi(stack, 'Api', { deploy: false });
    const jwt = new JwtAuthorizer(stack, 'Jwt', BASE);
    jwt.addRoutes(api, ORGS.slice(0, 1), () => new apigw.MockIntegration());
    expect(jwt.cachedPerRoute).toBe(false);
    jwt.addRoutes(api, ORGS.slice(1), () => new apigw.MockIntegration());
    expect(jwt.cachedPerRoute).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST' });
  });

  test('CachingMode.ROUTE always deploys the REQUEST authorizer, without a warning', () => {
    const { stack } = build([{ method: 'GET', path: '/items', scopes: ['read'] }], {
      caching: CachingMode.ROUTE,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('declared methods', () => {
  test('a method wired to the authorizer without scopes fails the synth, naming the method and the fix', () => {
    const { stack, api, jwt } = build([{ method: 'GET', path: '/items', scopes: ['read'] }]);
    api.root.resourceForPath('/admin').addMethod('POST', new apigw.MockIntegration(), {
      authorizer: jwt.authorizer,
      authorizationType: apigw.AuthorizationType.CUSTOM,
    });
    expect(() => Template.fromStack(stack)).toThrow(
      'Test/Jwt: route POST /admin is wired to this authorizer (Test/Api/Default/admin/POST) but declares no ' +
        "scopes, so the authorizer cannot decide it. Create it with jwt.addMethod(resource, 'POST', integration, " +
        '{ scopes: [...] }) or jwt.addRoutes(...), or list it in the routes prop.',
    );
  });

  test('a method declared through the routes prop and wired by hand passes', () => {
    const stack = new Stack(fastApp(), 'Test');
    const api = new apigw.RestApi(stack, 'Api', { deploy: false });
    const jwt = new JwtAuthorizer(stack, 'Jwt', {
      ...BASE,
      routes: [{ method: 'GET', path: '/x', scopes: [] }],
    });
    api.root
      .resourceForPath('/x')
      .addMethod('GET', new apigw.MockIntegration(), { authorizer: jwt.authorizer });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test.each([
    [
      'two variable children of one resource',
      { method: 'GET', path: '/a/{name}', scopes: [] },
      'Test/Jwt: route GET /a/{name} puts "{name}" under /a, where routes[0] has "{id}"',
    ],
    [
      'a greedy part before the end',
      { method: 'GET', path: '/{proxy+}/x', scopes: [] },
      'Test/Jwt: route GET /{proxy+}/x.path has the greedy part "{proxy+}" before the end',
    ],
  ] as const)('%s is refused when added', (_name, route, message) => {
    const { api, jwt } = build([{ method: 'GET', path: '/a/{id}', scopes: [] }]);
    expect(() => jwt.addRoutes(api, [route], () => new apigw.MockIntegration())).toThrow(message);
  });
});

describe('a 300-route API', () => {
  // 60 services with five methods each on two resources, one Lambda behind all of them, a deployed stage. One
  // Lambda permission for the whole API (`scopePermissionToMethod: false`, which also covers the console's test
  // invocations) and one for the authorizer keep the stack under CloudFormation's 500 resources: 300 methods,
  // 120 resources, the deployment and stage, the authorizer's dozen.
  const routes: RouteRule[] = Array.from(
    { length: 60 },
    (_, i) =>
      [
        { method: 'GET', path: `/svc${i}`, scopes: [`svc${i}:read`] },
        { method: 'POST', path: `/svc${i}`, scopes: [`svc${i}:write`] },
        { method: 'GET', path: `/svc${i}/{id}`, scopes: [`svc${i}:read`] },
        { method: 'PUT', path: `/svc${i}/{id}`, scopes: [`svc${i}:write`] },
        { method: 'DELETE', path: `/svc${i}/{id}`, scopes: [`svc${i}:admin`] },
      ] as RouteRule[],
  ).flat();

  let stack: Stack;
  let template: Template;
  beforeAll(() => {
    stack = new Stack(fastApp(), 'Big');
    const api = new apigw.RestApi(stack, 'Api');
    const backend = new lambda.Function(stack, 'Backend', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })'),
    });
    const integration = new apigw.LambdaIntegration(backend, { scopePermissionToMethod: false });
    new JwtAuthorizer(stack, 'Jwt', BASE).addRoutes(api, routes, () => integration);
    template = Template.fromStack(stack);
  });

  test('synthesizes under 500 resources, with every route in the asset and a small environment', () => {
    template.resourceCountIs('AWS::ApiGateway::Method', 300);
    template.resourceCountIs('AWS::ApiGateway::Resource', 120);
    const count = Object.keys(template.toJSON().Resources as object).length;
    expect(count).toBeLessThan(460);
    expect(JSON.parse(authorizerAssetFiles(stack)['routes.json'] ?? '')).toHaveLength(300);
    const [fn] = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { ROUTES_FILE: 'routes.json' } } },
      }),
    ) as Array<{ Properties: { Environment: { Variables: Record<string, string> } } }>;
    const bytes = Object.entries(fn!.Properties.Environment.Variables).reduce(
      (n, [k, v]) => n + k.length + v.length,
      0,
    );
    expect(bytes).toBeLessThan(300);
  });

  test('nothing is created per method but the method: one permission for the API, one for the authorizer', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as Array<{
      Properties: { SourceArn: unknown; FunctionName: unknown };
    }>;
    expect(permissions).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JwtHandlerFunction'), 'Arn'] },
      SourceArn: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/authorizers/')])],
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Backend'), 'Arn'] },
    });
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', GATEWAY_RESPONSES.length);
  });

  test('without a warning', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('the asset is the prebuilt bundle and the route file, nothing else', () => {
    const files = authorizerAssetFiles(stack);
    expect(Object.keys(files).sort()).toEqual(['index.mjs', 'index.mjs.map', 'routes.json']);
    const bundleDir = authorizerBundleDir('plain');
    expect(files['index.mjs']).toBe(readFileSync(join(bundleDir, 'index.mjs'), 'utf8'));
    expect(readdirSync(bundleDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  });
});

test('an environment over 4 KB fails the synth, naming the size and the fix', () => {
  const audience = Array.from({ length: 200 }, (_, i) => `https://api-${i}.example.com`);
  const { stack } = build([{ method: 'GET', path: '/x', scopes: [] }], {
    issuers: [Issuer.oidc('https://issuer.example.com/', { audience })],
  });
  expect(() => Template.fromStack(stack)).toThrow(
    /Test\/Jwt: issuers make the authorizer's environment \d{4,} bytes, over Lambda's limit of 4096\. Trust fewer issuers or audiences per authorizer\./,
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
