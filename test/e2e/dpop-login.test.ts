// DPoP end to end on 127.0.0.1: `DPOP=1 npm start` as a child process, a DPoP-bound token from the REAL local
// issuer (oidc-provider) through `npm run login -- --dpop` (Authorization Code + PKCE with a proof on the token
// request), and `npm run call`. Nothing is mocked. The proofs the test signs itself come from
// test/support/dpop-proof.ts, written from RFC 9449 independently of the authorizer and of oauth4webapi.
import { statSync } from 'node:fs';
import { gatewayResponse, gatewayResponseBody, protectedResourceMetadataUrl } from 'bearer-gate/contract';
import { appGatewayResponses } from '../../local/construct-contract';
import { dpopKeyPath } from '../../local/login-client';
import { makeProof, thumbprint } from '../support/dpop-proof';
import { payloadOf, type TestKey } from '../support/keys';
import { loginDpopKey, runCall, runLogin, startStack, type StackProcess } from './stack-process';

jest.setTimeout(60_000);

let stack: StackProcess;
let api: string;
let token: string;
let key: TestKey;

function unauthorized() {
  return gatewayResponse(
    'UNAUTHORIZED',
    appGatewayResponses('*', { dpop: true, resourceMetadataUrl: protectedResourceMetadataUrl(api) }),
  );
}

async function expectUnauthorized(res: Response): Promise<void> {
  const expected = unauthorized();
  expect({ status: res.status, body: await res.text() }).toEqual({
    status: 401,
    body: gatewayResponseBody(expected),
  });
  expect(res.headers.get('www-authenticate')).toBe(expected.headers['WWW-Authenticate']);
}

/** The reason codes the authorizer logged for refused requests, in order. */
function refusalReasons(): string[] {
  return stack
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"reason"'))
    .map((line) => (JSON.parse(line) as { reason: string }).reason);
}

beforeAll(async () => {
  stack = await startStack({ DPOP: '1' });
  api = stack.info.api;
  const run = await runLogin(stack, ['--user', 'alice', '--headless', '--dpop']);
  if (run.code !== 0) throw new Error(`login --dpop failed (${run.code}): ${run.stderr}`);
  token = run.stdout.trim();
  key = loginDpopKey(stack);
}, 90_000);

afterAll(async () => {
  await stack?.cleanup();
});

test('login --dpop: a token bound to the key file (cnf.jkt = its RFC 7638 thumbprint), file mode 0600', () => {
  expect(statSync(dpopKeyPath(stack.stackFile)).mode & 0o777).toBe(0o600);
  expect(payloadOf(token)).toMatchObject({ sub: 'alice', cnf: { jkt: thumbprint(key.jwk) } });
  expect(Object.keys(key.jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
});

test('npm run call signs a proof with the key file: GET /items → 200', async () => {
  const run = await runCall(stack, token, ['GET', '/items']);
  expect({ code: run.code, status: run.stderr.split('\n')[0] }).toEqual({ code: 0, status: 'HTTP 200' });
  expect(JSON.parse(run.stdout)).toEqual(expect.objectContaining({ items: expect.any(Array) }));
});

test('a good proof → 200; the same proof again → 401 (DPOP_REPLAYED)', async () => {
  const proof = makeProof(key, { htm: 'GET', htu: `${api}/items`, token });
  const send = (): Promise<Response> =>
    fetch(`${api}/items`, { headers: { Authorization: `DPoP ${token}`, DPoP: proof } });
  const first = await send();
  expect(first.status).toBe(200);
  await first.text();
  await expectUnauthorized(await send());
  expect(refusalReasons().at(-1)).toBe('DPOP_REPLAYED');
});

test('the bound token sent as Bearer (with or without a good proof) → 401 (DPOP_BOUND_TOKEN_AS_BEARER)', async () => {
  await expectUnauthorized(await fetch(`${api}/items`, { headers: { Authorization: `Bearer ${token}` } }));
  expect(refusalReasons().at(-1)).toBe('DPOP_BOUND_TOKEN_AS_BEARER');
  const proof = makeProof(key, { htm: 'GET', htu: `${api}/items`, token });
  await expectUnauthorized(
    await fetch(`${api}/items`, { headers: { Authorization: `Bearer ${token}`, DPoP: proof } }),
  );
  expect(refusalReasons().at(-1)).toBe('DPOP_BOUND_TOKEN_AS_BEARER');
});

test('npm run call reports a refusal: exit 22, HTTP 401 and the DPoP challenge on stderr', async () => {
  const run = await runCall(stack, `${token}x`, ['GET', '/items']);
  expect({ code: run.code, stderr: run.stderr }).toEqual({
    code: 22,
    stderr: `HTTP 401\nWWW-Authenticate: ${unauthorized().headers['WWW-Authenticate']}\n`,
  });
  expect(run.stdout).toBe(gatewayResponseBody(unauthorized()) + '\n');
  expect(refusalReasons().at(-1)).toBe('MALFORMED_TOKEN');
});
