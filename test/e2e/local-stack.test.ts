// End to end on 127.0.0.1: `npm start` as a child process (oidc-provider over HTTPS, DynamoDB Local, the
// local API gateway running the real authorizer and items handlers) and `npm run login --headless`.
// Nothing is mocked. Expiry is tested with the stack's short-lived client (SHORT_LIVED_TOKEN_TTL_SECONDS=1,
// CLOCK_SKEW_SECONDS=0): a real token from the real provider that the test waits out, not a forged one.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { gatewayResponse, gatewayResponseBody, protectedResourceMetadataUrl } from 'bearer-gate/contract';
import { appGatewayResponses } from '../../local/construct-contract';
import { completeInteraction, send } from '../../local/login-client';
import { loginToken, runLogin, startStack, type StackProcess } from './stack-process';
import { payloadOf } from '../support/keys';

/** The stack's gateway responses: the app's, with the metadata URL (which holds the gateway's port). */
function stackResponses() {
  return appGatewayResponses('*', { resourceMetadataUrl: protectedResourceMetadataUrl(stack.info.api) });
}

jest.setTimeout(60_000);

let stack: StackProcess;
let api: string;
const tokens: Record<'alice' | 'aliceCache' | 'bobCache' | 'bob' | 'aliceNoDelete' | 'aliceShort', string> = {
  alice: '',
  aliceCache: '',
  bobCache: '',
  bob: '',
  aliceNoDelete: '',
  aliceShort: '',
};

interface Stats {
  authorizerInvocations: number;
  cacheHits: number;
  integrationInvocations: number;
}

async function stats(): Promise<Stats> {
  const res = await fetch(`${api}/__local/stats`);
  return (await res.json()) as Stats;
}

/** The authorizer's decisions so far, all outcomes, from the gateway's metrics page. */
async function decisions(): Promise<number> {
  const res = await fetch(`${api}/__metrics`);
  const { metrics } = (await res.json()) as {
    metrics: Array<{ name: string; dimensions: Record<string, string>; sum: number }>;
  };
  return metrics
    .filter((m) => ['Allowed', 'Denied', 'Unauthorized', 'Unavailable'].includes(m.name))
    .filter((m) => Object.keys(m.dimensions).join() === 'service')
    .reduce((n, m) => n + m.sum, 0);
}

