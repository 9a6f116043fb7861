// The browser app with DPoP (RFC 9449) in headless Chromium: `DPOP=1 npm start` as a child process, the real
// login form of the local OpenID provider, the real gateway, authorizer, items handlers and DynamoDB Local.
// What the browser sends is read from playwright's request events; the token is used, never printed: the
// assertions compare its scheme, its claims and hashes of it. Proofs are checked against
// test/support/dpop-proof.ts (written from the RFCs, independently of oauth4webapi and of the authorizer).
import { createPublicKey, verify } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page, Request, Route } from 'playwright-core';
import { ath, thumbprint } from '../support/dpop-proof';
import { startStack, type StackProcess } from '../e2e/stack-process';
import { chromiumAvailability, launchChromium, type LaunchedBrowser } from './chromium';

const availability = chromiumAvailability();
const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'browser');

if (availability.kind === 'skip') {
  // Loud on purpose: a skipped browser test must never pass unnoticed.
  process.stderr.write(`\n\n*** BROWSER TESTS SKIPPED *** ${availability.reason}\n\n`);
}

const describeInBrowser = availability.kind === 'skip' ? describe.skip : describe;

jest.setTimeout(90_000);

/**
 * Runs before the app's script on every page: keeps each key pair WebCrypto generates, so the test can look
 * at the very key the app made. It only records; the app gets the same object back.
 */
const RECORD_GENERATED_KEYS = `(() => {
  const generate = SubtleCrypto.prototype.generateKey;
  const made = [];
  Object.defineProperty(window, '__generatedKeys', { value: made });
  SubtleCrypto.prototype.generateKey = async function (...args) {
    const result = await generate.apply(this, args);
    made.push(result);
    return result;
  };
})()`;

/** What the page can say about the key the app made, and what it stored. */
const KEY_FACTS = `(async () => {
  const pairs = window.__generatedKeys;
  const pair = pairs[0];
  const outcome = (promise) => promise.then(() => 'exported', (error) => error.name);
  const describe = (key) => ({
    isCryptoKey: key instanceof CryptoKey,
    type: key.type,
    extractable: key.extractable,
    algorithm: { name: key.algorithm.name, namedCurve: key.algorithm.namedCurve },
    usages: [...key.usages],
  });
  return {
    generated: pairs.length,
    privateKey: describe(pair.privateKey),
    publicKey: describe(pair.publicKey),
    exportJwk: await outcome(crypto.subtle.exportKey('jwk', pair.privateKey)),
    exportPkcs8: await outcome(crypto.subtle.exportKey('pkcs8', pair.privateKey)),
    publicJwk: await crypto.subtle.exportKey('jwk', pair.publicKey),
    storage: [localStorage.length, sessionStorage.length, document.cookie, (await indexedDB.databases()).length],
  };
})()`;

interface Sent {
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  /** The Authorization scheme; the token itself is in `token`, which no assertion prints. */
  readonly scheme: string;
  readonly token: string;
  /** The DPoP header, or undefined. */
  readonly proof: string | undefined;
}

interface DecodedProof {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** Whether the signature verifies with the header's own jwk (ES256, JWS's raw r||s form). */
  readonly signatureValid: boolean;
}

function decodeJson(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function decodeProof(proof: string): DecodedProof {
  const [header = '', payload = '', signature = ''] = proof.split('.');
  const decodedHeader = decodeJson(header);
  const key = createPublicKey({ key: decodedHeader.jwk as never, format: 'jwk' });
  return {
    header: decodedHeader,
    payload: decodeJson(payload),
    signatureValid: verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    ),
  };
}

/** What each of `requests` carried and got back (its DPoP-Nonce too), in order. */
async function sentOf(
  requests: readonly Request[],
): Promise<(Sent & { readonly nonce: string | undefined })[]> {
  return Promise.all(
    requests.map(async (request) => {
      const headers = await request.allHeaders();
      const [scheme = '', token = ''] = (headers.authorization ?? '').split(' ');
      const response = await request.response();
      return {
        method: request.method(),
        url: request.url(),
        status: response?.status(),
        scheme,
        token,
        proof: headers.dpop,
        nonce: (await response?.allHeaders())?.['dpop-nonce'],
      };
    }),
  );
}

