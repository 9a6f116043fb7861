// The claim settings of parseConfig: PERMISSION_CLAIMS, REQUIRED_CLAIMS, CONTEXT_CLAIMS (with ISSUER), their
// COGNITO_ twins, and the fields of an ISSUERS entry; each bad value fails the init naming variable and field.
import { ConfigError, parseConfig } from '../../lambda/authorizer';
import { JsonNumber } from '../../lambda/authorizer/json-number';

const ROUTES = JSON.stringify([{ method: 'GET', path: '/items', scopes: ['items:read'] }]);
const base = { ISSUER: 'https://issuer.test/', AUDIENCE: 'api', ROUTES };
const cognito = { ROUTES, COGNITO_USER_POOL_ID: 'eu-west-1_Abc123', COGNITO_CLIENT_ID: 'c1' };

function issuers(entry: Record<string, unknown>): string {
  return JSON.stringify([{ issuer: 'https://other.test', audience: ['api'], ...entry }]);
}

test('PERMISSION_CLAIMS: names, dotted paths and escaped dots, in order', () => {
  const [issuer] = parseConfig({
    ...base,
    PERMISSION_CLAIMS: ' roles , realm_access.roles,https://example\\.com/roles, a\\\\b',
  }).issuers;
  expect(issuer?.permissionClaims).toEqual([
    { name: 'roles', segments: ['roles'] },
    { name: 'realm_access.roles', segments: ['realm_access', 'roles'] },
    { name: 'https://example\\.com/roles', segments: ['https://example.com/roles'] },
    { name: 'a\\\\b', segments: ['a\\b'] },
  ]);
  expect(Object.isFrozen(issuer?.permissionClaims)).toBe(true);
});

test('REQUIRED_CLAIMS: one value or a list of accepted values, each a string, number or boolean', () => {
  const [issuer] = parseConfig({
    ...base,
    REQUIRED_CLAIMS: '{"email_verified": true, "tid": "t-1", "acr": ["urn:mfa", 2], "ext.level": 0}',
  }).issuers;
  expect(issuer?.requiredClaims).toEqual([
    { claim: { name: 'email_verified', segments: ['email_verified'] }, accepted: [true] },
    { claim: { name: 'tid', segments: ['tid'] }, accepted: ['t-1'] },
    { claim: { name: 'acr', segments: ['acr'] }, accepted: ['urn:mfa', 2] },
    { claim: { name: 'ext.level', segments: ['ext', 'level'] }, accepted: [0] },
  ]);
});

test.each<[string, Record<string, string>, unknown[]]>([
  [
    'REQUIRED_CLAIMS',
    { ...base, REQUIRED_CLAIMS: '{"tenant": 1234567890123456789}' },
    [new JsonNumber('1234567890123456789')],
  ],
  [
    'REQUIRED_CLAIMS, a list',
    {
      ...base,
      REQUIRED_CLAIMS: '{"tenant": [2, 9007199254740991, 9007199254740993, "x", 1e400, 0.10000000000000001]}',
    },
    [
      2,
      9007199254740991,
      new JsonNumber('9007199254740993'),
      'x',
      new JsonNumber('1e400'),
      new JsonNumber('0.10000000000000001'),
    ],
  ],
  [
    'REQUIRED_CLAIMS with the member twice (the last counts, as in JSON.parse)',
    { ...base, REQUIRED_CLAIMS: '{"tenant": 1234567890123456789, "tenant": 5}' },
    [5],
  ],
  [
    'COGNITO_REQUIRED_CLAIMS',
    { ...cognito, COGNITO_REQUIRED_CLAIMS: '{"custom:tenant": 1.2345678901234567890e18}' },
    [new JsonNumber('1.2345678901234567890e18')],
  ],
  [
    'an ISSUERS entry',
    {
      ROUTES,
      ISSUERS: issuers({}).replace(/}]$/, ',"requiredClaims":{"tenant":[1234567890123456789, 7]}}]'),
    },
    [new JsonNumber('1234567890123456789'), 7],
  ],
])('%s keeps every digit of a number a double does not hold', (_name, env, accepted) => {
  const [required] = parseConfig(env).issuers[0]?.requiredClaims ?? [];
  expect(required?.accepted).toEqual(accepted);
  // A JsonNumber where the double would round, and a plain number nowhere else.
  expect(required?.accepted.map((v) => v instanceof JsonNumber)).toEqual(
    accepted.map((v) => v instanceof JsonNumber),
  );
});

