// Messages that may quote a token, a discovery document or a JWKS are bounded where the error is made, so no
// copy of one (a log line, an error a caller keeps) can grow with what an attacker or a broken issuer sends.
import {
  ConfigError,
  InvalidEventError,
  JwksUnavailableError,
  RevocationUnavailableError,
  TokenRejectedError,
} from '../../lambda/authorizer';
import { quote, truncate } from '../../lambda/authorizer/truncate';

const long = 'x'.repeat(10_000);

test.each([
  ['TokenRejectedError', () => new TokenRejectedError('WRONG_TOKEN_TYPE', long)],
  ['JwksUnavailableError', () => new JwksUnavailableError(long)],
  ['RevocationUnavailableError', () => new RevocationUnavailableError(long)],
  ['InvalidEventError', () => new InvalidEventError(long)],
])('%s keeps the first 512 characters of its message and says how many it dropped', (...[, make]) => {
  expect(make().message).toBe(`${'x'.repeat(512)}…(+9488 chars)`);
});

test('a message of 512 characters is kept whole', () => {
  expect(new TokenRejectedError('MALFORMED_TOKEN', 'y'.repeat(512)).message).toBe('y'.repeat(512));
});

test('a ConfigError (from the operator, at init, never from a request) keeps its whole message', () => {
  expect(new ConfigError('ROUTES', long).message).toBe(`ROUTES: ${long}`);
});

test.each([
  ['short text, unchanged', 'abc', 3, 'abc'],
  ['the limit exactly, unchanged', 'abcd', 4, 'abcd'],
  ['one over', 'abcde', 4, 'abcd…(+1 chars)'],
  ['a surrogate pair at the cut stays whole (dropped)', 'ab😀c', 3, 'ab…(+3 chars)'],
  ['a surrogate pair before the cut is kept', 'a😀bc', 3, 'a😀…(+2 chars)'],
])('truncate: %s', (...[, text, max, expected]) => {
  expect(truncate(text, max)).toBe(expected);
});

test.each([
  ['a string, as JSON', 'at+jwt', '"at+jwt"'],
  ['undefined, as null', undefined, 'null'],
  ['a number', 42, '42'],
  ['an object', { a: 1 }, '{"a":1}'],
  ['a bigint, which JSON.stringify refuses', 10n ** 30n, '1000000000000000000000000000000'],
  ['a long string, truncated to 64 characters', 't'.repeat(100), `"${'t'.repeat(63)}…(+38 chars)`],
])('quote: %s', (...[, value, expected]) => {
  expect(quote(value)).toBe(expected);
});
