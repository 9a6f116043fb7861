// Per-route caching end to end on one machine: the orgs table (which one token-cached policy cannot serve)
// through the local gateway in REQUEST mode, chosen from the route table exactly as the construct chooses it,
// with the real authorizer core verifying real tokens against a real HTTPS JWKS.
import { constructContract } from '../../local/construct-contract';
import { createGateway, type Gateway, type GatewayRouteBinding } from '../../local/gateway';
import { decideCaching, type RouteRule } from '../../lambda/contract';
import { createLogger } from 'bearer-gate/authorizer';
import { startHarness, type Harness } from '../authorizer/harness';
import { claims, signToken } from '../support/keys';

const ORGS: RouteRule[] = [
  { method: 'GET', path: '/orgs/{org}', scopes: ['read'] },
  { method: 'GET', path: '/orgs/{org}/members', scopes: ['admin'] },
  { method: 'GET', path: '/orgs/{org}/teams/{team}/members', scopes: ['read'] },
];

let h: Harness;
let gateway: Gateway | undefined;
let url: string;

function bindings(): GatewayRouteBinding[] {
  return ORGS.map((route, i) => ({
    ...route,
    id: `Route${i}`,
    handler: async () => ({ statusCode: 200, body: `${route.method} ${route.path}` }),
  }));
}

async function startGateway(authorizerType: 'TOKEN' | 'REQUEST'): Promise<Gateway> {
  const authorizer = h.authorizer({ ROUTES: JSON.stringify(ORGS) });
  const contract = constructContract();
  const created = createGateway({
    routes: bindings(),
    authorizer: (event) => authorizer.authorize(event),
    authorizerType,
    identityValidationExpression: contract.identityValidationExpression,
    responses: contract.responses,
    cacheTtlSeconds: 300,
    logger: createLogger('local-gateway', 'silent'),
  });
  gateway = created;
  url = await created.listen(0);
  return created;
}

const token = (scope: string): string => `Bearer ${signToken(h.keys.rsa, claims({ scope }))}`;
const status = async (path: string, authorization: string): Promise<number> =>
  (await fetch(`${url}${path}`, { headers: { Authorization: authorization } })).status;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

test('the construct would choose per-route caching for this table', () => {
  expect(decideCaching(ORGS, 'auto').perRoute).toBe(true);
});

test('REQUEST mode: each route is decided on its own, and cached per token and route', async () => {
  const started = await startGateway('REQUEST');
  const read = token('read');
  const admin = token('admin');
  expect(
    await Promise.all([
      status('/orgs/acme', read),
      status('/orgs/acme/teams/t1/members', read),
      status('/orgs/acme/members', read),
      status('/orgs/acme', admin),
      status('/orgs/acme/members', admin),
      status('/orgs/acme/teams/t1/members', admin),
    ]),
  ).toEqual([200, 200, 403, 403, 200, 403]);
  // Other values on the same routes come from the cache: one invocation per token and route.
  expect(await status('/orgs/other/teams/t2/members', read)).toBe(200);
  expect(await status('/orgs/other/members', read)).toBe(403);
  expect(started.stats).toMatchObject({ authorizerInvocations: 6, cacheHits: 2 });
});

test('TOKEN mode on the same table over-denies (never over-allows): why the construct switches', async () => {
  await startGateway('TOKEN');
  const read = token('read');
  expect(await status('/orgs/acme', read)).toBe(200);
  // The Deny of GET/orgs/*/members that refuses the members route also covers the teams route.
  expect(await status('/orgs/acme/teams/t1/members', read)).toBe(403);
  expect(await status('/orgs/acme/members', read)).toBe(403);
});
