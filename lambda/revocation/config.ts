// Configuration of the revocation admin Lambda, parsed once at cold start: the variables
// renderRevocationAdminSettings (bearer-gate/contract) writes for RevocationList, read back.
import { parseLogLevel, type LogLevel } from 'bearer-gate/authorizer';
import { DEFAULT_REVOCATION_ADMIN_SCOPES, isScopeToken } from 'bearer-gate/contract';
import { RevocationConfigError } from './errors';

export interface RevocationAdminConfig {
  readonly tableName: string;
  /** DynamoDB Local's URL; unset in AWS. */
  readonly endpoint?: string;
  /**
   * The longest lifetime of an access token from the trusted issuers. A subject cut-off must outlive every
   * token it covers, so its entry expires this long (plus the largest clock skew) after the cut-off.
   */
  readonly maxTokenLifetimeSeconds: number;
  /**
   * Scopes the caller's token must hold (REQUIRED_SCOPES, space-separated). The route's entry in the
   * authorizer's table requires them already; the function checks them again, in case the gateway is ever
   * wired wrong. RevocationList sets them from its `adminScopes`.
   */
  readonly requiredScopes: readonly string[];
  readonly logLevel: LogLevel;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

function requiredScopes(raw: string | undefined): readonly string[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_REVOCATION_ADMIN_SCOPES;
  const scopes = raw.trim().split(/ +/);
  const bad = scopes.find((s) => !isScopeToken(s));
  if (bad !== undefined) {
    throw new RevocationConfigError(
      `REQUIRED_SCOPES must be scopes separated by spaces (RFC 6749 §3.3); got "${raw.trim()}"`,
    );
  }
  return Object.freeze(scopes);
}

export function parseConfig(env: Readonly<Record<string, string | undefined>>): RevocationAdminConfig {
  const tableName = (env.REVOCATION_TABLE ?? '').trim();
  if (!TABLE_NAME.test(tableName)) {
    throw new RevocationConfigError(`REVOCATION_TABLE must be a DynamoDB table name; got "${tableName}"`);
  }
  const lifetime = (env.MAX_TOKEN_LIFETIME_SECONDS ?? '86400').trim();
  if (!/^\d+$/.test(lifetime) || Number(lifetime) < 60 || Number(lifetime) > 31_536_000) {
    throw new RevocationConfigError(
      `MAX_TOKEN_LIFETIME_SECONDS must be a whole number from 60 to 31536000; got "${lifetime}"`,
    );
  }
  const endpoint = (env.DYNAMODB_ENDPOINT ?? '').trim();
  if (endpoint !== '' && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new RevocationConfigError(`DYNAMODB_ENDPOINT must be an http(s) URL; got "${endpoint}"`);
  }
  let logLevel: LogLevel;
  try {
    logLevel = parseLogLevel(env.LOG_LEVEL);
  } catch (error) {
    throw new RevocationConfigError((error as Error).message);
  }
  return Object.freeze({
    tableName,
    ...(endpoint === '' ? {} : { endpoint }),
    maxTokenLifetimeSeconds: Number(lifetime),
    requiredScopes: requiredScopes(env.REQUIRED_SCOPES),
    logLevel,
  });
}
