// The init warm-up (JWKS_WARM_UP): at an init Lambda runs ahead of traffic (or at every init with `init`), every
// JWKS is fetched before the first request, replacing a seed however fresh, and the tables are read once;
// otherwise an init is what it was. Bounded: an issuer down or hanging at init leaves the seed (or the first
// request's fetch) to serve. Counted at the real HTTPS JWKS server on 127.0.0.1 and, for the revocation table,
// at an HTTP forwarder in front of DynamoDB Local; the deployed bundle is imported in fresh processes, as Lambda
// imports it.
import '../items/local-aws-env';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import {
  createAuthorizer,
  createNonceKeyStore,
  createReplayStore,
  createRevocationCheck,
  filesBesideHandler,
  formatJwksSeed,
  parseConfig,
  type Authorizer,
  type AuthorizerConfig,
} from '../../lambda/authorizer';
import { createRevocationTableInput } from '../../lambda/contract';
import { AUTHORIZER_BUNDLE_FILE, authorizerBundleDir } from '../../infra/constructs/authorizer-bundle';
import { localClient } from '../setup/dynamodb-local';
import { allMetrics, pointsOf } from '../support/emf';
import { claims, createKey, signToken, type TestKey } from '../support/keys';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { propertyRuns } from '../hardening/property-runs';
import { lastDecision, startHarness, testCertificateFile, tokenEvent, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
  h.server.mode = 'ok';
  h.server.requests.length = 0;
  h.server.keys = [h.keys.rsa.jwk, h.keys.ec.jwk];
});

const SEED_FILE = 'jwks-seed.json';
/** A key the seed holds that the live JWKS no longer publishes (withdrawn at the issuer). */
const withdrawn = createKey('RS256');

/** A seed of `keys` for `jwksUri`, fetched `ageSeconds` ago (an hour old is stale; a minute old is fresh). */
function seedText(jwksUri: string, keys: readonly TestKey[], ageSeconds: number, issuer?: string): string {
  return formatJwksSeed([
    {
      jwksUri,
      jwks: { keys: keys.map((k) => k.jwk as never) },
      fetchedAt: Date.now() - ageSeconds * 1000,
      issuer: issuer ?? null,
    },
  ]);
}

/** The configuration as the handler reads it: the seed beside it, the test CA by its absolute path. */
function configWith(env: Record<string, string>, seed?: string): AuthorizerConfig {
  const files = filesBesideHandler();
  return parseConfig(
    h.env({
      TRUSTED_CA_FILE: testCertificateFile(),
      ...(seed === undefined ? {} : { JWKS_SEED_FILE: SEED_FILE }),
      ...env,
    }),
    { read: (path) => (path === SEED_FILE && seed !== undefined ? seed : files.read(path)) },
  );
}

const lines = (): Array<Record<string, unknown>> =>
  h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
const warmUpLine = (): Record<string, unknown> | undefined =>
  lines().find((l) => l.message === 'warm-up' && typeof l.code === 'string' && l.code.startsWith('WARM_UP_'));
const token = (key: TestKey, sub = 'user-1'): string => `Bearer ${signToken(key, claims({ sub }))}`;

/** Builds the authorizer (its init), waits for what `ready` waits for, and says how long that took. */
async function init(config: AuthorizerConfig): Promise<{ authorizer: Authorizer; ms: number }> {
  const started = performance.now();
  const authorizer = createAuthorizer(config, { jwksFailureBackoffMs: 0 });
  await authorizer.ready;
  return { authorizer, ms: performance.now() - started };
}

