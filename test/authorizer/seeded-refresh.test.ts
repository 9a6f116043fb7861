// When a seeded instance refreshes its keys: after the first request has been decided, and with the costly part
// of the fetch (Node's TLS stack, root store and context, the socket) done before Lambda's runtime asks for the
// next invocation, so that it never lands on the request that thaws the instance. Lambda's runtime asks for the
// next invocation from an immediate it queues once the handler's promise has settled (older runtime clients
// posted the answer before it, Node.js 24's posts it there); the tests queue the same. The TLS sockets are
// counted with async_hooks (each makes one TLSWRAP), against a real HTTPS JWKS server.
import { createHook } from 'node:async_hooks';
import { createAuthorizer, parseConfig, type Authorizer } from '../../lambda/authorizer';
import { BoundedFetcher } from '../../lambda/authorizer/https-fetcher';
import { tlsMaterial } from '../support/jwks-server';
import { claims, signToken } from '../support/keys';
import { startHarness, tokenEvent, type Harness } from './harness';

let h: Harness;
let tlsSockets = 0;
const hook = createHook({
  init(_id, type) {
    if (type === 'TLSWRAP') tlsSockets++;
  },
});

beforeAll(async () => {
  h = await startHarness();
  hook.enable();
});
afterAll(async () => {
  hook.disable();
  await h.close();
});

function seededAuthorizer(): Authorizer {
  const seed = JSON.stringify({ [h.server.url]: { keys: [h.keys.rsa.jwk] } });
  const config = parseConfig(h.env({ JWKS_SEED_FILE: 'jwks-seed.json' }), { read: () => seed });
  return createAuthorizer(config, {
    fetcher: new BoundedFetcher({ timeoutMs: 1000, ca: tlsMaterial().cert }),
  });
}

test("a fetch's set-up is synchronous: its TLS socket exists when fetch() returns", async () => {
  const fetcher = new BoundedFetcher({ timeoutMs: 1000, ca: tlsMaterial().cert });
  const before = tlsSockets;
  const body = fetcher.fetch(h.server.url);
  expect(tlsSockets - before).toBe(1);
  expect(JSON.parse(Buffer.from(await body).toString('utf8'))).toEqual({
    keys: [h.keys.rsa.jwk, h.keys.ec.jwk],
  });
});

test("the seed's refresh starts after the answer and is on its way before the runtime polls for the next invocation", async () => {
  const authorizer = seededAuthorizer();
  try {
    await authorizer.ready;
    h.server.requests.length = 0;
    const before = tlsSockets;
    const seen = await new Promise<{ atAnswer: number; atPoll: number; principalId: string }>((resolve) => {
      void authorizer.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims())}`)).then((result) => {
        // The runtime posts this answer now, and polls for the next invocation from an immediate queued now.
        const atAnswer = tlsSockets - before;
        setImmediate(() =>
          resolve({ atAnswer, atPoll: tlsSockets - before, principalId: result.principalId }),
        );
      });
    });
    expect(seen).toEqual({ atAnswer: 0, atPoll: 1, principalId: 'user-1' });
    await authorizer.settled();
    expect(h.server.requests).toEqual(['/.well-known/jwks.json']);
  } finally {
    await authorizer.jwksCache.stop();
  }
});
