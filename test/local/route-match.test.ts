// Route matching as API Gateway REST resources do it: resource first, then method; literals beat parameters.
import { matchRoute } from '../../local/gateway';

const routes = [
  { method: 'GET', path: '/items' },
  { method: 'POST', path: '/items' },
  { method: 'GET', path: '/items/{id}' },
  { method: 'DELETE', path: '/items/{id}' },
  { method: 'GET', path: '/items/latest' },
  { method: 'GET', path: '/files/{key+}' },
  { method: 'GET', path: '/' },
];

describe('matchRoute', () => {
  test.each([
    ['GET', '/items', '/items', null],
    ['POST', '/items/', '/items', null],
    ['GET', '/items/42', '/items/{id}', { id: '42' }],
    ['DELETE', '/items/a%20b', '/items/{id}', { id: 'a b' }],
    ['GET', '/items/%E0%A4%A', '/items/{id}', { id: '%E0%A4%A' }],
    ['GET', '/items/latest', '/items/latest', null],
    ['GET', '/files/a/b/c', '/files/{key+}', { key: 'a/b/c' }],
    ['GET', '/', '/', null],
  ])('%s %s matches %s', (method, path, resource, params) => {
    const match = matchRoute(routes, method, path);
    expect(match).toEqual({ kind: 'matched', route: { method, path: resource }, pathParameters: params });
  });

  test.each([
    ['an unknown resource', 'GET', '/nope'],
    ['an undefined method on a known resource', 'PUT', '/items'],
    // The literal resource /items/latest wins, and it has no DELETE: API Gateway does not fall back to {id}.
    ['a method missing on the more specific resource', 'DELETE', '/items/latest'],
    ['an empty parameter segment', 'GET', '/items//'],
    ['a deeper path than any resource', 'GET', '/items/1/2'],
    ['a greedy parameter with nothing to match', 'GET', '/files'],
  ])('%s is missing', (_name, method, path) => {
    expect(matchRoute(routes, method, path)).toEqual({ kind: 'missing' });
  });
});
