// USAGE_IDENTIFIER_CLAIM: the authorizer returns the configured claim as usageIdentifierKey (what API Gateway
// usage plans with API key source AUTHORIZER meter by), and nothing when the token does not carry it as a
// non-empty string; the decision is otherwise exactly the same. Real keys, real tokens, real HTTPS JWKS.
import { ConfigError } from '../../lambda/authorizer';
import { claims, signToken } from '../support/keys';
import { startHarness, tokenEvent, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

function bearer(payload: Record<string, unknown>): ReturnType<typeof tokenEvent> {
  return tokenEvent(`Bearer ${signToken(h.keys.rsa, payload)}`);
}

test('the claim becomes usageIdentifierKey, beside exactly the result the authorizer gives without it', async () => {
  const token = bearer(claims({ client_id: 'partner-1234567890abcdef' }));
  const plain = await h.authorizer().authorize(token);
  expect(plain).not.toHaveProperty('usageIdentifierKey');
  const metered = await h.authorizer({ USAGE_IDENTIFIER_CLAIM: 'client_id' }).authorize(token);
  expect(metered).toEqual({ ...plain, usageIdentifierKey: 'partner-1234567890abcdef' });
});

test('a dotted path reaches a nested claim; \\. is a literal dot', async () => {
  const token = bearer(claims({ app: { 'client.id': 'nested-1234567890abcdef' } }));
  const result = await h.authorizer({ USAGE_IDENTIFIER_CLAIM: 'app.client\\.id' }).authorize(token);
  expect(result.usageIdentifierKey).toBe('nested-1234567890abcdef');
});

test('per-route (REQUEST) decisions carry it too', async () => {
  const event = {
    type: 'REQUEST',
    methodArn: tokenEvent('').methodArn,
    headers: { Authorization: `Bearer ${signToken(h.keys.rsa, claims({ azp: 'spa-1234567890abcdef' }))}` },
    httpMethod: 'GET',
    resource: '/items',
    path: '/items',
    requestContext: { httpMethod: 'GET', resourcePath: '/items' },
  };
  const result = await h.authorizer({ USAGE_IDENTIFIER_CLAIM: 'azp' }).authorize(event as never);
  expect([result.policyDocument.Statement[0]?.Effect, result.usageIdentifierKey]).toEqual([
    'Allow',
    'spa-1234567890abcdef',
  ]);
});

test.each<[string, unknown]>([
  ['missing', undefined],
  ['empty', ''],
  ['a number', 1234567890],
  ['an array', ['a-1234567890abcdef']],
  ['an object', { id: 'a-1234567890abcdef' }],
  ['null', null],
  ['true', true],
])('a token whose claim is %s gets no usage identifier, and the same decision', async (_name, value) => {
  // A claim of the app's own: the standard ones (client_id, azp) must be strings, or the token is refused.
  const token = bearer(claims({ plan_key: value }));
  const plain = await h.authorizer().authorize(token);
  const metered = await h.authorizer({ USAGE_IDENTIFIER_CLAIM: 'plan_key' }).authorize(token);
  expect(metered).toEqual(plain);
  expect(metered).not.toHaveProperty('usageIdentifierKey');
});

test.each<[string, string]>([
  ['.client_id', 'has an empty segment (a leading, trailing or doubled dot; write \\. for a literal dot)'],
  ['a..b', 'has an empty segment (a leading, trailing or doubled dot; write \\. for a literal dot)'],
  ['__proto__', 'names "__proto__", which no claim path may follow'],
  ['a\\b', 'has a backslash that escapes neither "." nor "\\"'],
])('USAGE_IDENTIFIER_CLAIM %j fails the init, naming the variable', (name, problem) => {
  let error: unknown;
  try {
    h.config({ USAGE_IDENTIFIER_CLAIM: name });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toBe(`USAGE_IDENTIFIER_CLAIM: "${name}" ${problem}`);
});
