// Synth errors and warnings that point at the construct: an authorizer without routes or without an API, one
// route validator answering the same in the construct and in the Lambda's init (where the SAM template's route
// file is read), values CloudFormation resolves (CfnParameter lists and strings), and issuer identifiers whose
// form their provider does not write.
import { CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError, parseConfig } from '../../lambda/authorizer';
import {
  InfraConfigError,
  Issuer,
  JwtAuthorizer,
  type JwtAuthorizerProps,
  type RouteRule,
} from '../../infra/constructs';
import { authorizerAssetFiles, authorizerEnvironment, fastApp, synthError } from './synth-context';

const ISSUER = 'https://issuer.example.com/';
const BASE: JwtAuthorizerProps = {
  issuers: [Issuer.oidc(ISSUER, { audience: ['https://api.example.com'] })],
};
const ROUTE: RouteRule = { method: 'GET', path: '/orders', scopes: ['orders:read'] };
const mock = (): apigw.Integration => new apigw.MockIntegration();

function fixture(): { stack: Stack; api: apigw.RestApi } {
  const stack = new Stack(fastApp(), 'Test');
  return { stack, api: new apigw.RestApi(stack, 'Api', { deploy: false }) };
}

describe('an authorizer that could never allow a request fails the synth, saying why', () => {
  test('no routes at all', () => {
    const { stack } = fixture();
    new JwtAuthorizer(stack, 'Jwt', BASE);
    const error = synthError(() => Template.fromStack(stack));
    expect([error.code, error.subject, error.message]).toEqual([
      'INVALID_PROP',
      'routes',
      'Test/Jwt: routes is empty: the authorizer has no routes, so it would deny every request. Protect ' +
        'methods with addRoutes() or addMethod(), or list them in the routes prop.',
    ]);
  });

  test('no routes, though a method uses the authorizer directly', () => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', BASE);
    api.root.addMethod('GET', mock(), { authorizer: jwt.authorizer });
    expect(synthError(() => Template.fromStack(stack)).message).toBe(
      'Test/Jwt: routes is empty: the authorizer has no routes, so it would deny every request. Protect ' +
        'methods with addRoutes() or addMethod(), or list them in the routes prop.',
    );
  });

  test('routes declared in props, but no method of any API uses the authorizer', () => {
    const { stack } = fixture();
    new JwtAuthorizer(stack, 'Jwt', { ...BASE, routes: [ROUTE] });
    expect(synthError(() => Template.fromStack(stack)).message).toBe(
      'Test/Jwt: routes are declared, but no method of any REST API uses the authorizer. Create the methods ' +
        'with addRoutes() or addMethod(), or pass jwt.authorizer to the methods you create.',
    );
  });
});

describe('one route validator: the construct refuses what the Lambda refuses at init, with the same words', () => {
  // The SAM template's route file (RoutesFile in a layer) and the construct's routes.json are both read by
  // parseConfig at init; the construct must not quietly turn a path the Lambda would refuse into another.
  const cases: ReadonlyArray<[string, string]> = [
    ['no leading slash', 'orders'],
    ['a trailing slash', '/orders/'],
    ['an empty segment', '//orders'],
    ['a space', '/my orders'],
  ];

  /** The validator's words for the path, as the Lambda says them reading a route file. */
  function lambdaProblem(path: string): string {
    const routes = JSON.stringify([{ method: 'GET', path, scopes: [] }]);
    try {
      parseConfig({ ISSUER, AUDIENCE: 'api', ROUTES_FILE: 'routes.json' }, { read: () => routes });
    } catch (error) {
      if (error instanceof ConfigError) {
        return error.message.replace(/^ROUTES_FILE: ROUTES_FILE\[0\]\.path /, '');
      }
      throw error;
    }
    throw new Error(`parseConfig accepted ${path}`);
  }

  test.each(cases)('%s (%s): addRoutes()', (_name, path) => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', BASE);
    const error = synthError(() => jwt.addRoutes(api, [{ ...ROUTE, path }], mock));
    expect([error.subject, error.message]).toEqual([
      `route GET ${path}.path`,
      `Test/Jwt: route GET ${path}.path ${lambdaProblem(path)}. Fix the route table.`,
    ]);
    // Nothing was created for the refused route.
    expect(api.root.getResource('orders')).toBeUndefined();
    expect(jwt.routes).toEqual([]);
  });

  test.each(cases)('%s (%s): the routes prop', (_name, path) => {
    const { stack } = fixture();
    const error = synthError(
      () => new JwtAuthorizer(stack, 'Jwt', { ...BASE, routes: [{ ...ROUTE, path }] }),
    );
    expect(error.message).toBe(`Test/Jwt: routes[0].path ${lambdaProblem(path)}. Fix the route table.`);
  });

  test('scopes: [] is written out, and lets any valid token call the route', () => {
    const { stack, api } = fixture();
    const jwt = new JwtAuthorizer(stack, 'Jwt', BASE);
    jwt.addRoutes(api, [{ method: 'GET', path: '/health', scopes: [] }], mock);
    const files = authorizerAssetFiles(stack);
    expect(JSON.parse(files['routes.json'] ?? '')).toEqual([{ method: 'GET', path: '/health', scopes: [] }]);
    const config = parseConfig(authorizerEnvironment(stack), { read: (p) => files[p] as string });
    expect(config.routes).toEqual([{ method: 'GET', path: '/health', scopes: [] }]);
  });
});

