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
import { invalidProp, propFile } from './prop-checks';

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
  /** A seed file, relative to the directory `cdk synth` runs in (as `lambda.Code.fromAsset` paths are). */
  static fromFile(path: string, options: JwksSeedOptions = {}): JwksSeed {
    const text = propFile('jwksSeed', path, 'a seed written by `npx bearer-gate-jwks-seed`');
    return new JwksSeed(parse(`from "${path}"`, text), `from "${path}"`, options);
  }

  /** A seed given as an object: `{ "<jwksUri>": { "keys": [...], "fetchedAt"?: "<ISO 8601>" } }`. */
  static fromObject(seed: Readonly<Record<string, unknown>>, options: JwksSeedOptions = {}): JwksSeed {
    return new JwksSeed(parse('(an object)', JSON.stringify(seed)), '(an object)', options);
  }

  private constructor(
    /** The entries, checked: https URIs, JWKS documents with a signing key, within the size cap. */
    readonly entries: readonly JwksSeedEntry[],
    /** Where the seed came from, for error messages. */
    readonly source: string,
    readonly options: JwksSeedOptions,
  ) {}
}

function parse(source: string, text: string): JwksSeedEntry[] {
  try {
    return parseJwksSeed(text);
  } catch (error) {
    if (!(error instanceof JwksSeedError)) throw error;
    return invalidProp('jwksSeed', `${source} ${error.message}`, FIX);
  }
}

/**
 * The seed file's text for the code asset, once every entry is for an issuer the authorizer trusts and holds
 * public keys only. `trusted` null: an issuer is a token, so the trust check waits for the Lambda's init.
 * `unresolvedCognito`: a user pool whose id is a token; its JWKS URI is then recognised by its shape.
 */
export function renderJwksSeed(
  seed: JwksSeed,
  trusted: readonly SeedTrust[] | null,
  unresolvedCognito = false,
): string {
  const checked = unresolvedCognito
    ? seed.entries.filter((e) => !(e.issuer === null && COGNITO_JWKS_URI.test(e.jwksUri)))
    : seed.entries;
  // Parsed again as the Lambda will read it: entries are plain objects that could have changed since the factory.
  const text = formatJwksSeed(seed.entries);
  parse(seed.source, text);
  try {
    if (trusted !== null) checkSeedTrust(checked, trusted);
  } catch (error) {
    if (!(error instanceof JwksSeedError)) throw error;
    invalidProp(
      'jwksSeed',
      `${seed.source} ${error.message}`,
      'Seed only the issuers this authorizer trusts.',
    );
  }
  return text;
}