test('CONTEXT_CLAIMS: each claim with the context key a mapping template can address', () => {
  const [issuer] = parseConfig({ ...base, CONTEXT_CLAIMS: 'email,cognito:groups,tenant.id' }).issuers;
  expect(issuer?.contextClaims?.map((c) => [c.claim.name, c.key])).toEqual([
    ['email', 'email'],
    ['cognito:groups', 'cognito_groups'],
    ['tenant.id', 'tenant_id'],
  ]);
});

test('an ISSUERS entry takes permissionClaims, requiredClaims and contextClaims; jwksUri may be left out', () => {
  const { issuers: parsed } = parseConfig({
    ROUTES,
    ISSUERS: issuers({
      permissionClaims: ['roles', 'realm_access.roles'],
      requiredClaims: { tid: 't-1' },
      contextClaims: ['tid'],
    }),
  });
  expect(parsed).toEqual([
    {
      issuer: 'https://other.test',
      audience: ['api'],
      // Left out: OIDC discovery finds it at cold start.
      jwksUri: null,
      permissionClaims: [
        { name: 'roles', segments: ['roles'] },
        { name: 'realm_access.roles', segments: ['realm_access', 'roles'] },
      ],
      requiredClaims: [{ claim: { name: 'tid', segments: ['tid'] }, accepted: ['t-1'] }],
      contextClaims: [{ claim: { name: 'tid', segments: ['tid'] }, key: 'tid' }],
    },
  ]);
});

test('empty lists and objects mean none, like leaving the field out', () => {
  const [issuer] = parseConfig({
    ROUTES,
    ISSUERS: issuers({ permissionClaims: [], requiredClaims: {}, contextClaims: [] }),
  }).issuers;
  expect(issuer).toEqual({
    issuer: 'https://other.test',
    audience: ['api'],
    jwksUri: null,
  });
});

test('the COGNITO_ variables apply to the user pool issuer only', () => {
  const { issuers: parsed } = parseConfig({
    ...base,
    ...cognito,
    COGNITO_PERMISSION_CLAIMS: 'cognito:groups',
    COGNITO_REQUIRED_CLAIMS: '{"email_verified": true}',
    COGNITO_CONTEXT_CLAIMS: 'cognito:groups',
  });
  expect(parsed[0]).not.toHaveProperty('permissionClaims');
  expect(parsed[1]).toMatchObject({
    permissionClaims: [{ name: 'cognito:groups', segments: ['cognito:groups'] }],
    requiredClaims: [{ claim: { name: 'email_verified' }, accepted: [true] }],
    contextClaims: [{ key: 'cognito_groups' }],
  });
});

const EMPTY_SEGMENT =
  'has an empty segment (a leading, trailing or doubled dot; write \\. for a literal dot)';
const NOT_A_VALUE = 'must be a string, a number, a boolean or an array of them; got';

