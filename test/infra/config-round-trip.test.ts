// The configuration contract both ways: every JwtAuthorizer prop goes through synth (environment and code
// asset, rendered by lambda/contract/authorizer-settings.ts) and the Lambda's own parseConfig reads back
// exactly what was given. One construct with every prop set; a prop the renderer dropped, renamed or
// mis-encoded fails here.
import { X509Certificate } from 'node:crypto';
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { parseConfig, type AuthorizerConfig, type TrustedIssuer } from '../../lambda/authorizer';
import { renderAuthorizerSettings } from '../../lambda/contract/authorizer-settings';
import {
  Issuer,
  JwksSeed,
  JwksWarmUp,
  JwtAuthorizer,
  LogLevel,
  TrustedCertificates,
  type RouteRule,
} from '../../infra/constructs';
import { createKey } from '../support/keys';
import { createCaCertificate, type Pems } from '../support/private-ca';
import { authorizerAssetFiles, fastApp } from './synth-context';

const POOL_ID = 'eu-west-1_AbC123';
const ROUTES: RouteRule[] = [
  { method: 'GET', path: '/orders', scopes: ['orders:read'] },
  { method: 'DELETE', path: '/orders/{id}', scopes: ['orders:write', 'orders:admin'] },
  { method: 'ANY', path: '/admin/{proxy+}', scopes: ['admin'] },
];
const key = createKey('ES256');
const FETCHED_AT = '2026-11-29T12:00:00.000Z';
const SEED = {
  'https://auth.example.com/keys': { keys: [key.jwk], fetchedAt: FETCHED_AT },
};
let corpCa: Pems;
beforeAll(async () => {
  corpCa = await createCaCertificate('Corp Root CA');
});

/** What the Lambda would read at init: the function's environment and the files of its code asset. */
function synthesizeEverything(): { env: Record<string, string>; files: Record<string, string> } {
  const stack = new Stack(fastApp(), 'Test');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', POOL_ID);
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuers: [
      Issuer.oidc('https://auth.example.com/', {
        audience: ['https://api.example.com', 'orders'],
        jwksUri: 'https://auth.example.com/keys',
        permissionClaims: ['permissions'],
        requiredClaims: { email_verified: true, tier: ['gold', 'silver'] },
        contextClaims: ['email'],
      }),
      Issuer.oidc('https://login.example.org/tenant/v2.0', {
        audience: ['api://orders'],
        permissionClaims: ['roles', 'realm_access.roles'],
        requiredClaims: { tid: 'tenant' },
        contextClaims: ['tid'],
      }),
      Issuer.oidc('https://discovered.example.net', { audience: ['orders'] }),
      Issuer.cognito(userPool, {
        clients: [
          cognito.UserPoolClient.fromUserPoolClientId(stack, 'Web', 'webclient1'),
          cognito.UserPoolClient.fromUserPoolClientId(stack, 'Cli', 'cliclient2'),
        ],
        resourceServer: cognito.UserPoolResourceServer.fromUserPoolResourceServerId(
          stack,
          'Server',
          'orders-api',
        ),
        groupsAsPermissions: true,
        requiredClaims: { 'custom:plan': 'pro' },
        contextClaims: ['cognito:groups'],
      }),
    ],
    routes: [ROUTES[0]!],
    tokenTypes: ['at+jwt', 'application/jwt'],
    clockSkew: Duration.seconds(45),
    maxTokenBytes: 4096,
    logLevel: LogLevel.WARN,
    revocationTable: dynamodb.Table.fromTableName(stack, 'Revocations', 'revocations-prod'),
    revocationRequireJti: false,
    usageIdentifierClaim: 'app.client\\.id',
    jwksSeed: JwksSeed.fromObject(SEED, { maxAge: Duration.days(2) }),
    jwksWarmUp: JwksWarmUp.INIT,
    trustedCertificates: TrustedCertificates.fromPem(corpCa.cert),
    monitoring: { metricsNamespace: 'Orders/Auth', serviceName: 'orders-authorizer' },
  });
  jwt.addRoutes(api, ROUTES.slice(1), () => new apigw.MockIntegration());
  const [fn] = Object.values(
    Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { ROUTES_FILE: Match.anyValue() } } },
    }),
  ) as Array<{ Properties: { Environment: { Variables: Record<string, string> } } }>;
  return { env: fn!.Properties.Environment.Variables, files: authorizerAssetFiles(stack) };
}