function call(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${api}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function expectGatewayResponse(res: Response, type: 'UNAUTHORIZED' | 'ACCESS_DENIED'): Promise<void> {
  const expected = gatewayResponse(type, stackResponses());
  expect(res.status).toBe(expected.statusCode);
  expect(res.headers.get('www-authenticate')).toBe(expected.headers['WWW-Authenticate']);
  expect(res.headers.get('content-type')).toBe(expected.headers['Content-Type']);
  expect(await res.text()).toBe(gatewayResponseBody(expected));
}

beforeAll(async () => {
  stack = await startStack({
    GATEWAY_STATS: '1',
    SHORT_LIVED_TOKEN_TTL_SECONDS: '1',
    CLOCK_SKEW_SECONDS: '0',
    LOG_LEVEL: 'warn',
    ITEMS_TABLE: 'items-e2e',
  });
  api = stack.info.api;
  const [alice, aliceCache, bobCache, bob, aliceNoDelete, aliceShort] = await Promise.all([
    loginToken(stack, 'alice'),
    loginToken(stack, 'alice'),
    loginToken(stack, 'bob'),
    loginToken(stack, 'bob'),
    loginToken(stack, 'alice', ['--scope', 'items:read items:write']),
    loginToken(stack, 'alice', ['--short-lived']),
  ]);
  Object.assign(tokens, { alice, aliceCache, bobCache, bob, aliceNoDelete, aliceShort });
}, 90_000);

afterAll(async () => {
  await stack?.cleanup();
});

describe('PKCE login', () => {
  test('prints only an RS256 JWT access token for the API, with the scopes the user may hold', () => {
    const [header] = tokens.alice.split('.');
    expect(tokens.alice).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(JSON.parse(Buffer.from(header as string, 'base64url').toString('utf8'))).toMatchObject({
      alg: 'RS256',
      typ: 'at+jwt',
    });
    expect(payloadOf(tokens.alice)).toMatchObject({
      iss: stack.info.issuer,
      aud: stack.info.audience,
      sub: 'alice',
      client_id: 'local-cli',
      scope: 'items:read items:write items:delete',
    });
    // bob asked for every scope (the default) and got only what bob is allowed.
    expect(payloadOf(tokens.bob)).toMatchObject({ sub: 'bob', scope: 'items:read' });
    expect(payloadOf(tokens.aliceNoDelete)).toMatchObject({ scope: 'items:read items:write' });
  });

  test('interactive mode prints the authorize URL and finishes when the browser comes back', async () => {
    // The test plays the person with a browser: it opens the printed URL and signs in as bob.
    let browser: Promise<string> | undefined;
    const run = await runLogin(stack, [], (stderr) => {
      const url = /^ {2}(https:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m.exec(stderr)?.[1];
      if (url !== undefined && browser === undefined) {
        browser = completeInteraction(url, {
          username: 'bob',
          password: 'bob-password',
          ca: stack.info.issuerCertificate,
        });
      }
    });
    const url = new URL(/^ {2}(https:\S+)$/m.exec(run.stderr)?.[1] ?? 'https://missing.invalid');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'local-cli',
      response_type: 'code',
      code_challenge_method: 'S256',
      resource: stack.info.audience,
      redirect_uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/callback$/),
    });
    // The browser's last stop is the CLI's loopback listener.
    expect(await browser).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
    expect(run.code).toBe(0);
    expect(payloadOf(run.stdout.trim())).toMatchObject({ sub: 'bob', scope: 'items:read' });
    expect(run.stderr).toContain('granted scope: items:read');
  });

  test('a wrong password fails with a message on stderr and nothing on stdout', async () => {
    const run = await runLogin(stack, ['--user', 'alice', '--password', 'wrong', '--headless']);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'npm run login failed: LOGIN_FAILED: login refused: Wrong username or password.\n',
    });
  });
});

describe('the items API through the gateway', () => {
  test('GET /items gives 200 with the (still empty) list of a new table', async () => {
    const res = await call('GET', '/items', tokens.alice);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"items":[]}');
  });

  test('POST /items gives 201 and the new item is listed', async () => {
    const created = await call('POST', '/items', tokens.alice, { name: 'e2e item' });
    expect(created.status).toBe(201);
    const item = (await created.json()) as { id: string; name: string; owner: string };
    expect(item).toMatchObject({ name: 'e2e item', owner: 'alice' });
    expect(created.headers.get('location')).toBe(`/items/${item.id}`);

    const list = await call('GET', '/items', tokens.alice);
    expect(list.status).toBe(200);
    const { items } = (await list.json()) as { items: { id: string }[] };
    expect(items.map((i) => i.id)).toContain(item.id);
  });

  test("bob's POST gives 403 insufficient_scope; bob may still read", async () => {
    await expectGatewayResponse(await call('POST', '/items', tokens.bob, { name: 'nope' }), 'ACCESS_DENIED');
    expect((await call('GET', '/items', tokens.bob)).status).toBe(200);
  });

  test("alice's token without items:delete gives 403 on DELETE; with it, 204", async () => {
    const created = await call('POST', '/items', tokens.alice, { name: 'to delete' });
    const { id } = (await created.json()) as { id: string };
    await expectGatewayResponse(await call('DELETE', `/items/${id}`, tokens.aliceNoDelete), 'ACCESS_DENIED');
    expect((await call('GET', `/items/${id}`, tokens.aliceNoDelete)).status).toBe(200);
    expect((await call('DELETE', `/items/${id}`, tokens.alice)).status).toBe(204);
    expect((await call('GET', `/items/${id}`, tokens.alice)).status).toBe(404);
  });

  test('an unknown route gets the construct MISSING_AUTHENTICATION_TOKEN response without authorizing', async () => {
    const before = await stats();
    const res = await call('PUT', '/items', tokens.alice);
    const expected = gatewayResponse('MISSING_AUTHENTICATION_TOKEN', appGatewayResponses());
    expect(res.status).toBe(expected.statusCode);
    expect(await res.text()).toBe(gatewayResponseBody(expected));
    expect((await stats()).authorizerInvocations).toBe(before.authorizerInvocations);
  });
});

