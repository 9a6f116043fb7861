// Parses `npm run revoke -- [flags]` into the POST /revocations body; errors name the flag.
import { SettingError } from './errors';

export type RevokeRequest =
  | { readonly kind: 'token'; readonly tokenId: string; readonly expiresAt: number }
  /** `issuer` undefined: the running stack's issuer. */
  | { readonly kind: 'subject'; readonly subject: string; readonly issuer?: string };

export type RevokeArgs = { readonly help: true } | { readonly help: false; readonly request: RevokeRequest };

export const REVOKE_USAGE = `Usage: npm run revoke -- (--token JWT | --token-id JTI --expires-at EPOCH | --subject SUB [--issuer ISS])

Revokes through the running local stack (npm start): logs in as the demo user admin (scope tokens:revoke)
and calls POST /revocations on the local gateway. Prints the JSON result.
  --token JWT         revoke this one token; its jti and exp are read from the payload WITHOUT verifying
                      the signature (the API checks nothing about the token itself, only the id and expiry)
  --token-id JTI      revoke the token with this jti ...
  --expires-at EPOCH  ... which expires at this time (its exp, seconds since the epoch)
  --subject SUB       revoke every token of this subject issued until now ("log out everywhere")
  --issuer ISS        ... of this issuer (default: the stack's issuer); the same sub from two issuers is
                      two people

Exit codes: 0 revoked, 1 the stack or the login failed, 2 bad flags, 3 the API refused the request.`;

/** The claims revocation needs, read from a JWT's payload without verifying it. */
export function unverifiedTokenId(token: string): { tokenId: string; expiresAt: number } {
  const parts = token
    .trim()
    .replace(/^Bearer\s+/i, '')
    .split('.');
  if (parts.length !== 3) throw new SettingError('--token', 'must be a JWT (three dot-separated parts)');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new SettingError('--token', 'has a payload that is not base64url JSON', { cause });
  }
  const { jti, exp } = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<
    string,
    unknown
  >;
  if (typeof jti !== 'string' || jti === '') {
    throw new SettingError('--token', 'has no jti claim; revoke its subject with --subject instead');
  }
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp)) {
    throw new SettingError('--token', 'has no whole-second exp claim');
  }
  return { tokenId: jti, expiresAt: exp };
}

export function parseRevokeArgs(argv: readonly string[]): RevokeArgs {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (name === '--help' || name === '-h') return { help: true };
    if (!['--token', '--token-id', '--expires-at', '--subject', '--issuer'].includes(name as string)) {
      throw new SettingError(arg, 'is not a revoke flag (see --help)');
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new SettingError(name as string, 'needs a value');
    if (given.has(name as string)) throw new SettingError(name as string, 'is given twice');
    given.set(name as string, value);
  }
  const token = given.get('--token');
  const tokenId = given.get('--token-id');
  const expiresAt = given.get('--expires-at');
  const subject = given.get('--subject');
  const issuer = given.get('--issuer');
  if (issuer !== undefined && subject === undefined)
    throw new SettingError('--issuer', 'needs --subject SUB');
  const modes = [
    token !== undefined,
    tokenId !== undefined || expiresAt !== undefined,
    subject !== undefined,
  ];
  if (modes.filter(Boolean).length !== 1) {
    throw new SettingError(
      'revoke',
      'needs exactly one of --token JWT, --token-id JTI --expires-at EPOCH, or --subject SUB',
    );
  }
  if (token !== undefined) return { help: false, request: { kind: 'token', ...unverifiedTokenId(token) } };
  if (subject !== undefined) {
    return {
      help: false,
      request: { kind: 'subject', subject, ...(issuer === undefined ? {} : { issuer }) },
    };
  }
  if (tokenId === undefined) throw new SettingError('--expires-at', 'needs --token-id JTI');
  if (expiresAt === undefined)
    throw new SettingError('--token-id', 'needs --expires-at EPOCH (the token’s exp)');
  if (!/^\d{1,15}$/.test(expiresAt)) {
    throw new SettingError('--expires-at', `must be whole seconds since the epoch; got "${expiresAt}"`);
  }
  return { help: false, request: { kind: 'token', tokenId, expiresAt: Number(expiresAt) } };
}

/** The POST /revocations body for a request; a subject without `--issuer` is the stack issuer's. */
export function revocationBody(request: RevokeRequest, stackIssuer: string): Record<string, string | number> {
  return request.kind === 'subject'
    ? { issuer: request.issuer ?? stackIssuer, subject: request.subject }
    : { tokenId: request.tokenId, expiresAt: request.expiresAt };
}
