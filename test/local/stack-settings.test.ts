// npm start settings: defaults, the external-issuer switch, and errors that name the variable.
import { SettingError } from '../../local/errors';
import { LOCAL_AUDIENCE, parseStackSettings } from '../../local/stack-settings';

const DEFAULTS = { cacheTtlSeconds: 300, maxRevocationDelaySeconds: 60 };

describe('parseStackSettings', () => {
  test('defaults', () => {
    expect(parseStackSettings({}, DEFAULTS)).toEqual({
      apiPort: 3000,
      issuerPort: 3443,
      appPort: 3080,
      cacheTtlSeconds: 300,
      dynamodbEndpoint: null,
      itemsTable: 'items',
      revocationTable: 'revocations',
      revocationCheck: true,
      maxRevocationDelaySeconds: 60,
      externalIssuer: false,
      audience: LOCAL_AUDIENCE,
      accessTokenTtlSeconds: 900,
      shortLivedTokenTtlSeconds: null,
      statsEndpoint: false,
      stackFile: null,
      authorizerCaching: 'auto',
      dpop: false,
      mtls: false,
      dpopNonces: false,
      dpopReplayTable: 'dpop-replay',
    });
  });

  test('DPOP_NONCES=1 with DPOP=1 requires server nonces, in the replay table DPOP_REPLAY_TABLE names', () => {
    expect(
      parseStackSettings({ DPOP: '1', DPOP_NONCES: '1', DPOP_REPLAY_TABLE: 'replay-e2e' }, DEFAULTS),
    ).toMatchObject({ dpop: true, dpopNonces: true, dpopReplayTable: 'replay-e2e' });
  });

  test.each(['auto', 'token', 'route'])('AUTHORIZER_CACHING=%s is read', (value) => {
    expect(parseStackSettings({ AUTHORIZER_CACHING: value }, DEFAULTS).authorizerCaching).toBe(value);
  });

  test('reads every setting', () => {
    expect(
      parseStackSettings(
        {
          API_PORT: '0',
          ISSUER_PORT: '0',
          APP_PORT: '0',
          AUTHORIZER_CACHE_TTL_SECONDS: '0',
          DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
          ITEMS_TABLE: 'items-e2e',
          REVOCATION_TABLE: 'revocations-e2e',
          REVOCATION_CHECK: '0',
          MAX_REVOCATION_DELAY_SECONDS: '2',
          ACCESS_TOKEN_TTL_SECONDS: '60',
          SHORT_LIVED_TOKEN_TTL_SECONDS: '2',
          GATEWAY_STATS: '1',
          LOCAL_STACK_FILE: '/tmp/x.json',
          DPOP: '1',
          MTLS: 'true',
        },
        DEFAULTS,
      ),
    ).toMatchObject({
      apiPort: 0,
      issuerPort: 0,
      appPort: 0,
      cacheTtlSeconds: 0,
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      itemsTable: 'items-e2e',
      revocationTable: 'revocations-e2e',
      revocationCheck: false,
      maxRevocationDelaySeconds: 2,
      accessTokenTtlSeconds: 60,
      shortLivedTokenTtlSeconds: 2,
      statsEndpoint: true,
      stackFile: '/tmp/x.json',
      dpop: true,
      mtls: true,
    });
  });

  test.each(['ISSUER', 'AUDIENCE', 'JWKS_URI', 'ISSUERS', 'COGNITO_USER_POOL_ID'])(
    '%s switches the gateway to an external issuer',
    (name) => {
      expect(parseStackSettings({ [name]: 'x' }, DEFAULTS).externalIssuer).toBe(true);
    },
  );

  test.each([
    ['API_PORT', '70000', 'API_PORT must be a whole number from 0 to 65535; got "70000"'],
    ['ISSUER_PORT', 'abc', 'ISSUER_PORT must be a whole number from 0 to 65535; got "abc"'],
    ['AUTHORIZER_CACHING', 'never', 'AUTHORIZER_CACHING must be auto, token or route; got "never"'],
    [
      'AUTHORIZER_CACHE_TTL_SECONDS',
      '3601',
      'AUTHORIZER_CACHE_TTL_SECONDS must be a whole number from 0 to 3600; got "3601"',
    ],
    ['DYNAMODB_ENDPOINT', 'localhost:8000', 'DYNAMODB_ENDPOINT must be an http(s) URL; got "localhost:8000"'],
    ['ITEMS_TABLE', 'a', 'ITEMS_TABLE must be a DynamoDB table name; got "a"'],
    ['GATEWAY_STATS', 'yes', 'GATEWAY_STATS must be 1/true or 0/false; got "yes"'],
    ['REVOCATION_TABLE', 'r', 'REVOCATION_TABLE must be a DynamoDB table name; got "r"'],
    ['REVOCATION_CHECK', 'on', 'REVOCATION_CHECK must be 1/true or 0/false; got "on"'],
    ['MTLS', 'required', 'MTLS must be 1/true or 0/false; got "required"'],
    [
      'MAX_REVOCATION_DELAY_SECONDS',
      '0',
      'MAX_REVOCATION_DELAY_SECONDS must be a whole number from 1 to 3600; got "0"',
    ],
    [
      'SHORT_LIVED_TOKEN_TTL_SECONDS',
      '0',
      'SHORT_LIVED_TOKEN_TTL_SECONDS must be a whole number from 1 to 3600; got "0"',
    ],
    ['DPOP_NONCES', '1', 'DPOP_NONCES needs DPOP=1 (server nonces are asked of DPoP proofs)'],
    ['DPOP_NONCES', 'maybe', 'DPOP_NONCES must be 1/true or 0/false; got "maybe"'],
    ['DPOP_REPLAY_TABLE', 'x', 'DPOP_REPLAY_TABLE must be a DynamoDB table name; got "x"'],
  ])('%s=%s is refused', (name, value, message) => {
    let error: unknown;
    try {
      parseStackSettings({ [name]: value }, DEFAULTS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingError);
    expect(error).toMatchObject({ code: 'INVALID_SETTING', setting: name, message });
  });
});
