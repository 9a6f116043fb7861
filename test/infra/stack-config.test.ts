// readStackConfig: CDK context (-c key=value) to the stack's typed settings, and the errors that name the key.
import { InfraConfigError } from 'bearer-gate';
import { DEFAULT_CALLBACK_URL, readStackConfig } from '../../infra/stacks';

const from = (context: Record<string, unknown>) => (key: string) => context[key];

test('no context: a turnkey Cognito pool with the loopback callback', () => {
  expect(readStackConfig(from({}))).toEqual({
    identity: { kind: 'cognito', callbackUrls: [DEFAULT_CALLBACK_URL], logoutUrls: [DEFAULT_CALLBACK_URL] },
    corsAllowOrigin: null,
  });
});

test('issuer and audience: trust that IdP; audiences are comma-separated and trimmed', () => {
  expect(
    readStackConfig(
      from({ issuer: ' https://id.example.com/ ', audience: 'https://api.example.com, urn:items' }),
    ),
  ).toEqual({
    identity: {
      kind: 'issuer',
      issuer: 'https://id.example.com/',
      audience: ['https://api.example.com', 'urn:items'],
      maxTokenLifetimeSeconds: 86_400,
    },
    corsAllowOrigin: null,
  });
});

test('issuer mode: maxTokenLifetime sets how long a subject revocation is kept', () => {
  expect(
    readStackConfig(from({ issuer: 'https://id.example.com/', audience: 'x', maxTokenLifetime: '3600' }))
      .identity,
  ).toMatchObject({ kind: 'issuer', maxTokenLifetimeSeconds: 3600 });
});

test('all Cognito and CORS settings', () => {
  expect(
    readStackConfig(
      from({
        cognitoDomainPrefix: 'items-demo',
        callbackUrls: 'https://app.example.com/cb,http://localhost:3000/cb',
        logoutUrls: 'https://app.example.com/',
        corsAllowOrigin: 'https://app.example.com',
      }),
    ),
  ).toEqual({
    identity: {
      kind: 'cognito',
      domainPrefix: 'items-demo',
      callbackUrls: ['https://app.example.com/cb', 'http://localhost:3000/cb'],
      logoutUrls: ['https://app.example.com/'],
    },
    corsAllowOrigin: 'https://app.example.com',
  });
});

test.each<[string, Record<string, unknown>, string, string]>([
  [
    'issuer without audience',
    { issuer: 'https://id.example.com/' },
    'audience',
    'context audience is required with issuer; got nothing. Pass the API identifier, e.g. -c audience=https://api.example.com.',
  ],
  [
    'audience without issuer',
    { audience: 'x' },
    'issuer',
    'context issuer is required with audience; got nothing. Pass -c issuer=<your IdP issuer URL>, or drop both to create a Cognito user pool.',
  ],
  [
    'jwksUri without issuer',
    { jwksUri: 'https://id.example.com/jwks' },
    'issuer',
    'context issuer is required with jwksUri; got nothing. Pass -c issuer=<your IdP issuer URL>, or drop both to create a Cognito user pool.',
  ],
  [
    'http issuer',
    { issuer: 'http://id.example.com', audience: 'x' },
    'issuer',
    'context issuer must be an absolute https: URL; got "http://id.example.com". Pass the issuer exactly as in the `iss` claim, e.g. -c issuer=https://example.eu.auth0.com/.',
  ],
  [
    'http jwksUri',
    { issuer: 'https://id.example.com', audience: 'x', jwksUri: 'http://id.example.com/jwks' },
    'jwksUri',
    'context jwksUri must be an absolute https: URL; got "http://id.example.com/jwks". Pass the https URL of the JWKS.',
  ],
  [
    'token lifetime under a minute',
    { issuer: 'https://id.example.com', audience: 'x', maxTokenLifetime: '59' },
    'maxTokenLifetime',
    'context maxTokenLifetime must be whole seconds from 60 to 31536000; got "59". Pass your issuer\'s access token lifetime, e.g. -c maxTokenLifetime=3600.',
  ],
  [
    'token lifetime that is not a number',
    { issuer: 'https://id.example.com', audience: 'x', maxTokenLifetime: '1h' },
    'maxTokenLifetime',
    'context maxTokenLifetime must be whole seconds from 60 to 31536000; got "1h". Pass your issuer\'s access token lifetime, e.g. -c maxTokenLifetime=3600.',
  ],
  [
    'non-string value',
    { issuer: 42 },
    'issuer',
    'context issuer must be a string; got 42. Pass -c issuer=<value>.',
  ],
  [
    'domain prefix with a reserved word',
    { cognitoDomainPrefix: 'my-cognito' },
    'cognitoDomainPrefix',
    'context cognitoDomainPrefix must be 1-63 lower-case letters, digits and inner hyphens, without "aws", "amazon" or "cognito"; got "my-cognito". Pick a prefix unique in the region, e.g. -c cognitoDomainPrefix=items-demo-7f3a.',
  ],
  [
    'domain prefix with upper case',
    { cognitoDomainPrefix: 'Items' },
    'cognitoDomainPrefix',
    'context cognitoDomainPrefix must be 1-63 lower-case letters, digits and inner hyphens, without "aws", "amazon" or "cognito"; got "Items". Pick a prefix unique in the region, e.g. -c cognitoDomainPrefix=items-demo-7f3a.',
  ],
  [
    'http callback that is not localhost',
    { callbackUrls: 'http://app.example.com/cb' },
    'callbackUrls',
    'context callbackUrls may use http only for localhost; got "http://app.example.com/cb". Use https, or http://localhost:<port>/<path>.',
  ],
  [
    'callback that is not a URL',
    { callbackUrls: 'callback' },
    'callbackUrls',
    'context callbackUrls must be an absolute https: or http: URL; got "callback". Use comma-separated absolute URLs.',
  ],
  [
    'empty callback list',
    { callbackUrls: ' , ' },
    'callbackUrls',
    'context callbackUrls must list at least one URL. Pass -c callbackUrls=http://localhost:8400/callback.',
  ],
  [
    'CORS origin that is not a URL',
    { corsAllowOrigin: 'app.example.com' },
    'corsAllowOrigin',
    'context corsAllowOrigin must be an absolute https: or http: URL; got "app.example.com". Pass the browser app\'s origin, e.g. -c corsAllowOrigin=https://app.example.com.',
  ],
  [
    'CORS origin "*" (every site)',
    { corsAllowOrigin: '*' },
    'corsAllowOrigin',
    'context corsAllowOrigin must be an absolute https: or http: URL; got "*". Pass the browser app\'s origin, e.g. -c corsAllowOrigin=https://app.example.com.',
  ],
  [
    'CORS origin with a path',
    { corsAllowOrigin: 'https://app.example.com/' },
    'corsAllowOrigin',
    'context corsAllowOrigin must be one origin (scheme://host[:port], no path); got "https://app.example.com/". Pass the browser app\'s origin, e.g. -c corsAllowOrigin=https://app.example.com.',
  ],
])('%s', (_name, context, subject, message) => {
  let error: unknown;
  try {
    readStackConfig(from(context));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InfraConfigError);
  expect(error).toMatchObject({ name: 'InfraConfigError', code: 'INVALID_CONTEXT', subject, message });
});
