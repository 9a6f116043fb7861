// Items configuration, parsed once at cold start from the environment.
import { parseAllowOrigin } from '../http/cors';
import { parseLogLevel } from 'bearer-gate/authorizer';
import type { LogLevel } from 'bearer-gate/authorizer';
import { ItemsConfigError } from './errors';

export interface ItemsConfig {
  readonly tableName: string;
  /** DynamoDB Local's URL; unset in AWS, where the SDK finds the regional endpoint itself. */
  readonly endpoint?: string;
  readonly logLevel: LogLevel;
  /** The one browser origin allowed to read answers (CORS_ALLOW_ORIGIN); unset: none. */
  readonly corsAllowOrigin?: string;
  /**
   * LEGACY_OWNER_ISSUER: the issuer whose callers keep the partition `OWNER#<sub>` that items had before
   * owners were issuer-qualified (lambda/items/keys.ts). Unset: every owner is issuer-qualified.
   */
  readonly legacyOwnerIssuer?: string;
}

// DynamoDB's own rule for table names.
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

export function parseConfig(env: Readonly<Record<string, string | undefined>>): ItemsConfig {
  const tableName = (env.ITEMS_TABLE ?? '').trim();
  if (!TABLE_NAME.test(tableName)) {
    throw new ItemsConfigError(
      `ITEMS_TABLE must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -); got "${env.ITEMS_TABLE ?? ''}"`,
    );
  }
  const rawEndpoint = (env.DYNAMODB_ENDPOINT ?? '').trim();
  let endpoint: string | undefined;
  if (rawEndpoint !== '') {
    let url: URL | undefined;
    try {
      url = new URL(rawEndpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ItemsConfigError(`DYNAMODB_ENDPOINT must be an http(s) URL; got "${rawEndpoint}"`);
    }
    endpoint = rawEndpoint;
  }
  let logLevel: LogLevel;
  try {
    logLevel = parseLogLevel(env.LOG_LEVEL);
  } catch (error) {
    throw new ItemsConfigError((error as Error).message);
  }
  const corsAllowOrigin = parseAllowOrigin(env.CORS_ALLOW_ORIGIN);
  if (corsAllowOrigin instanceof Error) throw new ItemsConfigError(corsAllowOrigin.message);
  const legacyOwnerIssuer = (env.LEGACY_OWNER_ISSUER ?? '').trim();
  if (legacyOwnerIssuer.includes('#')) {
    throw new ItemsConfigError(
      `LEGACY_OWNER_ISSUER must be the exact iss of the issuer trusted before owners were qualified; an issuer never contains "#"; got "${legacyOwnerIssuer}"`,
    );
  }
  return Object.freeze({
    tableName,
    logLevel,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(corsAllowOrigin === undefined ? {} : { corsAllowOrigin }),
    ...(legacyOwnerIssuer === '' ? {} : { legacyOwnerIssuer }),
  });
}
