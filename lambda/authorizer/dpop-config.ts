// Reads the DPoP settings (RFC 9449) from the environment, once, for parseConfig: which issuers' tokens must
// be DPoP-bound, how old a proof may be, where proofs are remembered so none is accepted twice, and whether
// proofs must carry a server nonce.
import { DEFAULT_DPOP_PROOF_MAX_AGE_SECONDS } from '../contract/sender-constraint';
import { ConfigError } from './errors';

export interface DpopConfig {
  /**
   * Issuers (exact `iss`) whose every token must be DPoP-bound (`cnf.jkt`) and presented with a proof; their
   * bearer tokens are refused (DPOP_REQUIRED). Tokens of other issuers are checked when they carry `cnf.jkt`.
   */
  readonly requiredIssuers: readonly string[];
  /** A proof is accepted from `iat` - CLOCK_SKEW_SECONDS to `iat` + this. */
  readonly proofMaxAgeSeconds: number;
  /**
   * A DynamoDB table (the revocation table's schema: `pk`, TTL on `expiresAt`) where every accepted proof's
   * `jti` is written once with a conditional put: a replay is refused across all instances. null: each
   * instance remembers the proofs it accepted, so a replay to another instance is not caught.
   */
  readonly replayTable: { readonly tableName: string; readonly endpoint: string | undefined } | null;
  /**
   * Server nonces (RFC 9449 §8, DPOP_NONCES): every proof must carry a nonce this resource handed out, for
   * every issuer's tokens (a setting of this resource server, not of an issuer). null: nonces are off.
   */
  readonly nonces: DpopNonceConfig | null;
}

/** What the 403s the authorizer shapes itself need to say what the construct's static 401 says. */
export interface DpopNonceConfig {
  /** Every issuer requires DPoP (DPOP_REQUIRED_ISSUERS=*): challenges offer the DPoP scheme alone. */
  readonly dpopOnly: boolean;
  /** RESOURCE_METADATA_URL: the RFC 9728 metadata URL, as `resource_metadata` in every challenge. */
  readonly resourceMetadataUrl: string | undefined;
}

type Read = (name: string) => string | undefined;

/**
 * `DPOP_REQUIRED_ISSUERS` (comma-separated issuers, or `*` for all), `DPOP_PROOF_MAX_AGE_SECONDS`,
 * `DPOP_REPLAY_TABLE`, `DPOP_NONCES` (`true`/`false`; needs the table) and `RESOURCE_METADATA_URL`.
 */
export function parseDpopConfig(read: Read, issuers: readonly string[]): DpopConfig {
  const required = read('DPOP_REQUIRED_ISSUERS');
  const listed =
    required === undefined
      ? []
      : required
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
  const requiredIssuers = listed.includes('*') ? [...issuers] : listed;
  for (const issuer of requiredIssuers) {
    if (!issuers.includes(issuer)) {
      throw new ConfigError(
        'DPOP_REQUIRED_ISSUERS',
        `names "${issuer}", which is not a trusted issuer (list exact issuers, or "*" for all)`,
      );
    }
  }
  if (required !== undefined && requiredIssuers.length === 0) {
    throw new ConfigError('DPOP_REQUIRED_ISSUERS', 'must list at least one issuer, or "*"');
  }
  const rawAge = read('DPOP_PROOF_MAX_AGE_SECONDS');
  if (rawAge !== undefined && (!/^\d+$/.test(rawAge) || Number(rawAge) < 1 || Number(rawAge) > 300)) {
    throw new ConfigError(
      'DPOP_PROOF_MAX_AGE_SECONDS',
      `must be a whole number from 1 to 300; got "${rawAge}"`,
    );
  }
  const tableName = read('DPOP_REPLAY_TABLE');
  const nonces = read('DPOP_NONCES') ?? 'false';
  if (nonces !== 'true' && nonces !== 'false') {
    throw new ConfigError('DPOP_NONCES', `must be "true" or "false"; got "${nonces}"`);
  }
  // Every instance must sign and check nonces with one key, which the replay table shares.
  if (nonces === 'true' && tableName === undefined) {
    throw new ConfigError(
      'DPOP_NONCES',
      'is true, but DPOP_REPLAY_TABLE is not set: the nonce key is shared through the replay table',
    );
  }
  const resourceMetadataUrl = read('RESOURCE_METADATA_URL');
  if (resourceMetadataUrl !== undefined && !/^https?:\/\/[^\s"\\]+$/.test(resourceMetadataUrl)) {
    throw new ConfigError(
      'RESOURCE_METADATA_URL',
      `must be an http(s) URL without spaces, quotes or backslashes; got "${resourceMetadataUrl}"`,
    );
  }
  return Object.freeze({
    requiredIssuers: Object.freeze(requiredIssuers),
    proofMaxAgeSeconds: rawAge === undefined ? DEFAULT_DPOP_PROOF_MAX_AGE_SECONDS : Number(rawAge),
    replayTable:
      tableName === undefined ? null : Object.freeze({ tableName, endpoint: read('DYNAMODB_ENDPOINT') }),
    nonces: nonces === 'true' ? Object.freeze({ dpopOnly: listed.includes('*'), resourceMetadataUrl }) : null,
  });
}
