// The revocation check: after signature and claims, one batched read of the token's and the subject's entries
// (the subject qualified by its issuer, plus the unqualified entry of earlier versions while it lasts).
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import {
  REVOCATION_TABLE_SCHEMA,
  legacySubjectKey,
  subjectKey,
  tokenKey,
} from '../contract/revocation-table';
import type { RevocationCheck } from './authorizer';
import type { RevocationConfig } from './config';
import { RevocationUnavailableError, TokenRejectedError } from './errors';

type AttributeValue = { S?: string; N?: string };
type Item = Record<string, AttributeValue>;

/** The one call the check makes; satisfied by the AWS SDK's DynamoDBClient with BatchGetItemCommand. */
export type BatchGet = (keys: string[]) => Promise<{ items: Item[]; unprocessed: number }>;

const { partitionKey, revokedBeforeAttribute } = REVOCATION_TABLE_SCHEMA;

export function createRevocationCheckWith(
  config: RevocationConfig,
  batchGet: () => Promise<BatchGet>,
): RevocationCheck {
  return {
    async check(payload: JwtPayload): Promise<void> {
      const jti = typeof payload.jti === 'string' && payload.jti !== '' ? payload.jti : undefined;
      if (jti === undefined && config.missingJti === 'reject') {
        throw new TokenRejectedError('MISSING_JTI', 'revocation is on and the token has no jti');
      }
      const tokenEntry = jti === undefined ? undefined : tokenKey(jti);
      // The issuer's subject, and the same sub's entry from before subjects were issuer-qualified (it meant
      // that sub from any issuer; it expires by TTL within MAX_TOKEN_LIFETIME_SECONDS of being written).
      const subjectEntries = [
        subjectKey(payload.iss as string, payload.sub as string),
        legacySubjectKey(payload.sub as string),
      ];
      const keys = [...(tokenEntry === undefined ? [] : [tokenEntry]), ...subjectEntries];

      let result: Awaited<ReturnType<BatchGet>>;
      try {
        const get = await batchGet();
        result = await get(keys);
        // BatchGetItem may leave keys unprocessed under throttling; one retry, then fail closed.
        if (result.unprocessed > 0) result = await get(keys);
      } catch (cause) {
        throw new RevocationUnavailableError('revocation table could not be read', { cause });
      }
      if (result.unprocessed > 0) throw new RevocationUnavailableError('revocation table read was throttled');

      for (const item of result.items) {
        const key = item[partitionKey]?.S;
        if (key !== undefined && key === tokenEntry) {
          throw new TokenRejectedError('TOKEN_REVOKED', 'the token id is revoked');
        }
        const before = Number(item[revokedBeforeAttribute]?.N);
        if (key !== undefined && subjectEntries.includes(key) && Number.isFinite(before)) {
          // No iat means we cannot show it was issued after the cut-off: fail closed.
          if (payload.iat === undefined || payload.iat < before) {
            throw new TokenRejectedError(
              'TOKEN_REVOKED',
              'the subject’s tokens issued before the cut-off are revoked',
            );
          }
        }
      }
    },
  };
}