/** The parts of a trusted issuer a prop sets, in the props' own terms. */
function issuerView(issuer: TrustedIssuer) {
  return {
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    cognitoClientIds: issuer.cognitoClientIds,
    scopePrefix: issuer.scopePrefix,
    permissionClaims: issuer.permissionClaims?.map((p) => p.name),
    requiredClaims: issuer.requiredClaims?.map((r) => [r.claim.name, r.accepted]),
    contextClaims: issuer.contextClaims?.map((c) => [c.claim.name, c.key]),
  };
}

function read(env: Record<string, string>, files: Record<string, string>): AuthorizerConfig {
  return parseConfig(env, {
    read: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`no file ${path} in the code asset`);
      return text;
    },
  });
}

test('every prop reaches the Lambda, and parseConfig reads back what was given', () => {
  const { env, files } = synthesizeEverything();
  const config = read(env, files);
  expect(config.issuers.map(issuerView)).toEqual([
    {
      issuer: 'https://auth.example.com/',
      audience: ['https://api.example.com', 'orders'],
      jwksUri: 'https://auth.example.com/keys',
      cognitoClientIds: undefined,
      scopePrefix: undefined,
      permissionClaims: ['permissions'],
      requiredClaims: [
        ['email_verified', [true]],
        ['tier', ['gold', 'silver']],
      ],
      contextClaims: [['email', 'email']],
    },
    {
      issuer: 'https://login.example.org/tenant/v2.0',
      audience: ['api://orders'],
      jwksUri: null,
      cognitoClientIds: undefined,
      scopePrefix: undefined,
      permissionClaims: ['roles', 'realm_access.roles'],
      requiredClaims: [['tid', ['tenant']]],
      contextClaims: [['tid', 'tid']],
    },
    {
      issuer: 'https://discovered.example.net',
      audience: ['orders'],
      jwksUri: null,
      cognitoClientIds: undefined,
      scopePrefix: undefined,
      permissionClaims: undefined,
      requiredClaims: undefined,
      contextClaims: undefined,
    },
    {
      issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`,
      audience: null,
      jwksUri: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}/.well-known/jwks.json`,
      cognitoClientIds: ['webclient1', 'cliclient2'],
      scopePrefix: 'orders-api/',
      permissionClaims: ['cognito:groups'],
      requiredClaims: [['custom:plan', ['pro']]],
      contextClaims: [['cognito:groups', 'cognito_groups']],
    },
  ]);
  expect(config.routes).toEqual(ROUTES);
  expect(config).toMatchObject({
    tokenTypes: ['at+jwt', 'jwt'],
    clockSkewSeconds: 45,
    maxTokenBytes: 4096,
    logLevel: 'warn',
    metricsNamespace: 'Orders/Auth',
    serviceName: 'orders-authorizer',
    revocation: { tableName: 'revocations-prod', missingJti: 'subject-cutoff' },
    jwksSeed: { file: 'jwks-seed.json', maxAgeSeconds: 172800 },
    jwksWarmUp: 'init',
    warmUpAtInit: true,
  });
  expect(config.usageIdentifierClaim).toEqual({ name: 'app.client\\.id', segments: ['app', 'client.id'] });
  expect(config.jwksSeed?.entries).toEqual([
    {
      jwksUri: 'https://auth.example.com/keys',
      jwks: { keys: [key.jwk] },
      fetchedAt: Date.parse(FETCHED_AT),
      issuer: null,
    },
  ]);
  expect(config.trustedCa).toEqual({
    file: 'trusted-ca.pem',
    certificates: [new X509Certificate(corpCa.cert).toString()],
  });
  // Nothing large travels in the environment: the table, the keys and the certificates are files.
  expect(Object.keys(files).sort()).toEqual([
    'index.mjs',
    'index.mjs.map',
    'jwks-seed.json',
    'routes.json',
    'trusted-ca.pem',
  ]);
  expect(JSON.stringify(env)).not.toContain('BEGIN CERTIFICATE');
  expect(JSON.stringify(env)).not.toContain(key.jwk.x as string);
  expect(JSON.stringify(env)).not.toContain('/orders/{id}');
});

