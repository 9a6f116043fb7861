// POST /revocations body validation: each bad body is a 400 that names the field.
import { parseRevocationRequest } from '../../lambda/revocation';

const NOW = 1_800_000_000;

test.each([
  [
    { tokenId: 'abc', expiresAt: NOW + 60 },
    { kind: 'token', tokenId: 'abc', expiresAt: NOW + 60 },
  ],
  [{ subject: 'user-1' }, { kind: 'subject', subject: 'user-1' }],
])('%p is accepted', (body, expected) => {
  expect(parseRevocationRequest(body, NOW)).toEqual(expected);
});

test.each([
  ['null', null, 'INVALID_BODY', undefined],
  ['an array', [], 'INVALID_BODY', undefined],
  ['an empty object', {}, 'INVALID_FIELD', 'tokenId'],
  ['an unknown field', { subject: 'u', admin: true }, 'UNKNOWN_FIELD', 'admin'],
  ['both shapes', { subject: 'u', tokenId: 't', expiresAt: NOW + 1 }, 'INVALID_BODY', undefined],
  ['a numeric subject', { subject: 7 }, 'INVALID_FIELD', 'subject'],
  ['an empty subject', { subject: '' }, 'INVALID_FIELD', 'subject'],
  ['a subject with spaces', { subject: 'a b' }, 'INVALID_FIELD', 'subject'],
  ['a tokenId without expiresAt', { tokenId: 't' }, 'INVALID_FIELD', 'expiresAt'],
  ['expiresAt as a string', { tokenId: 't', expiresAt: String(NOW + 60) }, 'INVALID_FIELD', 'expiresAt'],
  ['expiresAt as a float', { tokenId: 't', expiresAt: NOW + 60.5 }, 'INVALID_FIELD', 'expiresAt'],
  ['expiresAt in the past', { tokenId: 't', expiresAt: NOW - 1 }, 'INVALID_FIELD', 'expiresAt'],
  [
    'expiresAt years ahead',
    { tokenId: 't', expiresAt: NOW + 10 * 365 * 86400 },
    'INVALID_FIELD',
    'expiresAt',
  ],
  [
    'a tokenId over 256 characters',
    { tokenId: 'x'.repeat(257), expiresAt: NOW + 1 },
    'INVALID_FIELD',
    'tokenId',
  ],
])('%s -> 400 %s', (...[, body, code, field]) => {
  let error: unknown;
  try {
    parseRevocationRequest(body, NOW);
  } catch (e) {
    error = e;
  }
  expect(error).toMatchObject({ status: 400, code });
  expect((error as { extensions?: Record<string, string> }).extensions?.field).toBe(field);
});
