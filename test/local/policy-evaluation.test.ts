// IAM policy evaluation of the local gateway: explicit Deny wins, Allow with wildcards, no match is a deny.
import { arnMatches, evaluatePolicy, type PolicyStatement } from '../../local/gateway';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:local123ab/local/GET/items/42';

function allow(...resources: string[]): PolicyStatement {
  return { Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: resources };
}
function deny(...resources: string[]): PolicyStatement {
  return { Effect: 'Deny', Action: ['execute-api:Invoke'], Resource: resources };
}

describe('arnMatches', () => {
  test.each([
    ['the exact ARN', ARN, true],
    ['* alone', '*', true],
    ['a path wildcard', 'arn:aws:execute-api:us-east-1:123456789012:local123ab/local/GET/items/*', true],
    ['a wildcard across path segments', 'arn:aws:execute-api:us-east-1:123456789012:local123ab/*', true],
    ['? for one character', 'arn:aws:execute-api:us-east-1:123456789012:local123ab/local/GET/items/4?', true],
    [
      '? does not match two characters',
      'arn:aws:execute-api:us-east-1:123456789012:local123ab/local/GET/items/?',
      false,
    ],
    ['wildcards in region and account', 'arn:aws:execute-api:*:*:local123ab/local/GET/items/42', true],
    ['another method', 'arn:aws:execute-api:us-east-1:123456789012:local123ab/local/POST/items/*', false],
    ['another stage', 'arn:aws:execute-api:us-east-1:123456789012:local123ab/prod/GET/items/*', false],
    [
      'a region wildcard cannot swallow the account',
      'arn:aws:execute-api:*:local123ab/local/GET/items/42',
      false,
    ],
    [
      'regex characters are literal',
      'arn:aws:execute-api:us-east-1:123456789012:local123ab/local/GET/items/4.',
      false,
    ],
    ['not an ARN', 'items/42', false],
  ])('%s', (_name, pattern, expected) => {
    expect(arnMatches(pattern, ARN)).toBe(expected);
  });
});

describe('evaluatePolicy', () => {
  test.each([
    ['a matching Allow', [allow(ARN)], 'allow'],
    ['an explicit Deny wins over an Allow', [allow('*'), deny(ARN)], 'explicit-deny'],
    [
      'a Deny listed first still wins',
      [deny('arn:aws:execute-api:*:*:local123ab/*'), allow(ARN)],
      'explicit-deny',
    ],
    [
      'a Deny of another route does not apply',
      [allow(ARN), deny('arn:aws:execute-api:*:*:local123ab/local/POST/*')],
      'allow',
    ],
    [
      'no matching statement is an implicit deny',
      [allow('arn:aws:execute-api:*:*:other/*')],
      'implicit-deny',
    ],
    [
      'an Allow for another action does not apply',
      [{ Effect: 'Allow', Action: ['execute-api:ManageConnections'], Resource: [ARN] } as PolicyStatement],
      'implicit-deny',
    ],
    [
      'action wildcards apply, case-insensitively',
      [{ Effect: 'Allow', Action: ['Execute-API:*'], Resource: [ARN] } as PolicyStatement],
      'allow',
    ],
  ])('%s', (_name, statements, expected) => {
    expect(evaluatePolicy({ Statement: statements as PolicyStatement[] }, ARN)).toBe(expected);
  });
});
