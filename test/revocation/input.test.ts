// POST /revocations body validation: each bad body is a 400 that names the field.
import { parseRevocationRequest } from '../../lambda/revocation';

const NOW = 1_800_000_000;

test.each([
  [
    { tokenId: 'abc', expiresAt: NOW + 60 },
    { kind: 'token', tokenId: 'abc', expiresAt: NOW + 60 },
  ],
  [
    { issuer: 'https://issuer.test', subject: 'user-1' },
    { kind: 'subject', issuer: 'https://issuer.test', subject: 'user-1' },
  ],
])('%p is accepted', (body, expected) => {
  expect(parseRevocationRequest(body, NOW)).toEqual(expected);
});

test.each([
  ['null', null, 'INVALID_BODY', undefined],
  ['an array', [], 'INVALID_BODY', undefined],
  ['an empty object', {}, 'INVALID_FIELD', 'tokenId'],
  [
    'an unknown field',
    { issuer: 'https://issuer.test', subject: 'u', admin: true },
    'UNKNOWN_FIELD',
    'admin',
  ],
  [
    'both shapes',
    { issuer: 'https://issuer.test', subject: 'u', tokenId: 't', expiresAt: NOW + 1 },
    'INVALID_BODY',
    undefined,
  ],
  ['a numeric subject', { issuer: 'https://issuer.test', subject: 7 }, 'INVALID_FIELD', 'subject'],
  ['an empty subject', { issuer: 'https://issuer.test', subject: '' }, 'INVALID_FIELD', 'subject'],
  ['a subject with spaces', { issuer: 'https://issuer.test', subject: 'a b' }, 'INVALID_FIELD', 'subject'],
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

test.each([
  [
    'a subject without its issuer',
    { subject: 'u' },
    'The field "issuer" is required with "subject": the iss of the subject\'s tokens.',
  ],
  ['an issuer without a subject', { issuer: 'https://issuer.test' }, 'The field "subject" is required.'],
  ['a numeric issuer', { issuer: 7, subject: 'u' }, 'The field "issuer" must be a string.'],
  [
    'an issuer with "#" (no issuer has a fragment)',
    { issuer: 'https://a.test#x', subject: 'u' },
    'The field "issuer" must be 1-512 printable characters without spaces or "#".',
  ],
  [
    'an issuer over 512 characters',
    { issuer: `https://${'a'.repeat(505)}`, subject: 'u' },
    'The field "issuer" must be 1-512 printable characters without spaces or "#".',
  ],
  [
    'an issuer with a token id',
    { issuer: 'https://issuer.test', tokenId: 't', expiresAt: NOW + 1 },
    'Send either {"issuer", "subject"} or {"tokenId", "expiresAt"}, not both.',
  ],
])('%s -> 400 naming the problem', (_name, body, detail) => {
  expect(() => parseRevocationRequest(body, NOW)).toThrow(expect.objectContaining({ status: 400, detail }));
});
