// The route table is the single source of truth; these checks keep it well-formed.
import { APP_ROUTES, toRouteRules } from '../../lambda/routes';

describe('route table', () => {
  test('each method and path appears once', () => {
    const keys = APP_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('ids are unique', () => {
    const ids = APP_ROUTES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('POST /revocations needs tokens:revoke and may only write the revocation table', () => {
    expect(APP_ROUTES.find((r) => r.id === 'CreateRevocation')).toEqual({
      id: 'CreateRevocation',
      method: 'POST',
      path: '/revocations',
      scopes: ['tokens:revoke'],
      entry: 'lambda/revocation/create.ts',
      table: 'revocations',
      access: 'write',
    });
  });

  test('every route names its table, and only the admin route uses the revocation table', () => {
    expect(APP_ROUTES.map((r) => [r.id, r.table]).filter(([, table]) => table !== 'items')).toEqual([
      ['CreateRevocation', 'revocations'],
    ]);
  });

  test('toRouteRules keeps only what the authorizer reads', () => {
    expect(toRouteRules()[0]).toEqual({ method: 'GET', path: '/items', scopes: ['items:read'] });
  });
});