test('the defaults render nothing but the route file and the log level, and read back as defaults', () => {
  const rendered = renderAuthorizerSettings({
    issuer: { issuer: 'https://auth.example.com/', audience: ['api'] },
    routes: ROUTES,
  });
  expect(rendered.environment).toEqual({
    ROUTES_FILE: 'routes.json',
    ISSUER: 'https://auth.example.com/',
    AUDIENCE: 'api',
  });
  const config = read({ ...rendered.environment }, { ...rendered.files });
  expect(config).toMatchObject({
    tokenTypes: null,
    clockSkewSeconds: 30,
    maxTokenBytes: 8192,
    jwksTimeoutMs: 1500,
    jwksWarmUp: 'auto',
    warmUpAtInit: false,
    logLevel: 'info',
    metricsNamespace: 'BearerGate',
    serviceName: 'authorizer',
    revocation: null,
    usageIdentifierClaim: null,
    jwksSeed: null,
    trustedCa: null,
    routes: ROUTES,
  });
});

test.each([
  [
    'every DPoP setting, nonces on',
    {
      requiredIssuers: ['https://auth.example.com/', 'https://other.example.com'],
      proofMaxAgeSeconds: 90,
      replayTableName: 'dpop-replay',
      nonces: true,
      resourceMetadataUrl: 'https://api.example.com/.well-known/oauth-protected-resource/v1',
    },
    {
      DPOP_REQUIRED_ISSUERS: 'https://auth.example.com/,https://other.example.com',
      DPOP_PROOF_MAX_AGE_SECONDS: '90',
      DPOP_REPLAY_TABLE: 'dpop-replay',
      DPOP_NONCES: 'true',
      RESOURCE_METADATA_URL: 'https://api.example.com/.well-known/oauth-protected-resource/v1',
    },
    {
      requiredIssuers: ['https://auth.example.com/', 'https://other.example.com'],
      proofMaxAgeSeconds: 90,
      replayTable: { tableName: 'dpop-replay', endpoint: undefined },
      nonces: {
        dpopOnly: false,
        resourceMetadataUrl: 'https://api.example.com/.well-known/oauth-protected-resource/v1',
      },
    },
  ],
  [
    'every issuer required, nonces off: no metadata URL travels',
    { requiredIssuers: ['*'], nonces: false, resourceMetadataUrl: 'https://api.example.com/.well-known/x' },
    { DPOP_REQUIRED_ISSUERS: '*' },
    // `*` is every configured issuer.
    {
      requiredIssuers: ['https://auth.example.com/', 'https://other.example.com'],
      proofMaxAgeSeconds: 60,
      replayTable: null,
      nonces: null,
    },
  ],
  [
    'no DPoP settings at all',
    {},
    {},
    { requiredIssuers: [], proofMaxAgeSeconds: 60, replayTable: null, nonces: null },
  ],
] as const)(
  'DPoP settings (%s) render as the variables parseConfig reads back',
  (_, dpop, variables, parsed) => {
    const rendered = renderAuthorizerSettings({
      issuer: { issuer: 'https://auth.example.com/', audience: ['api'] },
      issuers: [{ issuer: 'https://other.example.com', audience: ['api'] }],
      routes: ROUTES,
      dpop,
    });
    const dpopVariables = Object.fromEntries(
      Object.entries(rendered.environment).filter(
        ([name]) => name.startsWith('DPOP_') || name === 'RESOURCE_METADATA_URL',
      ),
    );
    expect(dpopVariables).toEqual(variables);
    expect(read({ ...rendered.environment }, { ...rendered.files }).dpop).toEqual(parsed);
  },
);
