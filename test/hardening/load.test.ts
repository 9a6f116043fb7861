// A bounded load test through the local gateway over real HTTP: many concurrent clients, valid and invalid
// tokens over several routes, with the result cache on. Zero 5xx, zero wrong decisions, exactly one JWKS
// fetch, and a heap that does not grow from round to round. No timing is asserted.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Gateway } from '../../local/gateway';
import { claims, signToken } from '../support/keys';
import { startHarness, type Harness } from '../authorizer/harness';
import { gatewayFor } from './gateway-fixture';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let h: Harness;
let gateway: Gateway;
let base: string;

beforeAll(async () => {
  h = await startHarness();
  h.server.requests.length = 0;
  gateway = gatewayFor(h.authorizer({ LOG_LEVEL: 'error' }), 300);
  base = await gateway.listen(0);
});
afterAll(async () => {
  await gateway.close();
  await h.close();
});

type Kind = 'reader' | 'writer' | 'admin' | 'expired' | 'tampered' | 'garbage' | 'none';
interface Client {
  readonly kind: Kind;
  readonly authorization: string | undefined;
}

const SCOPES: Record<'reader' | 'writer' | 'admin', string> = {
  reader: 'items:read',
  writer: 'items:read items:write',
  admin: 'items:read items:write items:delete',
};
const ROUTES: Array<[string, string, string]> = [
  ['GET', '/items', 'items:read'],
  ['POST', '/items', 'items:write'],
  ['GET', '/items/abc', 'items:read'],
  ['DELETE', '/items/abc', 'items:delete'],
];

function makeClients(count: number): Client[] {
  const kinds: Kind[] = ['reader', 'writer', 'admin', 'expired', 'tampered', 'garbage', 'none'];
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length] as Kind;
    const sub = `user-${i}`;
    const now = Math.floor(Date.now() / 1000);
    switch (kind) {
      case 'reader':
      case 'writer':
      case 'admin':
        return {
          kind,
          authorization: `Bearer ${signToken(h.keys.rsa, claims({ sub, scope: SCOPES[kind] }))}`,
        };
      case 'expired':
        return { kind, authorization: `Bearer ${signToken(h.keys.ec, claims({ sub, exp: now - 600 }))}` };
      case 'tampered': {
        const [head, , sig] = signToken(h.keys.rsa, claims({ sub })).split('.');
        return {
          kind,
          authorization: `Bearer ${head}.${Buffer.from(JSON.stringify(claims({ sub: 'root' }))).toString('base64url')}.${sig}`,
        };
      }
      case 'garbage':
        return { kind, authorization: `Bearer not-a-jwt-${i}` };
      default:
        return { kind, authorization: undefined };
    }
  });
}

function expectedStatus(client: Client, required: string): number {
  if (client.kind === 'reader' || client.kind === 'writer' || client.kind === 'admin') {
    return SCOPES[client.kind].split(' ').includes(required) ? 200 : 403;
  }
  return 401;
}

async function round(clients: Client[], requestsPerClient: number) {
  const outcomes = { total: 0, serverErrors: 0, wrong: [] as string[] };
  await Promise.all(
    clients.map(async (client, c) => {
      for (let r = 0; r < requestsPerClient; r++) {
        const [method, path, required] = ROUTES[(c + r) % ROUTES.length] as [string, string, string];
        const response = await fetch(`${base}${path}`, {
          method,
          headers: client.authorization === undefined ? {} : { authorization: client.authorization },
        });
        await response.arrayBuffer();
        outcomes.total++;
        if (response.status >= 500) outcomes.serverErrors++;
        const expected = expectedStatus(client, required);
        if (response.status !== expected)
          outcomes.wrong.push(`${client.kind} ${method} ${path}: ${response.status} != ${expected}`);
      }
    }),
  );
  return outcomes;
}

test('many concurrent clients: no 5xx, no wrong decision, one JWKS fetch, a stable heap', async () => {
  const clients = makeClients(70);
  const heaps: number[] = [];
  for (let i = 0; i < 4; i++) {
    const outcome = await round(clients, 12);
    expect(outcome).toEqual({ total: 70 * 12, serverErrors: 0, wrong: [] });
    gc();
    heaps.push(process.memoryUsage().heapUsed);
  }
  expect(h.server.requests).toEqual(['/.well-known/jwks.json']);
  // Warm-up is round one; after it the heap must not keep climbing (a leak would add per request).
  const growth = (heaps[3] as number) - (heaps[1] as number);
  expect(growth).toBeLessThan(8 * 1024 * 1024);
  // The result cache is keyed by token: valid clients are authorized once, then served from the cache.
  // Valid tokens are authorized once each and then served from the cache; a refused token is not cached, so
  // expired and tampered tokens reach the authorizer every time; garbage never passes the validation expression.
  const count = (kinds: Kind[]) => clients.filter((c) => kinds.includes(c.kind)).length;
  const requests = 4 * 12;
  const ok = clients.reduce(
    (n, c, i) =>
      n +
      Array.from(
        { length: 12 },
        (_, r) => expectedStatus(c, ROUTES[(i + r) % ROUTES.length]![2]) === 200,
      ).filter(Boolean).length,
    0,
  );
  expect(gateway.stats).toEqual({
    authorizerInvocations: count(['reader', 'writer', 'admin']) + count(['expired', 'tampered']) * requests,
    cacheHits: count(['reader', 'writer', 'admin']) * (requests - 1),
    integrationInvocations: ok * 4,
  });
});
