// Configuration of the revocation admin Lambda, parsed once at cold start.
import { parseLogLevel, type LogLevel } from 'bearer-gate/authorizer';
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
  readonly logLevel: LogLevel;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

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
    logLevel,
  });
}