describe('tokens the gateway refuses with 401', () => {
  const tamperedPayload = (token: string): string => {
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(
      JSON.stringify({ ...payloadOf(token), scope: 'items:read items:write items:delete tokens:revoke' }),
    );
    return `${header}.${payload.toString('base64url')}.${signature}`;
  };
  const tamperedSignature = (token: string): string => {
    const [header, payload, signature = ''] = token.split('.');
    const middle = Math.floor(signature.length / 2);
    const flipped = signature[middle] === 'A' ? 'B' : 'A';
    return `${header}.${payload}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`;
  };

  test.each([
    ['a tampered payload', (): string => tamperedPayload(tokens.bob)],
    ['a tampered signature', (): string => tamperedSignature(tokens.alice)],
    ['an unsigned token (alg none)', (): string => 'eyJhbGciOiJub25lIn0.e30.x'],
  ])('%s gives 401 invalid_token', async (_name, token) => {
    const before = await stats();
    await expectGatewayResponse(await call('GET', '/items', token()), 'UNAUTHORIZED');
    expect((await stats()).authorizerInvocations).toBe(before.authorizerInvocations + 1);
  });

  test.each([
    ['no Authorization header', undefined],
    ['an empty Authorization header', ''],
    ['a header the identity validation expression refuses', 'Basic YWxpY2U6cGFzc3dvcmQ='],
  ])('%s gives 401 without invoking the authorizer', async (_name, header) => {
    const before = await stats();
    const res = await fetch(`${api}/items`, {
      headers: header === undefined ? {} : { Authorization: header },
    });
    await expectGatewayResponse(res, 'UNAUTHORIZED');
    expect((await stats()).authorizerInvocations).toBe(before.authorizerInvocations);
  });

  test('an expired token (short-lived client, waited out) gives 401', async () => {
    const exp = payloadOf(tokens.aliceShort).exp as number;
    expect(payloadOf(tokens.aliceShort).client_id).toBe('local-cli-short-lived');
    // Waiting is the point of the test, not a timing assertion: the token must be past its exp.
    while (Date.now() / 1000 <= exp + 1) await new Promise((r) => setTimeout(r, 200));
    await expectGatewayResponse(await call('GET', '/items', tokens.aliceShort), 'UNAUTHORIZED');
  });
});