/** alice through the local provider's real login and consent pages, back to the app, signed in. */
async function signInAsAlice(page: Page, app: string): Promise<void> {
  await page.goto(app);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('form[data-step="login"]').waitFor();
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('form[data-step="consent"]').waitFor();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${app}/`);
  await page.getByTestId('who').getByText('Signed in as alice').waitFor();
}

describeInBrowser('the browser app with DPoP (DPOP=1) in headless Chromium', () => {
  let stack: StackProcess | undefined;
  let launched: LaunchedBrowser | undefined;
  let page: Page;
  let app: string;
  let api: string;
  /** Every request the page sent to the API (preflights aside), in order. */
  const requests: Request[] = [];

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `dpop-${name}.png`), fullPage: true });
  }

  async function sent(from = 0): Promise<Sent[]> {
    return sentOf(requests.slice(from));
  }

  /** The reason codes the authorizer logged for refused requests, in order. */
  function refusalReasons(): string[] {
    return (stack?.output() ?? '')
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"reason"'))
      .map((line) => (JSON.parse(line) as { reason: string }).reason);
  }

  /** The gateway's 401 with DPoP on, written out as README's "The 401" shows it. */
  function expectedChallenge(): string {
    const metadata = `${api}/.well-known/oauth-protected-resource`;
    return (
      `Bearer error="invalid_token", resource_metadata="${metadata}", DPoP error="invalid_token", ` +
      `algs="ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512", resource_metadata="${metadata}"`
    );
  }

  async function expectUnauthorized(response: Response, reason: string): Promise<void> {
    expect({
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      code: ((await response.json()) as { code?: string }).code,
    }).toEqual({ status: 401, challenge: expectedChallenge(), code: 'INVALID_TOKEN' });
    expect(refusalReasons().at(-1)).toBe(reason);
  }

  async function addItem(name: string): Promise<void> {
    await page.getByLabel('New item').fill(name);
    await page.getByRole('button', { name: 'Add' }).click();
  }

  beforeAll(async () => {
    if (availability.kind === 'fail') throw new Error(availability.reason);
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack({ DPOP: '1', APP_PORT: '0', ITEMS_TABLE: 'items-browser-dpop' });
    if (stack.info.app === null) throw new Error('the stack serves no app');
    app = stack.info.app;
    api = stack.info.api;
    launched = await launchChromium();
    await launched.context.addInitScript(RECORD_GENERATED_KEYS);
    page = await launched.context.newPage();
    page.on('request', (request) => {
      if (request.url().startsWith(`${api}/`) && request.method() !== 'OPTIONS') requests.push(request);
    });
  }, 120_000);

  afterAll(async () => {
    await launched?.close();
    await stack?.cleanup();
  });

  test('alice signs in; GET and POST /items carry Authorization: DPoP and a fresh, matching proof each', async () => {
    await signInAsAlice(page, app);
    await page.getByText('No items yet.').waitFor();
    await addItem('bound milk');
    await page.getByTestId('items').getByText('bound milk').waitFor();
    await expect(page.getByTestId('message').textContent()).resolves.toBe('Added “bound milk”.');
    await shot('1-signed-in-item-added');

    const calls = await sent();
    expect(calls.map((c) => [c.method, c.url, c.status, c.scheme])).toEqual([
      ['GET', `${api}/items`, 200, 'DPoP'],
      ['POST', `${api}/items`, 201, 'DPoP'],
      ['GET', `${api}/items`, 200, 'DPoP'],
    ]);
    const token = calls[0]?.token ?? '';
    const cnf = decodeJson(token.split('.')[1] ?? '').cnf as { jkt?: string } | undefined;
    const now = Math.floor(Date.now() / 1000);
    const proofs = calls.map((c) => {
      expect(c.token === token).toBe(true);
      return decodeProof(c.proof ?? '');
    });
    for (const [i, proof] of proofs.entries()) {
      const call = calls[i] as Sent;
      const jwk = proof.header.jwk as Record<string, string>;
      expect(proof.header).toEqual({ alg: 'ES256', typ: 'dpop+jwt', jwk: expect.any(Object) });
      // The public key only: no `d`, nothing else.
      expect(Object.keys(jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
      expect({ kty: jwk.kty, crv: jwk.crv }).toEqual({ kty: 'EC', crv: 'P-256' });
      expect(thumbprint(jwk)).toBe(cnf?.jkt);
      expect(proof.signatureValid).toBe(true);
      expect(proof.payload).toEqual({
        iat: expect.any(Number),
        jti: expect.any(String),
        htm: call.method,
        htu: `${api}/items`,
        ath: ath(token),
      });
      expect(Math.abs(now - (proof.payload.iat as number))).toBeLessThanOrEqual(30);
    }
    expect(new Set(proofs.map((p) => p.payload.jti)).size).toBe(3);
  });

  test('the key is a non-extractable CryptoKey, generated once, kept in memory and in no storage', async () => {
    const facts = (await page.evaluate(KEY_FACTS)) as Record<string, unknown>;
    const curve = { name: 'ECDSA', namedCurve: 'P-256' };
    expect(facts).toEqual({
      generated: 1,
      privateKey: {
        isCryptoKey: true,
        type: 'private',
        extractable: false,
        algorithm: curve,
        usages: ['sign'],
      },
      // WebCrypto always lets the public half out: the proof's jwk header is made from it.
      publicKey: {
        isCryptoKey: true,
        type: 'public',
        extractable: true,
        algorithm: curve,
        usages: ['verify'],
      },
      exportJwk: 'InvalidAccessError',
      exportPkcs8: 'InvalidAccessError',
      publicJwk: expect.objectContaining({ kty: 'EC', crv: 'P-256' }),
      storage: [0, 0, '', 0],
    });
    // The key the proofs name is this one.
    const [first] = await sent();
    const jwk = decodeProof(first?.proof ?? '').header.jwk as Record<string, string>;
    expect(thumbprint(facts.publicJwk as Record<string, string>)).toBe(thumbprint(jwk));
  });

  test('the proof and token the browser sent, replayed from Node → 401 (DPOP_REPLAYED)', async () => {
    const last = (await sent()).at(-1) as Sent;
    expect([last.method, last.status]).toEqual(['GET', 200]);
    const replay = await fetch(last.url, {
      headers: { Authorization: `DPoP ${last.token}`, DPoP: last.proof ?? '' },
    });
    await expectUnauthorized(replay, 'DPOP_REPLAYED');
  });

  test('the token the browser holds, sent as Bearer → 401 (DPOP_BOUND_TOKEN_AS_BEARER)', async () => {
    const [first] = await sent();
    const asBearer = await fetch(`${api}/items`, { headers: { Authorization: `Bearer ${first?.token}` } });
    await expectUnauthorized(asBearer, 'DPOP_BOUND_TOKEN_AS_BEARER');
  });

  /** The nonce the last challenge handed out: the DPoP handle keeps it for the API's origin. */
  let servedNonce: string | undefined;

  // The local issuer and authorizer offer no server nonces (README: the static 401 cannot carry one), so the
  // nonce challenge is played by the test: the route answers the first POST as a server with nonces would,
  // with the status under test; the retry goes on to the real gateway (its authorizer ignores `nonce`).
  test.each([401, 400])(
    'a use_dpop_nonce challenge (status %d): one retry, with a new proof that carries the nonce',
    async (status) => {
      const nonce = `nonce-${status}-${Date.now()}`;
      let challenged = 0;
      const handler = async (route: Route): Promise<void> => {
        if (route.request().method() !== 'POST' || challenged > 0) return route.continue();
        challenged += 1;
        return route.fulfill({
          status,
          headers: {
            'Access-Control-Allow-Origin': app,
            'Access-Control-Expose-Headers': 'WWW-Authenticate, DPoP-Nonce',
            'WWW-Authenticate':
              'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce"',
            'DPoP-Nonce': nonce,
            'Content-Type': 'application/problem+json',
          },
          body: JSON.stringify({ code: 'USE_DPOP_NONCE' }),
        });
      };
      const from = requests.length;
      await page.route(`${api}/items`, handler);
      try {
        await addItem(`after nonce ${status}`);
        await page.getByTestId('items').getByText(`after nonce ${status}`).waitFor();
      } finally {
        await page.unroute(`${api}/items`, handler);
      }
      const calls = await sent(from);
      expect(calls.map((c) => [c.method, c.status])).toEqual([
        ['POST', status],
        ['POST', 201],
        ['GET', 200],
      ]);
      const [challengedProof, retriedProof] = calls.map((c) => decodeProof(c.proof ?? '').payload);
      // The first proof carries the nonce the app held before (none at first), the retry the new one.
      expect(challengedProof?.nonce).toBe(servedNonce);
      expect(retriedProof?.nonce).toBe(nonce);
      servedNonce = nonce;
      expect(retriedProof?.jti).not.toBe(challengedProof?.jti);
      await expect(page.getByTestId('message').textContent()).resolves.toBe(`Added “after nonce ${status}”.`);
    },
  );

  test('a nonce challenge whose DPoP-Nonce the page cannot read: one retry only, then a clear message', async () => {
    const handler = (route: Route): Promise<void> =>
      route.request().method() !== 'POST'
        ? route.continue()
        : route.fulfill({
            status: 401,
            // DPoP-Nonce is sent but not exposed through CORS, so the page cannot see it.
            headers: {
              'Access-Control-Allow-Origin': app,
              'Access-Control-Expose-Headers': 'WWW-Authenticate',
              'WWW-Authenticate': 'DPoP error="use_dpop_nonce"',
              'DPoP-Nonce': 'hidden-nonce',
            },
            body: '',
          });
    const from = requests.length;
    await page.route(`${api}/items`, handler);
    try {
      await addItem('never added');
      await page.getByTestId('message').getByText('asks for a DPoP nonce').waitFor();
    } finally {
      await page.unroute(`${api}/items`, handler);
    }
    expect((await sent(from)).map((c) => [c.method, c.status])).toEqual([
      ['POST', 401],
      ['POST', 401],
    ]);
    const message = page.getByTestId('message');
    await expect(message.textContent()).resolves.toBe(
      'Could not add an item: the API asks for a DPoP nonce (DPoP error "use_dpop_nonce"), but this page ' +
        'cannot read its DPoP-Nonce header. The API must expose it to the browser (Access-Control-Expose-Headers).',
    );
    await expect(message.getAttribute('data-kind')).resolves.toBe('other');
    await shot('2-nonce-unreadable');
    await expect(page.getByTestId('who').textContent()).resolves.toBe('Signed in as alice');
  });

  test('a proof the API refuses (an old one, replayed on the way) → the DPoP message, and the session ends', async () => {
    const [first] = await sent();
    // The page's own GET goes out with the first proof it ever sent instead of its fresh one.
    const handler = async (route: Route): Promise<void> => {
      const request = route.request();
      if (request.method() !== 'GET') return route.continue();
      return route.continue({ headers: { ...(await request.allHeaders()), dpop: first?.proof ?? '' } });
    };
    await page.route(`${api}/items`, handler);
    try {
      await addItem('then refused');
      await page.getByTestId('who').getByText('Not signed in.').waitFor();
    } finally {
      await page.unroute(`${api}/items`, handler);
    }
    expect(refusalReasons().at(-1)).toBe('DPOP_REPLAYED');
    const message = page.getByTestId('message');
    await expect(message.textContent()).resolves.toBe(
      'The API refused your sign-in or the proof of possession this browser signed for it ' +
        '(401, DPoP error "invalid_token"). Sign in again: that makes a new key and token.',
    );
    await expect(message.getAttribute('data-kind')).resolves.toBe('sign-in-again');
    await shot('3-proof-refused');
  });
});

describeInBrowser('the browser app against real server nonces (DPOP=1 DPOP_NONCES=1)', () => {
  let stack: StackProcess | undefined;
  let launched: LaunchedBrowser | undefined;
  let page: Page;
  const requests: Request[] = [];

  beforeAll(async () => {
    if (availability.kind === 'fail') throw new Error(availability.reason);
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack({
      DPOP: '1',
      DPOP_NONCES: '1',
      APP_PORT: '0',
      ITEMS_TABLE: 'items-browser-dpop-nonces',
      DPOP_REPLAY_TABLE: 'dpop-replay-browser',
    });
    const api = stack.info.api;
    launched = await launchChromium();
    page = await launched.context.newPage();
    page.on('request', (request) => {
      if (request.url().startsWith(`${api}/`) && request.method() !== 'OPTIONS') requests.push(request);
    });
  }, 120_000);

  afterAll(async () => {
    await launched?.close();
    await stack?.cleanup();
  });

  test("the first call is challenged (403 use_dpop_nonce); the retry and every later proof carry the server's latest nonce", async () => {
    const { app, api } = stack?.info ?? { app: null, api: '' };
    if (app === null) throw new Error('the stack serves no app');
    await signInAsAlice(page, app);
    await page.getByText('No items yet.').waitFor();
    await page.getByLabel('New item').fill('nonce milk');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByTestId('items').getByText('nonce milk').waitFor();
    await expect(page.getByTestId('message').textContent()).resolves.toBe('Added “nonce milk”.');
    await page.screenshot({ path: join(ARTIFACTS, 'dpop-nonces-item-added.png'), fullPage: true });

    const calls = await sentOf(requests);
    expect(calls.map((c) => [c.method, c.url, c.status, c.scheme])).toEqual([
      ['GET', `${api}/items`, 403, 'DPoP'],
      ['GET', `${api}/items`, 200, 'DPoP'],
      ['POST', `${api}/items`, 201, 'DPoP'],
      ['GET', `${api}/items`, 200, 'DPoP'],
    ]);
    // The challenge, as the README's Server nonces section writes it (the page could read both headers).
    const challenge = await requests[0]?.response();
    expect((await challenge?.allHeaders())?.['www-authenticate']).toBe(
      'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", ' +
        'algs="ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512"',
    );
    // Every answer hands out a nonce; each proof carries the one the answer before it gave (none at first).
    const nonces = calls.map((c) => c.nonce);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const carried = calls.map((c) => decodeProof(c.proof ?? '').payload.nonce);
    expect(carried).toEqual([undefined, nonces[0], nonces[1], nonces[2]]);
    const reasons = (stack?.output() ?? '')
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"reason"'))
      .map((line) => (JSON.parse(line) as { reason: string }).reason)
      .filter((reason) => reason.startsWith('DPOP_'));
    expect(reasons).toEqual(['DPOP_NONCE_REQUIRED']);
  });
});

if (availability.kind === 'skip') {
  test('browser tests skipped: Chromium is missing (see the message above)', () => {
    expect(availability.kind).toBe('skip');
  });
}
