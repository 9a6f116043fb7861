// DPoP server nonces end to end on 127.0.0.1: `DPOP=1 DPOP_NONCES=1 npm start` as a child process (the replay
// table and its nonce key on DynamoDB Local), a DPoP-bound token from the REAL local issuer through
// `npm run login -- --dpop`, the sample items API behind the local gateway, and `npm run call`, which retries
// once with the nonce. The proofs the test signs itself come from test/support/dpop-proof.ts.
import { gatewayResponse, gatewayResponseBody, protectedResourceMetadataUrl } from 'bearer-gate/contract';
import { appGatewayResponses } from '../../local/construct-contract';
import { makeProof } from '../support/dpop-proof';
import type { TestKey } from '../support/keys';
import { loginDpopKey, runCall, runLogin, startStack, type StackProcess } from './stack-process';

jest.setTimeout(60_000);

const ALGS = 'ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512';
const USE_NONCE =
  'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", ' +
  `algs="${ALGS}"`;
const NONCE = /^[A-Za-z0-9_-]{54}$/;

let stack: StackProcess;
let api: string;
let token: string;
let key: TestKey;

/** The reason codes the authorizer logged for its decisions, in order. */
function reasons(): string[] {
  return stack
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"message":"authorization"'))
    .map((line) => (JSON.parse(line) as { reason: string }).reason);
}

function accessDenied() {
  return gatewayResponse(
    'ACCESS_DENIED',
    appGatewayResponses(stack.info.app ?? '*', {
      dpop: true,
      dpopNonces: true,
      resourceMetadataUrl: protectedResourceMetadataUrl(api),
    }),
  );
}

const get = (proof: string): Promise<Response> =>
  fetch(`${api}/items`, { headers: { Authorization: `DPoP ${token}`, DPoP: proof } });
const proofWith = (nonce?: string): string =>
  makeProof(key, {
    htm: 'GET',
    htu: `${api}/items`,
    token,
    ...(nonce === undefined ? {} : { claims: { nonce } }),
  });

/** The challenge: 403, the exact WWW-Authenticate, the ACCESS_DENIED body, and the nonce to use. */
async function expectChallenge(res: Response): Promise<string> {
  expect({ status: res.status, body: await res.text() }).toEqual({
    status: 403,
    body: gatewayResponseBody(accessDenied()),
  });
  expect(res.headers.get('www-authenticate')).toBe(USE_NONCE);
  const nonce = res.headers.get('dpop-nonce');
  expect(nonce).toMatch(NONCE);
  return nonce as string;
}

beforeAll(async () => {
  stack = await startStack({ DPOP: '1', DPOP_NONCES: '1' });
  api = stack.info.api;
  const run = await runLogin(stack, ['--user', 'alice', '--headless', '--dpop']);
  if (run.code !== 0) throw new Error(`login --dpop failed (${run.code}): ${run.stderr}`);
  token = run.stdout.trim();
  key = loginDpopKey(stack);
}, 90_000);

afterAll(async () => {
  await stack?.cleanup();
});

test('a proof without a nonce → 403 asking for one; the retry with it → 200 from the items API with the next nonce', async () => {
  const nonce = await expectChallenge(await get(proofWith()));
  expect(reasons().at(-1)).toBe('DPOP_NONCE_REQUIRED');
  const ok = await get(proofWith(nonce));
  expect(ok.status).toBe(200);
  expect(JSON.parse(await ok.text())).toEqual(expect.objectContaining({ items: expect.any(Array) }));
  // The items handler returns the nonce the authorizer put in its context (RFC 9449 §8.2).
  expect(ok.headers.get('dpop-nonce')).toMatch(NONCE);
  expect(reasons().at(-1)).toBe('ALLOWED');
});

test('the nonce of a 200 is good for the next request, with no challenge', async () => {
  const first = await get(proofWith(await expectChallenge(await get(proofWith()))));
  const next = await get(proofWith(first.headers.get('dpop-nonce') as string));
  expect(next.status).toBe(200);
});

test('a forged nonce → the challenge again (DPOP_NONCE_INVALID)', async () => {
  const real = await expectChallenge(await get(proofWith()));
  const forged = real.slice(0, 30) + (real[30] === 'A' ? 'B' : 'A') + real.slice(31);
  const fresh = await expectChallenge(await get(proofWith(forged)));
  expect(fresh).toMatch(NONCE);
  expect(reasons().at(-1)).toBe('DPOP_NONCE_INVALID');
});

test('npm run call retries once with the nonce: exit 0, HTTP 200', async () => {
  const run = await runCall(stack, token, ['GET', '/items']);
  expect({ code: run.code, stderr: run.stderr }).toEqual({
    code: 0,
    stderr: 'DPoP: the API asked for its nonce; sent again with it\nHTTP 200\n',
  });
  expect(JSON.parse(run.stdout)).toEqual(expect.objectContaining({ items: expect.any(Array) }));
  expect(reasons().slice(-2)).toEqual(['DPOP_NONCE_REQUIRED', 'ALLOWED']);
});