/** A CloudFormation value with the stack's parameters substituted (Ref and Fn::Join are all the tests need). */
function evaluate(value: unknown, parameters: Readonly<Record<string, string | string[]>>): unknown {
  if (typeof value === 'string') return value;
  const { Ref: ref, 'Fn::Join': join } = value as { Ref?: string; 'Fn::Join'?: [string, unknown] };
  if (ref !== undefined) {
    const parameter = parameters[ref];
    if (parameter === undefined) throw new Error(`no value for ${ref}`);
    return parameter;
  }
  if (join !== undefined) {
    const [delimiter, list] = join;
    const items = evaluate(list, parameters);
    const parts = Array.isArray(items) ? items.map((item) => evaluate(item, parameters)) : [items];
    return parts.flat().join(delimiter);
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

describe('values CloudFormation resolves at deploy time', () => {
  test('an audience list from a CommaDelimitedList parameter travels in AUDIENCE, joined, and reads back as the list', () => {
    const { stack, api } = fixture();
    const audiences = new CfnParameter(stack, 'Audiences', { type: 'CommaDelimitedList' });
    const issuer = new CfnParameter(stack, 'IssuerUrl', { type: 'String' });
    const types = new CfnParameter(stack, 'TokenTypes', { type: 'CommaDelimitedList' });
    const jwt = new JwtAuthorizer(stack, 'Jwt', {
      issuers: [
        Issuer.oidc('https://other.example.com/', { audience: ['orders'] }),
        Issuer.oidc(issuer.valueAsString, { audience: audiences.valueAsList }),
      ],
      tokenTypes: types.valueAsList,
    });
    jwt.addRoutes(api, [ROUTE], mock);
    const env = authorizerEnvironment(stack);
    expect(env).toMatchObject({
      ISSUER: { Ref: 'IssuerUrl' },
      AUDIENCE: { 'Fn::Join': [',', { Ref: 'Audiences' }] },
      TOKEN_TYPES: { 'Fn::Join': [',', { Ref: 'TokenTypes' }] },
    });
    const parameters = {
      Audiences: ['https://api.example.com', 'orders'],
      IssuerUrl: ISSUER,
      TokenTypes: ['at+jwt'],
    };
    const deployed = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, String(evaluate(v, parameters))]),
    );
    const files = authorizerAssetFiles(stack);
    const config = parseConfig(deployed, { read: (p) => files[p] as string });
    expect(config.issuers.map((i) => [i.issuer, i.audience])).toEqual([
      [ISSUER, ['https://api.example.com', 'orders']],
      ['https://other.example.com/', ['orders']],
    ]);
    expect(config.tokenTypes).toEqual(['at+jwt']);
  });

  test.each<[string, (stack: Stack) => JwtAuthorizerProps, string, string]>([
    [
      'two issuers with audiences from list parameters',
      (stack) => ({
        issuers: [
          Issuer.oidc(ISSUER, {
            audience: new CfnParameter(stack, 'A', { type: 'CommaDelimitedList' }).valueAsList,
          }),
          Issuer.oidc('https://b.example.com/', {
            audience: new CfnParameter(stack, 'B', { type: 'CommaDelimitedList' }).valueAsList,
          }),
        ],
      }),
      'issuers[1].audience',
      "issuers[1].audience is a list token (a CfnParameter's valueAsList, Fn.split()), as issuers[0].audience is; " +
        'only one issuer of an authorizer may take its audience from one. Give the other issuers literal ' +
        'audiences, or use one authorizer per parameterised issuer.',
    ],
    [
      'CORS headers from a list parameter',
      (stack) => ({
        ...BASE,
        corsAllowHeaders: new CfnParameter(stack, 'Headers', { type: 'CommaDelimitedList' }).valueAsList,
      }),
      'corsAllowHeaders',
      'corsAllowHeaders must be a literal list, not a token. List each header name as its own entry, e.g. ' +
        '["Authorization", "Content-Type"].',
    ],
    [
      'a clock skew from a parameter',
      (stack) => ({
        ...BASE,
        clockSkew: Duration.seconds(new CfnParameter(stack, 'Skew', { type: 'Number' }).valueAsNumber),
      }),
      'clockSkew',
      'clockSkew must be a literal Duration, not a token. A few seconds to a minute covers real clock drift.',
    ],
    [
      'a claim name from a parameter',
      (stack) => ({
        issuers: [
          Issuer.oidc(ISSUER, {
            audience: ['api'],
            permissionClaims: [new CfnParameter(stack, 'Claim', { type: 'String' }).valueAsString],
          }),
        ],
      }),
      'issuers[0].permissionClaims[0]',
      'issuers[0].permissionClaims[0] must be a literal claim name, not a token. Use a claim name such as ' +
        '"roles", or a dotted path such as "realm_access.roles".',
    ],
  ])('refused with a message that says so: %s', (_name, props, subject, message) => {
    const { stack } = fixture();
    const error = synthError(() => new JwtAuthorizer(stack, 'Jwt', props(stack)));
    expect([error.code, error.subject, error.message]).toEqual([
      'INVALID_PROP',
      subject,
      `Test/Jwt: ${message}`,
    ]);
  });

  test('a memory size from a parameter is left to CloudFormation and Lambda', () => {
    const { stack, api } = fixture();
    const memory = new CfnParameter(stack, 'Memory', { type: 'Number' });
    new JwtAuthorizer(stack, 'Jwt', { ...BASE, memorySize: memory.valueAsNumber }).addRoutes(
      api,
      [ROUTE],
      mock,
    );
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: { Ref: 'Memory' },
    });
  });

  test('a JWKS URI the synth cannot know is not compared with the seed there (the Lambda checks it at init)', () => {
    const { stack, api } = fixture();
    const jwksUri = Lazy.string({ produce: () => 'https://issuer.example.com/keys' });
    const jwt = new JwtAuthorizer(stack, 'Jwt', {
      issuers: [Issuer.oidc(ISSUER, { audience: ['api'], jwksUri })],
    });
    jwt.addRoutes(api, [ROUTE], mock);
    expect(authorizerEnvironment(stack).JWKS_URI).toBe('https://issuer.example.com/keys');
  });
});

