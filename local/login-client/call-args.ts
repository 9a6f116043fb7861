// Parses `npm run call -- [--cert FILE --key FILE] METHOD PATH [--body JSON]`; errors name the argument.
import { CONCRETE_METHODS, DPOP_SCHEME } from 'bearer-gate/contract';
import { SettingError } from '../errors';

export interface CallArgs {
  readonly method: string;
  /** The path (and query) on the local API, starting with /. */
  readonly path: string;
  readonly body: string | undefined;
  /** The client certificate and key files (PEM) for a certificate-bound token; undefined: a DPoP call. */
  readonly certificate: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly help: boolean;
}

export const CALL_USAGE = `Usage: TOKEN=<DPoP-bound token> npm run call -- METHOD PATH [--body JSON]
       TOKEN=<certificate-bound token> npm run call -- --cert FILE --key FILE METHOD PATH [--body JSON]

Calls the running local stack's API and prints the status line and the response body.
  (no --cert)       with the token from npm run login -- --dpop (npm start with DPOP=1): signs a fresh DPoP
                    proof (htm, htu, ath, a new jti) with the key in the DPoP key file for this one request
                    and sends Authorization: ${DPOP_SCHEME} <token>; when the API asks for its server
                    nonce (DPOP_NONCES=1: use_dpop_nonce with a DPoP-Nonce header), signs a new proof with
                    it and sends the request once more
  --cert FILE       with the token from npm run login -- --mtls (npm start with MTLS=1): presents this client
  --key FILE        certificate (and its key) on the mutual-TLS connection and sends Authorization: Bearer
                    <token> (RFC 8705 keeps the Bearer scheme); both files are named by the login
  --body JSON       a JSON request body (Content-Type: application/json)`;

const METHODS: ReadonlySet<string> = new Set(CONCRETE_METHODS);

const HELP: CallArgs = { method: '', path: '', body: undefined, certificate: undefined, help: true };

export function parseCallArgs(argv: readonly string[]): CallArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return HELP;
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (name === '--body' || name === '--cert' || name === '--key') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new SettingError(name, 'needs a value');
      flags.set(name, value);
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
  const certFile = flags.get('--cert');
  const keyFile = flags.get('--key');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const [given, missing] = certFile === undefined ? ['--key', '--cert'] : ['--cert', '--key'];
    throw new SettingError(given, `needs ${missing} FILE too (a certificate and its private key)`);
  }
  return {
    method: upper,
    path,
    body: flags.get('--body'),
    certificate: certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined,
    help: false,
  };
}
