// JwksSeed: the issuer keys a JwtAuthorizer starts with, so that a cold start decides its first request with
// no network I/O. Checked at synth by the same module that reads it at init (lambda/authorizer/jwks-seed.ts);
// it reaches the Lambda as a file in its code asset, never as an environment variable.
import type { Duration } from 'aws-cdk-lib';
import {
  JwksSeedError,
  checkSeedTrust,
  formatJwksSeed,
  parseJwksSeed,
  type JwksSeedEntry,
  type SeedTrust,
} from '../../lambda/authorizer/jwks-seed';
import { PropProblems, propFile, type PropProblem } from './prop-checks';

/** The seed's file name in the authorizer's code asset, and the value of JWKS_SEED_FILE. */
export { JWKS_SEED_FILE_NAME } from '../../lambda/contract/authorizer-settings';

const FIX = 'Regenerate it with `npx bearer-gate-jwks-seed --issuer <issuer>` (or `--jwks-uri <url>`).';

/** Cognito's JWKS URI, recognised at synth when the user pool's id is a token (the Lambda checks it at init). */
const COGNITO_JWKS_URI =
  /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/[\w-]+\/\.well-known\/jwks\.json$/;

export interface JwksSeedOptions {
  /**
   * How long the seed's keys are trusted without one successful fetch from the issuer, from each entry's
   * `fetchedAt` (from the cold start for an entry without one), 1 minute to 90 days. Past it, the keys no
   * longer serve: requests wait for the issuer, and fail (503) while it is down.
   * @default Duration.days(7)
   */
  readonly maxAge?: Duration;
}

/**
 * The JWKS an authorizer starts with: a JSON object mapping each JWKS URI to its JWKS, as
 * `npx bearer-gate-jwks-seed` writes it. Commit it with the app; synth reads it and stays offline. It holds
 * public keys only (a private member or a symmetric key fails the synth, naming the kid), and never widens
 * trust: each entry must be for a JWKS URI the props configure, or recorded for an issuer they discover.
 *
 * @example
 * new JwtAuthorizer(this, 'Jwt', { issuer, audience, jwksSeed: JwksSeed.fromFile('jwks-seed.json') });
 */
export class JwksSeed {
  /**
   * A seed file, relative to the directory `cdk synth` runs in (as `lambda.Code.fromAsset` paths are). A file
   * that cannot be read or is not a seed fails the synth of the authorizer it is given to, naming it.
   */
  static fromFile(path: string, options: JwksSeedOptions = {}): JwksSeed {
    const file = propFile('jwksSeed', path, 'a seed written by `npx bearer-gate-jwks-seed`');
    const source = `from "${path}"`;
    if ('problem' in file) return new JwksSeed([], source, options, [file.problem]);
    const [entries, problems] = parse(source, file.text);
    return new JwksSeed(entries, source, options, problems);
  }

  /** A seed given as an object: `{ "<jwksUri>": { "keys": [...], "fetchedAt"?: "<ISO 8601>" } }`. */
  // `any` values: a JWKS document's shape is checked by the seed parser, and jsii has no `unknown`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  static fromObject(seed: { [jwksUri: string]: any }, options: JwksSeedOptions = {}): JwksSeed {
    const [entries, problems] = parse('(an object)', JSON.stringify(seed));
    return new JwksSeed(entries, '(an object)', options, problems);
  }

  private constructor(
    /** The entries, checked: https URIs, JWKS documents with a signing key, within the size cap. */
    readonly entries: readonly JwksSeedEntry[],
    /** Where the seed came from, for error messages. */
    readonly source: string,
    readonly options: JwksSeedOptions,
    /**
     * What is wrong with the seed itself, reported by the authorizer it is given to (whose path names it).
     * @internal
     */
    readonly _problems: readonly PropProblem[] = [],
  ) {}
}

/** The seed's entries, or what is wrong with it (`source` says where it came from). */
function parse(source: string, text: string): [JwksSeedEntry[], readonly PropProblem[]] {
  try {
    return [parseJwksSeed(text), []];
  } catch (error) {
    if (!(error instanceof JwksSeedError)) throw error;
    return [[], [{ prop: 'jwksSeed', problem: `${source} ${error.message}`, fix: FIX }]];
  }
}

/**
 * The seed file's text for the code asset, once every entry is for an issuer the authorizer trusts and holds
 * public keys only. `trusted` null: an issuer is a token, so the trust check waits for the Lambda's init.
 * `unresolvedCognito`: a user pool whose id is a token; its JWKS URI is then recognised by its shape.
 * Problems go to `problems` (the authorizer's); without it, they are thrown.
 */
export function renderJwksSeed(
  seed: JwksSeed,
  trusted: readonly SeedTrust[] | null,
  unresolvedCognito = false,
  problems?: PropProblems,
): string {
  const p = problems ?? new PropProblems('JwksSeed');
  const text = checkedSeedText(p, seed, trusted, unresolvedCognito);
  if (problems === undefined) p.throwIfAny();
  return text;
}

function checkedSeedText(
  p: PropProblems,
  seed: JwksSeed,
  trusted: readonly SeedTrust[] | null,
  unresolvedCognito: boolean,
): string {
  if (seed._problems.length > 0) {
    p.addAll(seed._problems);
    return '';
  }
  const checked = unresolvedCognito
    ? seed.entries.filter((e) => !(e.issuer === null && COGNITO_JWKS_URI.test(e.jwksUri)))
    : seed.entries;
  // Parsed again as the Lambda will read it: entries are plain objects that could have changed since the factory.
  const text = formatJwksSeed(seed.entries);
  const [, reparsed] = parse(seed.source, text);
  p.addAll(reparsed);
  try {
    if (trusted !== null && reparsed.length === 0) checkSeedTrust(checked, trusted);
  } catch (error) {
    if (!(error instanceof JwksSeedError)) throw error;
    p.add('jwksSeed', `${seed.source} ${error.message}`, 'Seed only the issuers this authorizer trusts.');
  }
  return text;
}
