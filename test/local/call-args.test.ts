// npm run call arguments.
import { parseCallArgs } from '../../local/login-client';

describe('parseCallArgs', () => {
  const none = { body: undefined, certificate: undefined, help: false };
  test.each([
    [['GET', '/items'], { ...none, method: 'GET', path: '/items' }],
    [['post', '/items', '--body', '{"a":1}'], { ...none, method: 'POST', path: '/items', body: '{"a":1}' }],
    [['--body={}', 'PUT', '/items/1?x=1'], { ...none, method: 'PUT', path: '/items/1?x=1', body: '{}' }],
    [
      ['--cert', '/tmp/c.pem', '--key=/tmp/k.pem', 'GET', '/items'],
      {
        ...none,
        method: 'GET',
        path: '/items',
        certificate: { certFile: '/tmp/c.pem', keyFile: '/tmp/k.pem' },
      },
    ],
    [['-h'], { method: '', path: '', body: undefined, certificate: undefined, help: true }],
  ])('%j', (argv, expected) => {
    expect(parseCallArgs(argv)).toEqual(expected);
  });

  test.each([
    [[], 'npm run call needs exactly METHOD and PATH, e.g. GET /items'],
    [['GET'], 'npm run call needs exactly METHOD and PATH, e.g. GET /items'],
    [['GET', '/a', '/b'], 'npm run call needs exactly METHOD and PATH, e.g. GET /items'],
    [['FETCH', '/items'], 'FETCH is not an HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)'],
    [['GET', 'items'], 'items must be a path starting with /'],
    [['GET', '/items', '--body'], '--body needs a value'],
    [['GET', '/items', '--verbose'], '--verbose is not a call flag (see --help)'],
    [
      ['GET', '/items', '--cert', '/tmp/c.pem'],
      '--cert needs --key FILE too (a certificate and its private key)',
    ],
    [
      ['--key=/tmp/k.pem', 'GET', '/items'],
      '--key needs --cert FILE too (a certificate and its private key)',
    ],
    [['GET', '/items', '--cert='], '--cert needs a value'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseCallArgs(argv)).toThrow(message);
  });
});
