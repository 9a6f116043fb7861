// End to end on 127.0.0.1, service to service: `npm start` as a child process, `npm run login --
// --client-credentials` gets the demo service's token from the real OpenID provider (no user; its
// permissions arrive in a `roles` claim), and the local gateway's real authorizer, configured with
// PERMISSION_CLAIMS=roles for the local issuer, lets it read items and refuses it a write. Nothing is mocked.
import { gatewayResponse, gatewayResponseBody, protectedResourceMetadataUrl } from 'bearer-gate/contract';
import { appGatewayResponses } from '../../local/construct-contract';
import { DEMO_SERVICES } from '../../local/issuer/demo-users';
import { send } from '../../local/login-client';
import { runLogin, startStack, type LoginRun, type StackProcess } from './stack-process';
import { payloadOf } from '../support/keys';

/** The stack's gateway responses: the app's, with the metadata URL (which holds the gateway's port). */
function stackResponses() {
  return appGatewayResponses('*', { resourceMetadataUrl: protectedResourceMetadataUrl(stack.info.api) });
}

jest.setTimeout(60_000);

let stack: StackProcess;
let login: LoginRun;
let token: string;

function call(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.info.api}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  stack = await startStack({ LOG_LEVEL: 'warn', ITEMS_TABLE: 'items-e2e-service' });
  login = await runLogin(stack, ['--client-credentials']);
  token = login.stdout.trim();
}, 90_000);

afterAll(async () => {
  await stack?.cleanup();
});

test('npm run login -- --client-credentials prints only a token whose permissions are in roles', () => {
  expect(login.code).toBe(0);
  expect(login.stdout).toBe(`${token}\n`);
  expect(login.stderr).toMatch(/^service local-service: roles items:read; expires in \d+ s\n$/);
  const payload = payloadOf(token);
  expect(payload).toMatchObject({
    iss: stack.info.issuer,
    aud: stack.info.audience,
    sub: 'local-service',
    client_id: 'local-service',
    roles: ['items:read'],
  });
  expect(payload).not.toHaveProperty('scope');
});

test('the service token reads items (roles: items:read)', async () => {
  const res = await call('GET', '/items');
  expect(res.status).toBe(200);
  // The service owns nothing: its owner is (local issuer, local-service), nobody's user.
  expect(await res.json()).toEqual({ items: [] });
});

test('the service token is refused a write with 403 (it holds no items:write)', async () => {
  const res = await call('POST', '/items', { name: 'from a service' });
  const expected = gatewayResponse('ACCESS_DENIED', stackResponses());
  expect(res.status).toBe(403);
  expect(res.headers.get('www-authenticate')).toBe(expected.headers['WWW-Authenticate']);
  expect(await res.text()).toBe(gatewayResponseBody(expected));
});

test('asking the issuer for a scope gets the service none: its roles are all it holds', async () => {
  const [service] = DEMO_SERVICES;
  const basic = Buffer.from(`${service?.clientId}:${service?.clientSecret}`).toString('base64');
  const res = await send(`${stack.info.issuer}/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'items:write',
      resource: stack.info.audience,
    }).toString(),
    ca: stack.info.issuerCertificate,
  });
  expect(res.status).toBe(200);
  const body = JSON.parse(res.body.toString('utf8')) as { access_token: string; scope?: string };
  expect(body.scope).toBeUndefined();
  expect(payloadOf(body.access_token)).toMatchObject({ roles: ['items:read'] });
  expect(payloadOf(body.access_token)).not.toHaveProperty('scope');
});
