// The DPoP and protected-resource-metadata contract (RFC 9449 §7.1, RFC 9728 §2, §3.1, §5.1): the exact
// challenge text API Gateway's static 401/403 carry, the metadata URL, and the document. Pure values.
import {
  DPOP_SIGNING_ALGORITHMS,
  buildGatewayResponses,
  gatewayResponse,
  protectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataUrl,
} from '../../lambda/contract';
import { algorithmOf } from '../../lambda/authorizer/algorithms';

const ALGS = 'ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512';
const META = 'https://api.example.com/.well-known/oauth-protected-resource/v1';

test('every DPoP proof algorithm is an asymmetric algorithm the authorizer verifies', () => {
  for (const alg of DPOP_SIGNING_ALGORITHMS) expect(algorithmOf(alg)).toBeDefined();
  expect(DPOP_SIGNING_ALGORITHMS.join(' ')).toBe(ALGS);
});

test.each([
  [{}, 'Bearer error="invalid_token"', 'Bearer error="insufficient_scope"'],
  [
    { resourceMetadataUrl: META },
    `Bearer error="invalid_token", resource_metadata="${META}"`,
    `Bearer error="insufficient_scope", resource_metadata="${META}"`,
  ],
  [
    { dpop: true },
    `Bearer error="invalid_token", DPoP error="invalid_token", algs="${ALGS}"`,
    `Bearer error="insufficient_scope", DPoP error="insufficient_scope", algs="${ALGS}"`,
  ],
  [
    { dpop: true, dpopRequired: true, resourceMetadataUrl: META },
    `DPoP error="invalid_token", algs="${ALGS}", resource_metadata="${META}"`,
    `DPoP error="insufficient_scope", algs="${ALGS}", resource_metadata="${META}"`,
  ],
])('challenges with %o', (options, unauthorized, forbidden) => {
  const responses = buildGatewayResponses(options);
  expect(gatewayResponse('UNAUTHORIZED', responses).headers['WWW-Authenticate']).toBe(unauthorized);
  expect(gatewayResponse('ACCESS_DENIED', responses).headers['WWW-Authenticate']).toBe(forbidden);
});

test('with DPoP on, browsers may send the DPoP header unless the allowed headers are given', () => {
  const on = gatewayResponse('UNAUTHORIZED', buildGatewayResponses({ dpop: true }));
  expect(on.headers['Access-Control-Allow-Headers']).toBe('Authorization,Content-Type,DPoP');
  const given = gatewayResponse(
    'UNAUTHORIZED',
    buildGatewayResponses({ dpop: true, corsAllowHeaders: ['X'] }),
  );
  expect(given.headers['Access-Control-Allow-Headers']).toBe('X');
});

test.each([
  // RFC 9728 §3.1: the suffix goes between the host and the path.
  ['https://api.example.com/v1', META],
  ['https://api.example.com', 'https://api.example.com/.well-known/oauth-protected-resource'],
  ['https://api.example.com/', 'https://api.example.com/.well-known/oauth-protected-resource'],
  ['https://api.example.com/v1/', 'https://api.example.com/.well-known/oauth-protected-resource/v1/'],
  [
    'https://api.example.com:8443/a/b',
    'https://api.example.com:8443/.well-known/oauth-protected-resource/a/b',
  ],
  ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/.well-known/oauth-protected-resource'],
])('the metadata URL of %s is %s', (resource, url) => {
  expect(protectedResourceMetadataUrl(resource)).toBe(url);
  expect(protectedResourceMetadataPath(resource)).toBe(new URL(url).pathname);
});

test.each([
  ['http://api.example.com', 'resource must use https (RFC 9728 §1.2); got "http://api.example.com"'],
  [
    'https://api.example.com/v1#x',
    'resource must have no query or fragment (RFC 9728 §1.2); got "https://api.example.com/v1#x"',
  ],
  [
    'https://api.example.com/v1?x=1',
    'resource must have no query or fragment (RFC 9728 §1.2); got "https://api.example.com/v1?x=1"',
  ],
  ['/v1', 'resource must be an absolute https URL; got "/v1"'],
])('the resource %s is refused', (resource, message) => {
  expect(() => protectedResourceMetadataUrl(resource)).toThrow(new RangeError(message));
});

test('the metadata document has the RFC 9728 §2 members this resource can promise', () => {
  const base = {
    resource: 'https://api.example.com/v1',
    authorizationServers: ['https://issuer.example.com'],
    scopes: ['items:write', 'items:read', 'items:read'],
  };
  expect(JSON.stringify(protectedResourceMetadata({ ...base, dpop: false }))).toBe(
    '{"resource":"https://api.example.com/v1","authorization_servers":["https://issuer.example.com"],' +
      '"scopes_supported":["items:read","items:write"],"bearer_methods_supported":["header"]}',
  );
  expect(protectedResourceMetadata({ ...base, dpop: true, dpopRequired: true })).toEqual({
    resource: 'https://api.example.com/v1',
    authorization_servers: ['https://issuer.example.com'],
    scopes_supported: ['items:read', 'items:write'],
    bearer_methods_supported: ['header'],
    dpop_signing_alg_values_supported: ALGS.split(' '),
    dpop_bound_access_tokens_required: true,
  });
  // RFC 9728 §2's order: tls_client_certificate_bound_access_tokens before the DPoP members.
  expect(JSON.stringify(protectedResourceMetadata({ ...base, dpop: true, mutualTls: true }))).toBe(
    '{"resource":"https://api.example.com/v1","authorization_servers":["https://issuer.example.com"],' +
      '"scopes_supported":["items:read","items:write"],"bearer_methods_supported":["header"],' +
      `"tls_client_certificate_bound_access_tokens":true,"dpop_signing_alg_values_supported":${JSON.stringify(ALGS.split(' '))}}`,
  );
  expect(protectedResourceMetadata({ ...base, dpop: false, mutualTls: false })).not.toHaveProperty(
    'tls_client_certificate_bound_access_tokens',
  );
});