describe('an issuer identifier its provider does not write warns at synth', () => {
  test.each<[string, string, string, string]>([
    [
      'Auth0 without its trailing slash',
      'https://example.eu.auth0.com',
      'Auth0',
      'https://example.eu.auth0.com/',
    ],
    ['Auth0, tenant without region', 'https://example.auth0.com', 'Auth0', 'https://example.auth0.com/'],
    [
      'Entra ID v1.0 without its trailing slash',
      'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47',
      'Entra ID (v1.0 tokens)',
      'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
    ],
    [
      'Entra ID v2.0 with a trailing slash',
      'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/',
      'Entra ID (v2.0 tokens)',
      'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
    ],
    [
      'Cognito with a trailing slash',
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/',
      'Cognito',
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
    ],
    [
      'Okta with a trailing slash',
      'https://example.okta.com/oauth2/default/',
      'Okta',
      'https://example.okta.com/oauth2/default',
    ],
  ])('%s', (_name, issuer, provider, expected) => {
    const { stack, api } = fixture();
    new JwtAuthorizer(stack, 'Jwt', {
      issuers: [Issuer.oidc(issuer, { audience: ['api'] })],
    }).addRoutes(api, [ROUTE], mock);
    const warnings = Annotations.fromStack(stack).findWarning('/Test/Jwt', Match.anyValue());
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      `issuers[0].issuer is "${issuer}", but ${provider} writes its \`iss\` as "${expected}": the authorizer ` +
        "compares `iss` (and OIDC discovery's `issuer`) exactly, so it would refuse every token (WRONG_ISSUER, " +
        `or 503 when discovery finds the other form). Pass "${expected}". [ack: bearer-gate:issuer-form]`,
    ]);
  });

  test.each([
    'https://example.eu.auth0.com/',
    'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
    'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
    'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
    'https://example.okta.com/oauth2/default',
    // A custom domain's form is not known: no warning either way.
    'https://login.example.com',
    'https://login.example.com/',
  ])('no warning for %s', (issuer) => {
    const { stack, api } = fixture();
    new JwtAuthorizer(stack, 'Jwt', {
      issuers: [Issuer.oidc(issuer, { audience: ['api'] })],
    }).addRoutes(api, [ROUTE], mock);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('with an error, only the error is reported: no warning is left behind', () => {
    const { stack } = fixture();
    expect(
      () =>
        new JwtAuthorizer(stack, 'Jwt', {
          issuers: [Issuer.oidc('https://example.eu.auth0.com', { audience: [] })],
        }),
    ).toThrow(InfraConfigError);
    expect(stack.node.tryFindChild('Jwt')?.node.metadata).toEqual([]);
  });
});