describe('a warm-up at init', () => {
  test.each([
    ['auto at a provisioned-concurrency init', { AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' }],
    ['init at an on-demand init', { JWKS_WARM_UP: 'init', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' }],
    ['init where Lambda does not say', { JWKS_WARM_UP: 'init' }],
  ])(
    '%s fetches the JWKS once before the first request, replacing a fresh seed: a withdrawn key stops verifying',
    async (_case, env) => {
      const { authorizer } = await init(configWith(env, seedText(h.server.url, [h.keys.rsa, withdrawn], 60)));
      try {
        expect(h.server.requests).toEqual(['/.well-known/jwks.json']);
        expect(lines().filter((l) => l.message === 'jwks fetched' || l.message === 'jwks seed')).toEqual([
          expect.objectContaining({ code: 'JWKS_SEED_LOADED', keys: 2 }),
          expect.objectContaining({ message: 'jwks fetched', reason: 'warm-up', ok: true, keys: 2 }),
          expect.objectContaining({ code: 'JWKS_SEED_REPLACED', added: 1, removed: 1 }),
        ]);
        expect(warmUpLine()).toMatchObject({
          level: 'info',
          code: 'WARM_UP_DONE',
          jwksFetches: 1,
          jwksFailed: 0,
        });
        // Counted as every fetch is, in the line that logs it.
        const metrics = allMetrics(h.logs);
        expect(pointsOf(metrics, 'JwksFetches', { service: 'authorizer' })).toEqual([1]);
        expect(pointsOf(metrics, 'JwksFetchFailures', { service: 'authorizer' })).toEqual([0]);

        // The live keys decide from the first request on: one the seed lacked verifies with no fetch.
        await expect(authorizer.authorize(tokenEvent(token(h.keys.ec)))).resolves.toMatchObject({
          principalId: 'user-1',
        });
        expect(h.server.requests).toHaveLength(1);
        // The key the issuer withdrew, which the fresh seed would have kept verifying: refused after the one
        // unknown-kid fetch it is allowed.
        await expect(authorizer.authorize(tokenEvent(token(withdrawn)))).rejects.toThrow(/^Unauthorized$/);
        expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'UNKNOWN_KID' });
        expect(h.server.requests).toHaveLength(2);
      } finally {
        await authorizer.jwksCache.stop();
      }
    },
  );

  test.each([
    ['auto at an on-demand init', { AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' }],
    ['auto where Lambda does not say (local, tests)', {}],
    [
      'off at a provisioned-concurrency init',
      { JWKS_WARM_UP: 'off', AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' },
    ],
    ['init at a SnapStart snapshot', { JWKS_WARM_UP: 'init', AWS_LAMBDA_INITIALIZATION_TYPE: 'snap-start' }],
    ['auto at a SnapStart snapshot', { AWS_LAMBDA_INITIALIZATION_TYPE: 'snap-start' }],
  ])('%s makes no fetch: the fresh seed decides, as without the setting', async (_case, env) => {
    const { authorizer } = await init(configWith(env, seedText(h.server.url, [h.keys.rsa], 60)));
    try {
      expect(h.server.requests).toEqual([]);
      await expect(authorizer.authorize(tokenEvent(token(h.keys.rsa)))).resolves.toMatchObject({
        principalId: 'user-1',
      });
      await authorizer.settled();
      expect(h.server.requests).toEqual([]);
      expect(warmUpLine()).toBeUndefined();
    } finally {
      await authorizer.jwksCache.stop();
    }
  });

  test('without a seed, the first request makes no fetch: it finds the keys the init fetched', async () => {
    const { authorizer } = await init(configWith({ JWKS_WARM_UP: 'init' }));
    try {
      expect(h.server.requests).toEqual(['/.well-known/jwks.json']);
      expect(lines().find((l) => l.message === 'jwks fetched')).toMatchObject({ reason: 'warm-up', keys: 2 });
      for (const key of [h.keys.rsa, h.keys.ec]) {
        await expect(authorizer.authorize(tokenEvent(token(key)))).resolves.toMatchObject({
          principalId: 'user-1',
        });
      }
      await authorizer.settled();
      expect(h.server.requests).toEqual(['/.well-known/jwks.json']);
    } finally {
      await authorizer.jwksCache.stop();
    }
  });

  test('an issuer trusted without a JWKS URI is discovered at init, a seed that recorded it too, and nothing is asked after', async () => {
    const issuer = await startJwksServer([h.keys.rsa.jwk]);
    try {
      const env = {
        JWKS_WARM_UP: 'init',
        ISSUER: issuer.origin,
        JWKS_URI: '',
      };
      // The seed recorded this issuer's discovery a minute ago, with a key the issuer has since withdrawn.
      const seed = seedText(issuer.url, [withdrawn], 60, issuer.origin);
      const { authorizer } = await init(configWith(env, seed));
      try {
        expect(issuer.requests).toEqual(['/.well-known/openid-configuration', '/.well-known/jwks.json']);
        expect(warmUpLine()).toMatchObject({ code: 'WARM_UP_DONE', jwksFetches: 1, jwksFailed: 0 });
        const signed = `Bearer ${signToken(h.keys.rsa, claims({ iss: issuer.origin }))}`;
        await expect(authorizer.authorize(tokenEvent(signed))).resolves.toMatchObject({
          principalId: 'user-1',
        });
        await authorizer.settled();
        expect(issuer.requests).toHaveLength(2);
      } finally {
        await authorizer.jwksCache.stop();
      }
    } finally {
      await issuer.close();
    }
  });
});

test('after a warm-up that reached the issuer, a token verifies exactly when the issuer publishes its key, whatever the fresh seed held', async () => {
  // The oracle knows nothing of caches or seeds: the live JWKS alone says which keys verify.
  const pool = Array.from({ length: 5 }, () => createKey('ES256'));
  await fc.assert(
    fc.asyncProperty(
      fc.subarray(pool, { minLength: 1 }),
      fc.subarray(pool, { minLength: 1 }),
      async (seeded, published) => {
        h.server.keys = published.map((k) => k.jwk);
        const { authorizer } = await init(
          configWith({ JWKS_WARM_UP: 'init' }, seedText(h.server.url, seeded, 60)),
        );
        try {
          for (const key of pool) {
            const outcome = await authorizer.authorize(tokenEvent(token(key))).then(
              () => 'allow',
              (error: Error) => error.message,
            );
            expect(outcome).toBe(published.includes(key) ? 'allow' : 'Unauthorized');
          }
        } finally {
          await authorizer.jwksCache.stop();
        }
      },
    ),
    { numRuns: propertyRuns(25, 0.01) },
  );
});

describe('an issuer that fails at init', () => {
  // JWKS_TIMEOUT_MS 300: the warm-up waits at most twice that.
  test.each([
    ['down (503)', 'down', 'status 503, expected 200'],
    ['answering HTML', 'html', expect.stringContaining('JSON')],
    ['hanging', 'hang', 'no complete response within 300 ms'],
  ] as const)(
    '%s: the init ends within the bound, the failure is logged with its code, and the seed decides the first request',
    async (_case, mode, error) => {
      h.server.mode = mode;
      const { authorizer, ms } = await init(
        configWith(
          { JWKS_WARM_UP: 'init', JWKS_TIMEOUT_MS: '300' },
          seedText(h.server.url, [h.keys.rsa], 60),
        ),
      );
      try {
        expect(ms).toBeLessThan(600 + 250);
        expect(lines().find((l) => l.code === 'JWKS_SEED_SERVING')).toMatchObject({
          level: 'warn',
          fetchReason: 'warm-up',
          error,
        });
        expect(warmUpLine()).toMatchObject({
          level: 'warn',
          code: 'WARM_UP_INCOMPLETE',
          jwksFetches: 1,
          jwksFailed: 1,
        });
        await expect(authorizer.authorize(tokenEvent(token(h.keys.rsa)))).resolves.toMatchObject({
          principalId: 'user-1',
        });
        expect(lastDecision(h.logs)).toMatchObject({ decision: 'allow' });
      } finally {
        h.server.mode = 'ok';
        await authorizer.jwksCache.stop();
      }
    },
  );

  test('without a seed, the failure is JWKS_UNAVAILABLE, and the first request fetches as it would without a warm-up', async () => {
    h.server.mode = 'down';
    const { authorizer } = await init(configWith({ JWKS_WARM_UP: 'init' }));
    try {
      expect(lines().find((l) => l.message === 'jwks fetch failed')).toMatchObject({
        level: 'error',
        code: 'JWKS_UNAVAILABLE',
        fetchReason: 'warm-up',
        error: 'status 503, expected 200',
      });
      expect(warmUpLine()).toMatchObject({ code: 'WARM_UP_INCOMPLETE', jwksFailed: 1 });
      h.server.mode = 'ok';
      await expect(authorizer.authorize(tokenEvent(token(h.keys.rsa)))).resolves.toMatchObject({
        principalId: 'user-1',
      });
      expect(h.server.requests).toEqual(['/.well-known/jwks.json', '/.well-known/jwks.json']);
      expect(lines().filter((l) => l.message === 'jwks fetched')).toEqual([
        expect.objectContaining({ reason: 'cold', ok: true }),
      ]);
    } finally {
      await authorizer.jwksCache.stop();
    }
  });
});

/** DynamoDB Local behind a forwarder that records each request's operation (X-Amz-Target) and body, or hangs. */
interface Forwarder {
  readonly url: string;
  readonly operations: string[];
  readonly bodies: string[];
  /** Accept requests and never answer them. */
  hang: boolean;
  close(): Promise<void>;
}

async function startForwarder(target: string): Promise<Forwarder> {
  const to = new URL(target);
  const state = { operations: [] as string[], bodies: [] as string[], hang: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      state.operations.push(String(req.headers['x-amz-target']).replace(/^DynamoDB_\d+\./, ''));
      state.bodies.push(body.toString('utf8'));
      if (state.hang) return;
      const forwarded = request(
        { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => res.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

describe('the tables at init', () => {
  const TABLE = `warm-up-${randomUUID().slice(0, 8)}`;
  let db: DynamoDBClient;
  let dynamodb: Forwarder;

  beforeAll(async () => {
    db = localClient(process.env.DYNAMODB_ENDPOINT as string);
    await db.send(new CreateTableCommand(createRevocationTableInput(TABLE)));
  });
  afterAll(() => db.destroy());
  beforeEach(async () => {
    dynamodb = await startForwarder(process.env.DYNAMODB_ENDPOINT as string);
  });
  afterEach(() => dynamodb.close());

  /** The revocable handler's wiring (revocable-handler.ts), its init waited for. */
  async function revocableInit(env: Record<string, string>): Promise<{ authorizer: Authorizer; ms: number }> {
    const config = configWith({ REVOCATION_TABLE: TABLE, DYNAMODB_ENDPOINT: dynamodb.url, ...env });
    const started = performance.now();
    const authorizer = createAuthorizer(config, {
      revocation: createRevocationCheck(config),
      dpopReplay: createReplayStore(config.dpop),
      dpopNonceKeys: createNonceKeyStore(config.dpop),
      jwksFailureBackoffMs: 0,
    });
    await authorizer.ready;
    return { authorizer, ms: performance.now() - started };
  }

  test.each([
    [
      'with a warm-up, the init reads the revocation table once, for a key no entry has',
      { JWKS_WARM_UP: 'init' },
      1,
    ],
    ['without one, the init reads nothing', { JWKS_WARM_UP: 'off' }, 0],
  ])('%s; the first request reads it as always', async (_case, env, readsAtInit) => {
    const { authorizer } = await revocableInit(env);
    try {
      expect(dynamodb.operations).toEqual(Array(readsAtInit).fill('BatchGetItem'));
      if (readsAtInit === 1) {
        expect(JSON.parse(dynamodb.bodies[0] ?? '')).toEqual({
          RequestItems: {
            [TABLE]: {
              Keys: [{ pk: { S: 'warm-up#' } }],
              ProjectionExpression: '#pk, #before',
              ExpressionAttributeNames: { '#pk': 'pk', '#before': 'revokedBefore' },
            },
          },
        });
        expect(warmUpLine()).toMatchObject({ code: 'WARM_UP_DONE', jwksFetches: 1, revocation: 'read' });
      } else {
        expect(warmUpLine()).toBeUndefined();
      }
      const signed = `Bearer ${signToken(h.keys.rsa, claims({ jti: randomUUID() }))}`;
      await expect(authorizer.authorize(tokenEvent(signed))).resolves.toMatchObject({
        principalId: 'user-1',
      });
      expect(dynamodb.operations).toEqual(Array(readsAtInit + 1).fill('BatchGetItem'));
    } finally {
      await authorizer.jwksCache.stop();
    }
  });

  test('a revocation table that cannot be reached: logged as REVOCATION_UNAVAILABLE, and a request still fails closed', async () => {
    const config = configWith({
      JWKS_WARM_UP: 'init',
      REVOCATION_TABLE: TABLE,
      // Port 1 on loopback: nothing listens.
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
    });
    const authorizer = createAuthorizer(config, { revocation: createRevocationCheck(config) });
    try {
      await authorizer.ready;
      expect(lines().find((l) => l.part === 'revocation')).toMatchObject({
        level: 'warn',
        message: 'warm-up',
        code: 'REVOCATION_UNAVAILABLE',
        detail: expect.stringMatching(/^revocation table could not be read: .*ECONNREFUSED/),
      });
      expect(warmUpLine()).toMatchObject({
        level: 'warn',
        code: 'WARM_UP_INCOMPLETE',
        jwksFetches: 1,
        jwksFailed: 0,
        revocation: 'failed',
      });
      const signed = `Bearer ${signToken(h.keys.rsa, claims({ jti: randomUUID() }))}`;
      await expect(authorizer.authorize(tokenEvent(signed))).rejects.toMatchObject({
        code: 'REVOCATION_UNAVAILABLE',
      });
    } finally {
      await authorizer.jwksCache.stop();
    }
  });

  test('a revocation table that does not answer: the init ends at the bound, saying what is still running', async () => {
    dynamodb.hang = true;
    // JWKS_TIMEOUT_MS 300: the bound is 600 ms; the SDK would wait 1 s per attempt.
    const { authorizer, ms } = await revocableInit({ JWKS_WARM_UP: 'init', JWKS_TIMEOUT_MS: '300' });
    try {
      expect(ms).toBeGreaterThanOrEqual(590);
      expect(ms).toBeLessThan(600 + 250);
      expect(warmUpLine()).toMatchObject({
        level: 'warn',
        code: 'WARM_UP_INCOMPLETE',
        jwksFetches: 1,
        jwksFailed: 0,
        stillRunning: 'revocation',
      });
      expect(warmUpLine()).not.toHaveProperty('revocation');
    } finally {
      await authorizer.jwksCache.stop();
    }
  });

  test("with DPoP nonces, the init reads (here: creates) the current period's nonce key", async () => {
    const { authorizer } = await revocableInit({
      JWKS_WARM_UP: 'init',
      DPOP_REPLAY_TABLE: TABLE,
      DPOP_NONCES: 'true',
    });
    try {
      // The revocation read, and the key's read and (the table being new) its creation, in either order.
      expect([...dynamodb.operations].sort()).toEqual(['BatchGetItem', 'GetItem', 'PutItem']);
      expect(warmUpLine()).toMatchObject({
        code: 'WARM_UP_DONE',
        revocation: 'read',
        dpopNonceKey: 'read',
      });
    } finally {
      await authorizer.jwksCache.stop();
    }
  });
});

describe('the deployed bundle, imported as Lambda imports it', () => {
  let bundle: string;
  let issuer: JwksServer;
  const key = createKey('ES256');
  const FIXTURE = join(__dirname, 'fixtures', 'provisioned-instance.ts');

  beforeAll(async () => {
    bundle = join(authorizerBundleDir('plain'), AUTHORIZER_BUNDLE_FILE);
    issuer = await startJwksServer([key.jwk]);
  }, 120_000);
  afterAll(() => issuer.close());

  /**
   * A fresh process that imports the bundle, then waits; what the JWKS server had seen when the import settled,
   * the log lines written until then and after, and each request's outcome.
   */
  async function provisionedInstance(env: Record<string, string>, tokens: string[]) {
    issuer.requests.length = 0;
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: {
        PATH: process.env.PATH,
        HANDLER_MODULE: bundle,
        ISSUER: 'https://issuer.test',
        AUDIENCE: 'https://api.test',
        JWKS_URI: issuer.url,
        ROUTES: h.env().ROUTES as string,
        TRUSTED_CA_FILE: testCertificateFile(),
        TOKENS: JSON.stringify(tokens),
        ...env,
      },
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    let atInit: string[] | undefined;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (atInit === undefined && stdout.includes('INIT_DONE\n')) {
        atInit = [...issuer.requests];
        child.stdin.write('\n');
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const [before = '', after = ''] = stdout.split('INIT_DONE\n');
    const logged = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const results = after
      .split('\n')
      .filter((l) => l.startsWith('RESULT '))
      .map((l) => JSON.parse(l.slice(7)) as Record<string, unknown>);
    return { status, stderr, atInit, atEnd: [...issuer.requests], initLines: logged(before), results };
  }

  const tokens = () => [signToken(key, claims({ sub: 'a' })), signToken(key, claims({ sub: 'b' }))];

  test.each([
    ['auto at a provisioned-concurrency init', { AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' }],
    ['init at an on-demand init', { JWKS_WARM_UP: 'init', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' }],
  ])('%s: the import settles after the fetch, and no request fetches', async (_case, env) => {
    const run = await provisionedInstance(env, tokens());
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.atInit).toEqual(['/.well-known/jwks.json']);
    expect(run.initLines.map((l) => [l.message, l.code ?? l.reason])).toEqual([
      ['jwks fetched', 'warm-up'],
      ['warm-up', 'WARM_UP_DONE'],
    ]);
    expect(run.results).toEqual([
      { ok: true, principalId: 'a' },
      { ok: true, principalId: 'b' },
    ]);
    expect(run.atEnd).toEqual(['/.well-known/jwks.json']);
  });

  test('auto at an on-demand init with a fresh seed: nothing is fetched, at init or after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warm-up-seed-'));
    try {
      const seedFile = join(dir, SEED_FILE);
      writeFileSync(seedFile, seedText(issuer.url, [key], 60));
      const run = await provisionedInstance(
        { AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', JWKS_SEED_FILE: seedFile },
        tokens(),
      );
      expect(run.status).toBe(0);
      expect(run.atInit).toEqual([]);
      expect(run.initLines.map((l) => l.code)).toEqual(['JWKS_SEED_LOADED']);
      expect(run.results).toEqual([
        { ok: true, principalId: 'a' },
        { ok: true, principalId: 'b' },
      ]);
      expect(run.atEnd).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('auto at an on-demand init is the cold start it was: the fetch starts at init and the first request waits for it', async () => {
    const run = await provisionedInstance({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' }, tokens());
    expect(run.status).toBe(0);
    // Not awaited by the import: the fetch may or may not have been answered when it settled.
    expect(run.initLines.filter((l) => l.message === 'warm-up')).toEqual([]);
    expect(run.results).toEqual([
      { ok: true, principalId: 'a' },
      { ok: true, principalId: 'b' },
    ]);
    expect(run.atEnd).toEqual(['/.well-known/jwks.json']);
  });
});