describe('the token endpoint (oidc-provider)', () => {
  const redirectUri = 'http://127.0.0.1:9/callback';

  async function authorizationCode(codeChallenge: string): Promise<string> {
    const discovery = await send(`${stack.info.issuer}/.well-known/openid-configuration`, {
      ca: stack.info.issuerCertificate,
    });
    const { authorization_endpoint: authorize } = JSON.parse(discovery.body.toString('utf8')) as {
      authorization_endpoint: string;
    };
    const url = new URL(authorize);
    url.search = new URLSearchParams({
      client_id: stack.info.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'items:read',
      resource: stack.info.audience,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      state: randomBytes(16).toString('base64url'),
    }).toString();
    const callback = await completeInteraction(url.href, {
      username: 'bob',
      password: 'bob-password',
      ca: stack.info.issuerCertificate,
      stopAt: redirectUri,
    });
    const code = new URL(callback).searchParams.get('code');
    if (code === null) throw new Error(`no code in ${callback}`);
    return code;
  }

  async function exchange(
    code: string,
    codeVerifier: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await send(`${stack.info.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: stack.info.clientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: codeVerifier,
        resource: stack.info.audience,
      }).toString(),
      ca: stack.info.issuerCertificate,
    });
    return { status: res.status, body: JSON.parse(res.body.toString('utf8')) as Record<string, unknown> };
  }

  test('a wrong code_verifier gives invalid_grant; the right one works once; a reused code gives invalid_grant', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = await authorizationCode(createHash('sha256').update(verifier).digest('base64url'));

    const wrong = await exchange(code, randomBytes(32).toString('base64url'));
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'invalid_grant' });

    const right = await exchange(code, verifier);
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ token_type: 'Bearer', scope: 'items:read' });

    const reused = await exchange(code, verifier);
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: 'invalid_grant' });
  });

  test('an authorization request with code_challenge_method=plain is refused', async () => {
    const authorize = new URL(`${stack.info.issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: stack.info.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'items:read',
      code_challenge: randomBytes(32).toString('base64url'),
      code_challenge_method: 'plain',
      state: 'x',
    }).toString();
    const callback = await completeInteraction(authorize.href, {
      username: 'bob',
      password: 'bob-password',
      ca: stack.info.issuerCertificate,
      stopAt: redirectUri,
    });
    expect(Object.fromEntries(new URL(callback).searchParams)).toMatchObject({
      error: 'invalid_request',
      error_description: 'not supported value of code_challenge_method',
    });
  });
});

describe('the authorizer result cache', () => {
  test('a repeated request with the same token does not invoke the authorizer again, nor count a decision', async () => {
    const before = await stats();
    const decidedBefore = await decisions();
    expect((await call('GET', '/items', tokens.aliceCache)).status).toBe(200);
    expect((await call('GET', '/items', tokens.aliceCache)).status).toBe(200);
    const after = await stats();
    expect(after.authorizerInvocations - before.authorizerInvocations).toBe(1);
    expect(after.cacheHits - before.cacheHits).toBe(1);
    // LOG_LEVEL=warn: the allow line is not logged, its metrics are (a compact line).
    expect((await decisions()) - decidedBefore).toBe(1);
  });

  test('a policy cached from a GET decides a later POST correctly (allowed for alice, denied for bob)', async () => {
    const before = await stats();
    expect((await call('GET', '/items', tokens.bobCache)).status).toBe(200);
    await expectGatewayResponse(
      await call('POST', '/items', tokens.bobCache, { name: 'cached' }),
      'ACCESS_DENIED',
    );
    // aliceCache's policy was cached by the previous test's GET.
    expect((await call('POST', '/items', tokens.aliceCache, { name: 'cached' })).status).toBe(201);
    const after = await stats();
    expect(after.authorizerInvocations - before.authorizerInvocations).toBe(1);
    expect(after.cacheHits - before.cacheHits).toBe(2);
  });
});

describe('shutdown', () => {
  test('SIGINT stops everything, removes the discovery file and prints the metrics summary', async () => {
    const { stackFile } = stack;
    expect(existsSync(stackFile)).toBe(true);
    const invocations = (await stats()).authorizerInvocations;
    expect(await stack.stop('SIGINT')).toBe(0);
    expect(existsSync(stackFile)).toBe(false);
    const summary = stack.output().slice(stack.output().indexOf('SIGINT: stopping'));
    expect(summary).toContain('metrics (what CloudWatch would count; every metric is at GET /__metrics):');
    const counted = ['Allowed', 'Denied', 'Unauthorized', 'Unavailable'].map((name) =>
      Number(new RegExp(`^ {2}${name} \\[authorizer\\]: (\\d+)`, 'm').exec(summary)?.[1] ?? 0),
    );
    expect(counted.reduce((a, b) => a + b, 0)).toBe(invocations);
    await expect(fetch(`${api}/items`)).rejects.toThrow();
    // The stack's own DynamoDB Local (Java) is gone too; one passed in through DYNAMODB_ENDPOINT is not its to stop.
    if (process.env.DYNAMODB_ENDPOINT === undefined)
      await expect(fetch(stack.info.dynamodb)).rejects.toThrow();
  });
});
