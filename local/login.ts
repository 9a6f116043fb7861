// `npm run login`: Authorization Code + PKCE against the running local stack (found via .local-stack.json),
// or, with --client-credentials, the demo service's client credentials grant (no user, permissions in roles).
// --dpop and --mtls bind the token to a new key or client certificate (RFC 9449, RFC 8705).
// Headless mode prints ONLY the access token on stdout, so scripts can capture it; everything else is stderr.
import { LocalStackError } from './errors';
import { API_SCOPES, DEMO_SERVICES, DEMO_USERS } from './issuer/demo-users';
import {
  LOGIN_USAGE,
  clientCredentialsToken,
  dpopKeyPath,
  generateDpopKey,
  isBoundTo,
  loginWithPkce,
  newClientCertificate,
  parseLoginArgs,
  requireMutualTls,
  writeClientCertificate,
  writeDpopKeyFile,
  type ClientCertificate,
} from './login-client';
import { readStackFile, stackFilePath } from './stack-file';

async function main(): Promise<void> {
  const args = parseLoginArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(LOGIN_USAGE + '\n');
    return;
  }
  const stackFile = stackFilePath(process.env);
  const stack = readStackFile(stackFile);
  if (stack.issuerCertificate === null) {
    throw new LocalStackError(
      'LOGIN_FAILED',
      `the stack trusts an external issuer (${stack.issuer}); get a token from that tenant instead`,
    );
  }
  if (args.clientCredentials) {
    const [service] = DEMO_SERVICES;
    if (service === undefined) throw new LocalStackError('LOGIN_FAILED', 'no demo service is defined');
    const result = await clientCredentialsToken({
      issuer: stack.issuer,
      clientId: service.clientId,
      clientSecret: service.clientSecret,
      audience: stack.audience,
      ca: stack.issuerCertificate,
    });
    process.stderr.write(
      `service ${service.clientId}: roles ${service.roles.join(' ')}; expires in ${result.expiresIn ?? '?'} s\n`,
    );
    process.stdout.write(result.accessToken + '\n');
    return;
  }
  const mutualTls = args.mtls ? requireMutualTls(stack.mtls, stack.apiCertificate, '--mtls') : undefined;
  const clientId = mutualTls?.mtls.clientId ?? (args.shortLived ? stack.shortLivedClientId : stack.clientId);
  if (clientId === null) {
    throw new LocalStackError(
      'LOGIN_FAILED',
      '--short-lived needs npm start with SHORT_LIVED_TOKEN_TTL_SECONDS set',
    );
  }
  const password = args.password ?? DEMO_USERS.find((u) => u.username === args.user)?.password;
  if (args.headless && password === undefined) {
    throw new LocalStackError('LOGIN_FAILED', `no demo user "${args.user}"; pass --password`);
  }
  const dpopKey = args.dpop ? await generateDpopKey() : undefined;
  const clientCertificate =
    mutualTls === undefined ? undefined : await newClientCertificate(mutualTls.mtls, args.user ?? clientId);
  const result = await loginWithPkce({
    ...(dpopKey === undefined ? {} : { dpopKey }),
    ...(clientCertificate === undefined ? {} : { clientCertificate }),
    issuer: stack.issuer,
    clientId,
    audience: stack.audience,
    scope: args.scope ?? API_SCOPES.join(' '),
    ca: stack.issuerCertificate,
    ...(args.headless && args.user !== undefined && password !== undefined
      ? { headless: { username: args.user, password } }
      : {}),
    onAuthorizeUrl: (url) => {
      process.stderr.write(
        `Open this URL in a browser and sign in${args.user ? ` as ${args.user}` : ''}:\n\n  ${url}\n\n`,
      );
      process.stderr.write('(the browser will warn about the self-signed certificate of the local issuer)\n');
    },
  });
  if (dpopKey !== undefined) {
    // Written only once the token is issued, so a failed login leaves the previous key and token working.
    const keyFile = dpopKeyPath(stackFile);
    await writeDpopKeyFile(keyFile, dpopKey);
    process.stderr.write(
      `DPoP-bound token (cnf.jkt); its private key is in ${keyFile} (mode 0600).\n` +
        'Call the API with a fresh proof per request: TOKEN=<the token> npm run call -- GET /items\n',
    );
  }
  if (clientCertificate !== undefined && mutualTls !== undefined) {
    reportCertificateBinding(result.accessToken, clientCertificate, mutualTls.apiCertificate, stack.api);
  }
  if (!args.headless) {
    process.stderr.write(
      `granted scope: ${result.scope ?? '(none)'}; expires in ${result.expiresIn ?? '?'} s\n`,
    );
    process.stderr.write('access token (export TOKEN=...):\n');
  }
  process.stdout.write(result.accessToken + '\n');
}

/** Writes the certificate the token is bound to, and says on stderr where it went and how to call the API. */
function reportCertificateBinding(
  accessToken: string,
  certificate: ClientCertificate,
  apiCertificate: string,
  api: string,
): void {
  if (!isBoundTo(accessToken, certificate)) {
    throw new LocalStackError(
      'LOGIN_FAILED',
      'asked for a certificate-bound token, got one without its cnf x5t#S256',
    );
  }
  const files = writeClientCertificate(certificate, apiCertificate);
  process.stderr.write(
    [
      'Certificate-bound token (cnf x5t#S256, RFC 8705), sent as Bearer over mutual TLS with:',
      `  client certificate: ${files.certFile}`,
      `  private key:        ${files.keyFile} (mode 0600)`,
      'Call the API with them (without the certificate the gateway closes the connection):',
      `  TOKEN=<the token> npm run call -- --cert ${files.certFile} --key ${files.keyFile} GET /items`,
      `  curl --cacert ${files.apiCaFile} --cert ${files.certFile} --key ${files.keyFile} \\`,
      `    -H "Authorization: Bearer $TOKEN" ${api}/items`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  const detail = error instanceof LocalStackError ? `${error.code}: ${error.message}` : String(error);
  process.stderr.write(`npm run login failed: ${detail}\n`);
  process.exit(1);
});
