// `npm run call -- METHOD PATH`: calls the local API with the sender-constrained token in $TOKEN: a DPoP-bound
// one with a fresh proof signed with the key `npm run login -- --dpop` wrote (once more with the server's
// nonce, when the API asks for it), or, with --cert/--key, a certificate-bound one over mutual TLS. The
// response body goes to stdout, the rest to stderr.
import { LocalStackError, SettingError } from './errors';
import {
  CALL_USAGE,
  callApi,
  dpopKeyPath,
  parseCallArgs,
  readClientCertificate,
  readDpopKeyFile,
  requireMutualTls,
} from './login-client';
import { readStackFile, stackFilePath } from './stack-file';

async function main(): Promise<void> {
  const args = parseCallArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(CALL_USAGE + '\n');
    return;
  }
  const token = process.env.TOKEN?.trim();
  if (!token) throw new SettingError('TOKEN', 'must hold the token from npm run login -- --dpop (or --mtls)');
  const stackFile = stackFilePath(process.env);
  const stack = readStackFile(stackFile);
  const binding =
    args.certificate === undefined
      ? { dpopKey: await readDpopKeyFile(dpopKeyPath(stackFile)) }
      : { clientCertificate: readClientCertificate(args.certificate.certFile, args.certificate.keyFile) };
  if (args.certificate !== undefined) requireMutualTls(stack.mtls, stack.apiCertificate, '--cert');
  const result = await callApi({
    api: stack.api,
    method: args.method,
    path: args.path,
    token,
    ...binding,
    // A stack with MTLS=1 asks for a client certificate on every connection, DPoP calls included.
    ...(stack.apiCertificate ? { ca: stack.apiCertificate } : {}),
    ...(args.body === undefined ? {} : { body: args.body }),
  });
  if (result.nonceRetried) process.stderr.write('DPoP: the API asked for its nonce; sent again with it\n');
  process.stderr.write(`HTTP ${result.status}\n`);
  if (result.wwwAuthenticate !== null) process.stderr.write(`WWW-Authenticate: ${result.wwwAuthenticate}\n`);
  process.stdout.write(result.body + '\n');
  // Like curl --fail: a script can tell a refused call from an answered one.
  if (result.status >= 400) process.exitCode = 22;
}

main().catch((error: unknown) => {
  const detail = error instanceof LocalStackError ? `${error.code}: ${error.message}` : String(error);
  process.stderr.write(`npm run call failed: ${detail}\n`);
  process.exit(1);
});
