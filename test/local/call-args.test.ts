// npm run call arguments.
import { parseCallArgs } from '../../local/login-client';

describe('parseCallArgs', () => {
  test.each([
    [['GET', '/items'], { method: 'GET', path: '/items', body: undefined, help: false }],
    [
      ['post', '/items', '--body', '{"a":1}'],
      { method: 'POST', path: '/items', body: '{"a":1}', help: false },
    ],
    [['--body={}', 'PUT', '/items/1?x=1'], { method: 'PUT', path: '/items/1?x=1', body: '{}', help: false }],
    [['-h'], { method: '', path: '', body: undefined, help: true }],
  ])('%j', (argv, expected) => {
    expect(parseCallArgs(argv)).toEqual(expected);
  });

  test.each([
    [[], 'npm run call needs exactly METHOD and PATH, e.g. GET /items'],
    [['GET'], 'npm run call needs exactly METHOD and PATH, e.g. GET /items'],
    [['GET', '/a', '/b'], 'npm run call needs exactly METHOD and PATH, e.g. GET /items'],
    [['FETCH', '/items'], 'FETCH is not an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)'],
    [['GET', 'items'], 'items must be a path starting with /'],
    [['GET', '/items', '--body'], '--body needs a value'],
    [['GET', '/items', '--verbose'], '--verbose is not a call flag (see --help)'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseCallArgs(argv)).toThrow(message);
  });
});
