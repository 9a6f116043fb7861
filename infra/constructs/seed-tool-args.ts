// Parses the JWKS seed tool's flags (`npx bearer-gate-jwks-seed`, `npm run jwks-seed --` in this repository):
// where the keys come from and where the seed goes, or the issuer to check (--check); errors name the flag.

/** A flag the tool cannot use: exit code 2, with the usage. `setting` names the flag. */
export class SeedToolUsageError extends Error {
  override readonly name = 'SeedToolUsageError';
  readonly code = 'SEED_TOOL_USAGE' as const;
  constructor(
    readonly setting: string,
    expected: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting} ${expected}`, options);
  }
}

export type SeedSource =
  | { readonly kind: 'issuer'; readonly issuer: string }
  | { readonly kind: 'jwks-uri'; readonly jwksUri: string };

export type JwksSeedArgs =
  | { readonly help: true }
  | {
      readonly help: false;
      /** Write the seed. */
      readonly command: 'seed';
      readonly source: SeedSource;
      /** The seed file; an existing one is merged into. */
      readonly out: string;
      /** A PEM file of the CA to trust instead of the system roots. */
      readonly caFile: string | undefined;
      readonly timeoutMs: number;
    }
  | {
      readonly help: false;
      /** Run the issuer's discovery and compare the issuer it names with this one; write nothing. */
      readonly command: 'check';
      readonly issuer: string;
      readonly caFile: string | undefined;
      readonly timeoutMs: number;
    };

export const DEFAULT_SEED_FILE = 'jwks-seed.json';
export const DEFAULT_TIMEOUT_MS = 5000;

export const JWKS_SEED_USAGE = `Usage: bearer-gate-jwks-seed (--issuer URL | --jwks-uri URL) [--out FILE] [--ca-file PEM] [--timeout-ms MS]
       bearer-gate-jwks-seed --check ISSUER [--ca-file PEM] [--timeout-ms MS]

(npx bearer-gate-jwks-seed in an app that installs the package; npm run jwks-seed -- in its repository)

Fetches an issuer's signing keys into a JWKS seed file, to commit with the app and pass to the construct
(jwksSeed: JwksSeed.fromFile('${DEFAULT_SEED_FILE}')): a cold start then decides its first request with them,
without a network round trip, and outlives an issuer outage up to the seed's max age. Run it again (in CI,
before each deploy) to keep the seed fresh. A JWKS with a private or symmetric key is refused (exit 1).
  --issuer URL      the issuer, exactly as the tokens' iss: its OIDC discovery document names the JWKS, and the
                    entry records the issuer (it stands in for discovery where the authorizer trusts the
                    issuer without a jwksUri; where it has one, the two must agree, and that URI stays)
  --jwks-uri URL    the JWKS URL itself, as the authorizer's jwksUri (JWKS_URI) names it
  --out FILE        the seed file (default ${DEFAULT_SEED_FILE}); an existing seed keeps its other entries
  --ca-file PEM     trust this CA instead of the system roots (an issuer behind a private CA)
  --timeout-ms MS   bound on each request (default ${DEFAULT_TIMEOUT_MS})

--check ISSUER checks an issuer before deploy, writing nothing: its OIDC discovery document must name exactly
ISSUER (as the authorizer requires for an issuer trusted without a jwksUri: any other value, a trailing
slash included, answers 503 to every request), and its JWKS must hold a usable signing key.

Exit codes: 0 written (or checked), 1 the issuer could not be read or the seed not written, 2 bad flags,
3 (--check) discovery names another issuer.`;

const FLAGS = ['--issuer', '--jwks-uri', '--out', '--ca-file', '--timeout-ms', '--check'];

function httpsUrl(flag: string, value: string): string {
  if (!value.startsWith('https://') || !URL.canParse(value)) {
    throw new SeedToolUsageError(flag, `must be an absolute https URL; got "${value}"`);
  }
  return value;
}

export function parseJwksSeedArgs(argv: readonly string[]): JwksSeedArgs {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? (arg.split(/=(.*)/s, 2) as [string, string])
        : [arg, undefined];
    if (name === '--help' || name === '-h') return { help: true };
    if (!FLAGS.includes(name)) throw new SeedToolUsageError(arg, 'is not a jwks-seed flag (see --help)');
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new SeedToolUsageError(name, 'needs a value');
    if (given.has(name)) throw new SeedToolUsageError(name, 'is given twice');
    given.set(name, value);
  }
  const timeout = given.get('--timeout-ms') ?? String(DEFAULT_TIMEOUT_MS);
  if (!/^\d{1,6}$/.test(timeout) || Number(timeout) < 100) {
    throw new SeedToolUsageError(
      '--timeout-ms',
      `must be whole milliseconds, at least 100; got "${timeout}"`,
    );
  }
  const check = given.get('--check');
  if (check !== undefined) {
    const stray = ['--issuer', '--jwks-uri', '--out'].find((flag) => given.has(flag));
    if (stray !== undefined) {
      throw new SeedToolUsageError(stray, 'cannot be given with --check, which writes nothing');
    }
    return {
      help: false,
      command: 'check',
      issuer: httpsUrl('--check', check),
      caFile: given.get('--ca-file'),
      timeoutMs: Number(timeout),
    };
  }
  const issuer = given.get('--issuer');
  const jwksUri = given.get('--jwks-uri');
  if ((issuer === undefined) === (jwksUri === undefined)) {
    throw new SeedToolUsageError('jwks-seed', 'needs exactly one of --issuer URL or --jwks-uri URL');
  }
  return {
    help: false,
    command: 'seed',
    source:
      issuer === undefined
        ? { kind: 'jwks-uri', jwksUri: httpsUrl('--jwks-uri', jwksUri as string) }
        : { kind: 'issuer', issuer: httpsUrl('--issuer', issuer) },
    out: given.get('--out') ?? DEFAULT_SEED_FILE,
    caFile: given.get('--ca-file'),
    timeoutMs: Number(timeout),
  };
}
