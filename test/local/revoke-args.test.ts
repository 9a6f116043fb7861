// `npm run revoke` flags: the three ways to name what to revoke, the unverified read of jti/exp from a JWT,
// and errors that name the flag.
import { SettingError } from '../../local/errors';
import { parseRevokeArgs, revocationBody, unverifiedTokenId } from '../../local/revoke-args';

function jwt(payload: unknown): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(payload)}.c2ln`;
}

test.each<[string, string[], unknown]>([
  [
    '--token',
    ['--token', jwt({ jti: 'j-1', exp: 1900000000 })],
    { kind: 'token', tokenId: 'j-1', expiresAt: 1900000000 },
  ],
  [
    '--token=',
    [`--token=Bearer ${jwt({ jti: 'j-2', exp: 1900000001 })}`],
    { kind: 'token', tokenId: 'j-2', expiresAt: 1900000001 },
  ],
  [
    '--token-id with --expires-at',
    ['--token-id', 'j-3', '--expires-at', '1900000002'],
    { kind: 'token', tokenId: 'j-3', expiresAt: 1900000002 },
  ],
  ['--subject', ['--subject', 'alice'], { kind: 'subject', subject: 'alice' }],
  [
    '--subject with --issuer',
    ['--subject', 'alice', '--issuer', 'https://other.test'],
    { kind: 'subject', subject: 'alice', issuer: 'https://other.test' },
  ],
])('%s', (_name, argv, request) => {
  expect(parseRevokeArgs(argv)).toEqual({ help: false, request });
});

test('--help', () => {
  expect(parseRevokeArgs(['--help'])).toEqual({ help: true });
});

test('the body is exactly what POST /revocations accepts', () => {
  expect(revocationBody({ kind: 'token', tokenId: 'j', expiresAt: 5 }, 'https://stack.test')).toEqual({
    tokenId: 'j',
    expiresAt: 5,
  });
  // A subject is named with its issuer: the stack's, unless --issuer says otherwise.
  expect(revocationBody({ kind: 'subject', subject: 's' }, 'https://stack.test')).toEqual({
    issuer: 'https://stack.test',
    subject: 's',
  });
  expect(
    revocationBody({ kind: 'subject', subject: 's', issuer: 'https://o.test' }, 'https://stack.test'),
  ).toEqual({
    issuer: 'https://o.test',
    subject: 's',
  });
});

test.each<[string, string[], string, string]>([
  [
    'nothing',
    [],
    'revoke',
    'revoke needs exactly one of --token JWT, --token-id JTI --expires-at EPOCH, or --subject SUB',
  ],
  [
    'two kinds',
    ['--subject', 'a', '--token-id', 'j', '--expires-at', '1'],
    'revoke',
    'revoke needs exactly one of --token JWT, --token-id JTI --expires-at EPOCH, or --subject SUB',
  ],
  ['an unknown flag', ['--user', 'a'], '--user', '--user is not a revoke flag (see --help)'],
  ['a flag twice', ['--subject', 'a', '--subject', 'b'], '--subject', '--subject is given twice'],
  ['a missing value', ['--subject'], '--subject', '--subject needs a value'],
  [
    '--issuer without --subject',
    ['--issuer', 'https://o.test', '--token-id', 'j'],
    '--issuer',
    '--issuer needs --subject SUB',
  ],
  [
    'an id without expiry',
    ['--token-id', 'j'],
    '--token-id',
    '--token-id needs --expires-at EPOCH (the token’s exp)',
  ],
  ['an expiry without id', ['--expires-at', '5'], '--expires-at', '--expires-at needs --token-id JTI'],
  [
    'a bad expiry',
    ['--token-id', 'j', '--expires-at', '5s'],
    '--expires-at',
    '--expires-at must be whole seconds since the epoch; got "5s"',
  ],
  ['not a JWT', ['--token', 'abc'], '--token', '--token must be a JWT (three dot-separated parts)'],
  [
    'a payload that is not JSON',
    ['--token', 'a.b.c'],
    '--token',
    '--token has a payload that is not base64url JSON',
  ],
  [
    'a token without jti',
    ['--token', jwt({ exp: 5 })],
    '--token',
    '--token has no jti claim; revoke its subject with --subject instead',
  ],
  ['a token without exp', ['--token', jwt({ jti: 'j' })], '--token', '--token has no whole-second exp claim'],
])('%s is refused, naming the flag', (_name, argv, setting, message) => {
  let error: unknown;
  try {
    parseRevokeArgs(argv);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SettingError);
  expect(error).toMatchObject({ code: 'INVALID_SETTING', setting, message });
});

test('reading a token never checks its signature: that is the API’s job for its own caller', () => {
  expect(unverifiedTokenId(jwt({ jti: 'x', exp: 7 }))).toEqual({ tokenId: 'x', expiresAt: 7 });
});
