// `npm run revoke`: revokes a token or a subject through the running local stack (found via .local-stack.json),
// as the demo admin: a headless PKCE login (the same client code as `npm run login`), then POST /revocations.
import { LocalStackError, SettingError } from './errors';
import { DEMO_USERS } from './issuer/demo-users';
import { loginWithPkce, newClientCertificate, send } from './login-client';
import { REVOKE_USAGE, parseRevokeArgs, revocationBody } from './revoke-args';
import { readStackFile, stackFilePath } from './stack-file';

const ADMIN = 'admin';

/** Exit codes, so scripts can tell a refused revocation from a stack that is not there. */
const EXIT = { failed: 1, usage: 2, refused: 3 } as const;

class RevokeRefusedError extends Error {
  override readonly name = 'RevokeRefusedError';
}

async function main(): Promise<void> {
  const args = parseRevokeArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(REVOKE_USAGE + '\n');
    return;
  }
  const stack = readStackFile(stackFilePath(process.env));
  if (stack.issuerCertificate === null) {
    throw new LocalStackError(
      'LOGIN_FAILED',
      `the stack trusts an external issuer (${stack.issuer}); call POST ${stack.api}/revocations with an ` +
        'admin token from that tenant instead',
    );
  }
  const admin = DEMO_USERS.find((u) => u.username === ADMIN);
  if (admin === undefined) throw new LocalStackError('LOGIN_FAILED', `no demo user "${ADMIN}"`);
  const { accessToken } = await loginWithPkce({
    issuer: stack.issuer,
    clientId: stack.clientId,
    audience: stack.audience,
    scope: 'tokens:revoke',
    ca: stack.issuerCertificate,
    headless: { username: admin.username, password: admin.password },
  });

  // With MTLS=1 the gateway takes no connection without a client certificate: a throwaway one from its CA.
  const clientCertificate = stack.mtls ? await newClientCertificate(stack.mtls, ADMIN) : undefined;
  const response = await send(`${stack.api}/revocations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(revocationBody(args.request, stack.issuer)),
    ca: stack.apiCertificate ?? null,
    ...(clientCertificate === undefined ? {} : { clientCertificate }),
  });
  const text = response.body.toString('utf8');
  if (response.status < 200 || response.status > 299) {
    throw new RevokeRefusedError(`POST /revocations answered ${response.status}: ${text}`);
  }
  process.stdout.write(text + '\n');
}

main().catch((error: unknown) => {
  const detail =
    error instanceof LocalStackError ? `${error.code}: ${error.message}` : (error as Error).message;
  process.stderr.write(`npm run revoke failed: ${detail}\n`);
  if (error instanceof SettingError) process.stderr.write(`\n${REVOKE_USAGE}\n`);
  process.exit(
    error instanceof SettingError
      ? EXIT.usage
      : error instanceof RevokeRefusedError
        ? EXIT.refused
        : EXIT.failed,
  );
});
