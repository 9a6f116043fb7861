// Parses `npm run call -- METHOD PATH [--body JSON]`; errors name the argument.
import { SettingError } from '../errors';

export interface CallArgs {
  readonly method: string;
  /** The path (and query) on the local API, starting with /. */
  readonly path: string;
  readonly body: string | undefined;
  readonly help: boolean;
}

export const CALL_USAGE = `Usage: TOKEN=<DPoP-bound token> npm run call -- METHOD PATH [--body JSON]

Calls the running local stack's API (npm start with DPOP=1) with the token from npm run login -- --dpop:
signs a fresh DPoP proof (htm, htu, ath, a new jti) with the key in the DPoP key file for this one request,
sends Authorization: DPoP <token>, and prints the status line and the response body. When the API asks for
its server nonce (DPOP_NONCES=1: use_dpop_nonce with a DPoP-Nonce header), it signs a new proof with it and
sends the request once more.
  --body JSON       a JSON request body (Content-Type: application/json)`;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function parseCallArgs(argv: readonly string[]): CallArgs {
  const positional: string[] = [];
  let body: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { method: '', path: '', body: undefined, help: true };
    if (arg === '--body' || arg.startsWith('--body=')) {
      const value = arg === '--body' ? argv[++i] : arg.slice('--body='.length);
      if (value === undefined || value === '') throw new SettingError('--body', 'needs a value');
      body = value;
    } else if (arg.startsWith('-')) {
      throw new SettingError(arg, 'is not a call flag (see --help)');
    } else {
      positional.push(arg);
    }
  }
  const [method, path, ...rest] = positional;
  if (method === undefined || path === undefined || rest.length > 0) {
    throw new SettingError('npm run call', 'needs exactly METHOD and PATH, e.g. GET /items');
  }
  const upper = method.toUpperCase();
  if (!METHODS.has(upper))
    throw new SettingError(method, `is not an HTTP method (${[...METHODS].join(', ')})`);
  if (!path.startsWith('/')) throw new SettingError(path, 'must be a path starting with /');
  return { method: upper, path, body, help: false };
}
