// Parses `npm run login -- [flags]` into a typed request; errors name the flag.
import { SettingError } from '../errors';

export interface LoginArgs {
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly headless: boolean;
  /** undefined = every scope the API knows (the issuer grants the user's subset). */
  readonly scope: string | undefined;
  /** Use the stack's short-lived client (tokens expire within seconds). */
  readonly shortLived: boolean;
  /** The demo service's client credentials grant instead of a user's login. */
  readonly clientCredentials: boolean;
  /** Bind the token to a new DPoP key (RFC 9449), kept in a key file for `npm run call`. */
  readonly dpop: boolean;
  /** Bind the token to a new client certificate (RFC 8705), written with its key to a temporary directory. */
  readonly mtls: boolean;
  readonly help: boolean;
}

export const LOGIN_USAGE = `Usage: npm run login -- [--user NAME [--password PW] --headless] [--scope "a b"] [--short-lived] [--dpop | --mtls]
       npm run login -- --client-credentials

Logs in to the running local stack (npm start) with Authorization Code + PKCE and a loopback redirect.
  (no flags)        print the login URL; open it, sign in, and the token is printed here
  --user NAME       the demo user (alice, bob, admin); required with --headless
  --headless        fill in the login and consent forms without a browser; prints only the access token
  --password PW     defaults to the demo user's password from docs/local-loop.md
  --scope "a b"     scopes to request (default: every API scope; you get those your user is allowed)
  --short-lived     use the short-lived client (needs SHORT_LIVED_TOKEN_TTL_SECONDS on npm start)
  --dpop            a DPoP-bound token (RFC 9449): a new key pair is written to the DPoP key file next to
                    the stack file (mode 0600); call the API with it: TOKEN=... npm run call -- GET /items
  --mtls            a certificate-bound token (RFC 8705; needs npm start with MTLS=1): a new client
                    certificate from the stack's client CA, presented at the token endpoint; it and its key
                    (mode 0600) go to a new temporary directory, named on stderr with the call to make
  --client-credentials
                    no user: the demo service local-service gets a token with the client credentials
                    grant; its permissions arrive in a \`roles\` claim (items:read), not in \`scope\``;

export function parseLoginArgs(argv: readonly string[]): LoginArgs {
  let user: string | undefined;
  let password: string | undefined;
  let scope: string | undefined;
  let headless = false;
  let shortLived = false;
  let clientCredentials = false;
  let dpop = false;
  let mtls = false;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === '') throw new SettingError(name as string, 'needs a value');
      return next;
    };
    switch (name) {
      case '--user':
        user = value();
        break;
      case '--password':
        password = value();
        break;
      case '--scope':
        scope = value().trim().split(/\s+/).join(' ');
        break;
      case '--headless':
        headless = true;
        break;
      case '--short-lived':
        shortLived = true;
        break;
      case '--client-credentials':
        clientCredentials = true;
        break;
      case '--dpop':
        dpop = true;
        break;
      case '--mtls':
        mtls = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new SettingError(arg, 'is not a login flag (see --help)');
    }
  }
  if (headless && user === undefined) throw new SettingError('--headless', 'needs --user NAME');
  if (clientCredentials) {
    const userFlag = [
      ['--user', user !== undefined],
      ['--password', password !== undefined],
      ['--headless', headless],
      ['--scope', scope !== undefined],
      ['--short-lived', shortLived],
    ].find(([, given]) => given)?.[0] as string | undefined;
    if (userFlag !== undefined) {
      throw new SettingError(
        '--client-credentials',
        `takes no ${userFlag}: the demo service has no user, and its permissions come as roles`,
      );
    }
  }
  if (clientCredentials && dpop) {
    throw new SettingError('--dpop', 'is for the user login (Authorization Code + PKCE) only');
  }
  if (clientCredentials && mtls) {
    throw new SettingError('--mtls', 'is for the user login (Authorization Code + PKCE) only');
  }
  if (dpop && mtls) {
    throw new SettingError('--mtls', 'and --dpop cannot be combined: the issuer binds a token one way only');
  }
  if (shortLived && mtls) {
    throw new SettingError(
      '--mtls',
      'uses its own client, which has the normal token lifetime; drop --short-lived',
    );
  }
  return { user, password, headless, scope, shortLived, clientCredentials, dpop, mtls, help };
}
