// The SAM sample events in events/: a TOKEN event, a REQUEST event (per-route caching) and one REST proxy
// event per route of the route table,
// shaped as API Gateway sends them, so `sam local invoke` exercises the same paths as the deployed API.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type {
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { passesIdentityValidation } from 'bearer-gate/contract';
import { ItemsApiStack, readStackConfig } from '../../infra/stacks';
import { APP_ROUTES } from '../../lambda/routes';
import { fastApp } from './synth-context';

const EVENTS = resolve(__dirname, '..', '..', 'events');

function read<T>(name: string): T {
  return JSON.parse(readFileSync(join(EVENTS, name), 'utf8')) as T;
}

/** Route id to event file: ListItems -> list-items.json. */
function eventFile(routeId: string): string {
  return `${routeId.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase()}.json`;
}

test('there is one TOKEN and one REQUEST event, one proxy event per route, and the SAM env-vars file', () => {
  expect(readdirSync(EVENTS).sort()).toEqual(
    [
      'authorizer-request.json',
      'authorizer-token.json',
      'sam-env.json',
      ...APP_ROUTES.map((r) => eventFile(r.id)),
    ].sort(),
  );
});

test('the SAM env-vars file only overrides variables the synthesized template declares', () => {
  // SAM ignores a variable the template does not declare, so a stale name here would silently do nothing.
  const app = fastApp();
  const template = Template.fromStack(
    new ItemsApiStack(app, 'ItemsApi', { config: readStackConfig((k) => app.node.tryGetContext(k)) }),
  );
  const declared = new Set(
    Object.values(template.findResources('AWS::Lambda::Function')).flatMap((fn) =>
      Object.keys(
        (fn as { Properties: { Environment: { Variables: object } } }).Properties.Environment.Variables,
      ),
    ),
  );
  const { Parameters } = read<{ Parameters: Record<string, string> }>('sam-env.json');
  expect(Object.keys(Parameters).filter((name) => !declared.has(name))).toEqual([]);
  expect(Object.keys(Parameters)).toEqual(
    expect.arrayContaining(['ITEMS_TABLE', 'REVOCATION_TABLE', 'COGNITO_USER_POOL_ID']),
  );
});

test('the TOKEN event passes the identity validation expression and names a method of the API', () => {
  const event = read<APIGatewayTokenAuthorizerEvent>('authorizer-token.json');
  expect(event.type).toBe('TOKEN');
  expect(passesIdentityValidation(event.authorizationToken)).toBe(true);
  expect(event.methodArn).toMatch(/^arn:aws:execute-api:[a-z0-9-]+:\d{12}:[a-z0-9]+\/v1\/GET\/items$/);
});

test('the REQUEST event names a route of the table in requestContext, with its one Authorization header', () => {
  const event = read<APIGatewayRequestAuthorizerEvent>('authorizer-request.json');
  expect(event.type).toBe('REQUEST');
  const route = APP_ROUTES.find(
    (r) => r.method === event.requestContext.httpMethod && r.path === event.requestContext.resourcePath,
  );
  expect(route?.id).toBe('GetItem');
  expect(event.multiValueHeaders?.Authorization).toEqual([event.headers?.Authorization]);
  expect(event.methodArn).toBe(`arn:aws:execute-api:us-east-1:123456789012:abcdef1234/v1/GET${event.path}`);
});

/** The demo caller of each table's routes, and what a POST body to it looks like. */
const CALLER = {
  items: { sub: 'alice', body: { name: expect.any(String) } },
  revocations: { sub: 'admin', body: { tokenId: expect.any(String), expiresAt: expect.any(Number) } },
} as const;

test.each(APP_ROUTES.map((r) => [r.id, r] as const))(
  '%s has a proxy event for its method and resource',
  (id, route) => {
    const event = read<APIGatewayProxyEvent>(eventFile(id));
    expect(event.httpMethod).toBe(route.method);
    expect(event.resource).toBe(route.path);
    expect(event.requestContext.resourcePath).toBe(route.path);
    expect(event.requestContext.httpMethod).toBe(route.method);
    expect(event.requestContext.stage).toBe('v1');
    // Path parameters fill the resource template to give the path.
    const filled = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => event.pathParameters?.[name] ?? '');
    expect(event.path).toBe(filled);
    // Identity as API Gateway passes the authorizer's context: every value a string, scopes space-joined.
    const authorizer = event.requestContext.authorizer as Record<string, unknown>;
    const caller = CALLER[route.table];
    expect(authorizer).toMatchObject({
      principalId: caller.sub,
      sub: caller.sub,
      clientId: expect.any(String),
    });
    expect(String(authorizer.scope).split(' ')).toEqual(expect.arrayContaining([...route.scopes]));
    for (const [key, value] of Object.entries(authorizer)) {
      expect([key, typeof value]).toEqual([key, key === 'integrationLatency' ? 'number' : 'string']);
    }
    if (route.method === 'POST') {
      expect(event.headers['Content-Type']).toBe('application/json');
      expect(JSON.parse(event.body ?? '')).toEqual(caller.body);
    }
  },
);