const bad: Array<[string, Record<string, string>, string, string]> = [
  [
    'an empty entry',
    { ...base, PERMISSION_CLAIMS: 'roles,,groups' },
    'PERMISSION_CLAIMS',
    'entry 2 ("") is an empty claim name',
  ],
  [
    'a doubled dot',
    { ...base, PERMISSION_CLAIMS: 'realm_access..roles' },
    'PERMISSION_CLAIMS',
    `entry 1 ("realm_access..roles") ${EMPTY_SEGMENT}`,
  ],
  [
    'a trailing dot',
    { ...base, PERMISSION_CLAIMS: 'roles.' },
    'PERMISSION_CLAIMS',
    `entry 1 ("roles.") ${EMPTY_SEGMENT}`,
  ],
  [
    'a __proto__ segment',
    { ...base, PERMISSION_CLAIMS: 'a.__proto__.b' },
    'PERMISSION_CLAIMS',
    'entry 1 ("a.__proto__.b") names "__proto__", which no claim path may follow',
  ],
  [
    'constructor',
    { ...base, PERMISSION_CLAIMS: 'roles,constructor' },
    'PERMISSION_CLAIMS',
    'entry 2 ("constructor") names "constructor", which no claim path may follow',
  ],
  [
    'prototype',
    { ...base, PERMISSION_CLAIMS: 'x.prototype' },
    'PERMISSION_CLAIMS',
    'entry 1 ("x.prototype") names "prototype", which no claim path may follow',
  ],
  [
    'a stray backslash',
    { ...base, PERMISSION_CLAIMS: 'a\\b' },
    'PERMISSION_CLAIMS',
    'entry 1 ("a\\\\b") has a backslash that escapes neither "." nor "\\"',
  ],
  [
    'scope, which always counts',
    { ...base, PERMISSION_CLAIMS: 'roles,scope' },
    'PERMISSION_CLAIMS',
    'entry 2 ("scope") always counts; leave it out',
  ],
  [
    'scp, which always counts',
    { ...base, PERMISSION_CLAIMS: 'scp' },
    'PERMISSION_CLAIMS',
    'entry 1 ("scp") always counts; leave it out',
  ],
  [
    'a name over 256 characters',
    { ...base, PERMISSION_CLAIMS: 'r'.repeat(257) },
    'PERMISSION_CLAIMS',
    `entry 1 ("${'r'.repeat(257)}") is longer than 256 characters`,
  ],
  [
    '17 segments',
    { ...base, PERMISSION_CLAIMS: Array(17).fill('a').join('.') },
    'PERMISSION_CLAIMS',
    `entry 1 ("${Array(17).fill('a').join('.')}") has more than 16 segments`,
  ],
  [
    'PERMISSION_CLAIMS without ISSUER',
    { ROUTES, ISSUERS: issuers({}), PERMISSION_CLAIMS: 'roles' },
    'ISSUER',
    'is required when PERMISSION_CLAIMS is set',
  ],
  [
    'REQUIRED_CLAIMS without ISSUER',
    { ...cognito, REQUIRED_CLAIMS: '{"a":1}' },
    'ISSUER',
    'is required when REQUIRED_CLAIMS is set',
  ],
  [
    'COGNITO_CONTEXT_CLAIMS without a pool',
    { ...base, COGNITO_CONTEXT_CLAIMS: 'email' },
    'COGNITO_USER_POOL_ID',
    'is required when COGNITO_CONTEXT_CLAIMS is set',
  ],
  [
    'REQUIRED_CLAIMS not JSON',
    { ...base, REQUIRED_CLAIMS: '{"tid":' },
    'REQUIRED_CLAIMS',
    'must be valid JSON, e.g. {"email_verified": true}',
  ],
  [
    'REQUIRED_CLAIMS an array',
    { ...base, REQUIRED_CLAIMS: '["tid"]' },
    'REQUIRED_CLAIMS',
    'must be a JSON object of claim name to accepted value(s), e.g. {"email_verified": true}; got ["tid"]',
  ],
  [
    'a required value that is an object',
    { ...base, REQUIRED_CLAIMS: '{"org":{"id":"x"}}' },
    'REQUIRED_CLAIMS',
    `"org" ${NOT_A_VALUE} {"id":"x"} (objects and nested arrays cannot be required)`,
  ],
  [
    'a required value in a nested array',
    { ...base, REQUIRED_CLAIMS: '{"acr":["a",["b"]]}' },
    'REQUIRED_CLAIMS',
    `"acr" ${NOT_A_VALUE} ["b"] (objects and nested arrays cannot be required)`,
  ],
  [
    'a required value that is null',
    { ...base, REQUIRED_CLAIMS: '{"tid":null}' },
    'REQUIRED_CLAIMS',
    `"tid" ${NOT_A_VALUE} null`,
  ],
  [
    'an empty list of accepted values',
    { ...base, REQUIRED_CLAIMS: '{"acr":[]}' },
    'REQUIRED_CLAIMS',
    '"acr" must list at least one accepted value; got []',
  ],
  [
    'an empty required claim name',
    { ...base, REQUIRED_CLAIMS: '{"":true}' },
    'REQUIRED_CLAIMS',
    '"" is an empty claim name',
  ],
  [
    'a required aud',
    { ...base, REQUIRED_CLAIMS: '{"aud":"api"}' },
    'REQUIRED_CLAIMS',
    '"aud" is checked already by the issuer, audience and expiry checks; leave it out',
  ],
  [
    'a required __proto__',
    { ...base, REQUIRED_CLAIMS: '{"__proto__":true}' },
    'REQUIRED_CLAIMS',
    '"__proto__" names "__proto__", which no claim path may follow',
  ],
  [
    'a context claim named like a built-in key',
    { ...base, CONTEXT_CLAIMS: 'email,sub' },
    'CONTEXT_CLAIMS',
    'entry 2 ("sub") gives the context key "sub", which the authorizer sets itself',
  ],
  [
    'principalId, which API Gateway sets',
    { ...base, CONTEXT_CLAIMS: 'principalId' },
    'CONTEXT_CLAIMS',
    'entry 1 ("principalId") gives the context key "principalId", which the authorizer sets itself',
  ],
  [
    'two context claims with one key',
    { ...base, CONTEXT_CLAIMS: 'cognito:groups,cognito.groups' },
    'CONTEXT_CLAIMS',
    'entry 2 ("cognito.groups") gives the context key "cognito_groups", as "cognito:groups" does already',
  ],
  [
    'a context key that starts with no letter',
    { ...base, CONTEXT_CLAIMS: '_internal' },
    'CONTEXT_CLAIMS',
    'entry 1 ("_internal") gives the context key "_internal", which does not start with a letter',
  ],
  [
    'ISSUERS permissionClaims as a string',
    { ROUTES, ISSUERS: issuers({ permissionClaims: 'roles' }) },
    'ISSUERS',
    'ISSUERS[0].permissionClaims must be an array of claim names; got "roles"',
  ],
  [
    'ISSUERS permissionClaims with an empty name',
    { ROUTES, ISSUERS: issuers({ permissionClaims: ['roles', ''] }) },
    'ISSUERS',
    'ISSUERS[0].permissionClaims[1] ("") is an empty claim name',
  ],
  [
    'ISSUERS permissionClaims with a number',
    { ROUTES, ISSUERS: issuers({ permissionClaims: [7] }) },
    'ISSUERS',
    'ISSUERS[0].permissionClaims[0] (7) must be a string; got 7',
  ],
  [
    'ISSUERS requiredClaims as an array',
    { ROUTES, ISSUERS: issuers({ requiredClaims: ['tid'] }) },
    'ISSUERS',
    'ISSUERS[0].requiredClaims must be a JSON object of claim name to accepted value(s), e.g. {"email_verified": true}; got ["tid"]',
  ],
  [
    'ISSUERS requiredClaims with an object value',
    { ROUTES, ISSUERS: issuers({ requiredClaims: { org: { id: 1 } } }) },
    'ISSUERS',
    `ISSUERS[0].requiredClaims.org ${NOT_A_VALUE} {"id":1} (objects and nested arrays cannot be required)`,
  ],
  [
    'ISSUERS contextClaims taking "issuer"',
    { ROUTES, ISSUERS: issuers({ contextClaims: ['issuer'] }) },
    'ISSUERS',
    'ISSUERS[0].contextClaims[0] ("issuer") gives the context key "issuer", which the authorizer sets itself',
  ],
  [
    'ISSUERS with a misspelt field',
    { ROUTES, ISSUERS: issuers({ permissionClaim: ['roles'] }) },
    'ISSUERS',
    'ISSUERS[0] has unknown field(s): permissionClaim',
  ],
];

test.each(bad)('%s fails the init, naming the variable and the field', (_name, env, variable, message) => {
  let error: unknown;
  try {
    parseConfig(env);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variable).toBe(variable);
  expect((error as ConfigError).message).toBe(`${variable}: ${message}`);
});
