// Writes revocation entries. Knows nothing of API Gateway. Writes are conditional, so a repeated or racing
// revocation never shortens an existing one.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isStorageUnavailable } from '../shared/dynamodb';
import { RevocationStorageUnavailableError } from './errors';
import type { RevocationRequest } from './input';
import {
  MAX_CLOCK_SKEW_SECONDS,
  REVOCATION_TABLE_ATTRIBUTES,
  subjectKey,
  tokenKey,
} from 'bearer-gate/contract';

export type Revocation =
  | { readonly kind: 'token'; readonly tokenId: string; readonly expiresAt: number }
  | {
      readonly kind: 'subject';
      readonly issuer: string;
      readonly subject: string;
      readonly revokedBefore: number;
      readonly expiresAt: number;
    };

export interface RevocationService {
  revoke(request: RevocationRequest, nowSeconds: number): Promise<Revocation>;
}

const { partitionKey, timeToLiveAttribute, revokedBeforeAttribute } = REVOCATION_TABLE_ATTRIBUTES;

export function createRevocationService(options: {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly maxTokenLifetimeSeconds: number;
}): RevocationService {
  const { client, tableName, maxTokenLifetimeSeconds } = options;

  async function write(
    key: string,
    set: Record<string, number>,
    guard: string,
    guardValue: number,
  ): Promise<void> {
    const names = Object.keys(set);
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [partitionKey]: key },
          UpdateExpression: `SET ${names.map((_n, i) => `#a${i} = :v${i}`).join(', ')}`,
          // Only ever move the entry forward: a later cut-off or a later expiry.
          ConditionExpression: `attribute_not_exists(#pk) OR #g < :g`,
          ExpressionAttributeNames: {
            '#pk': partitionKey,
            '#g': guard,
            ...Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
          },
          ExpressionAttributeValues: {
            ':g': guardValue,
            ...Object.fromEntries(names.map((n, i) => [`:v${i}`, set[n]])),
          },
        }),
      );
    } catch (error) {
      // Already revoked at least as far: the request is satisfied, nothing to change.
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        return;
      }
      if (isStorageUnavailable(error)) throw new RevocationStorageUnavailableError({ cause: error });
      throw error;
    }
  }

  return {
    async revoke(request, nowSeconds) {
      if (request.kind === 'token') {
        // The authorizer accepts a token until exp plus its clock skew (at most MAX_CLOCK_SKEW_SECONDS), so the entry must
        // outlive exp by that much before DynamoDB's TTL may remove it.
        const keepUntil = request.expiresAt + MAX_CLOCK_SKEW_SECONDS;
        await write(
          tokenKey(request.tokenId),
          { [timeToLiveAttribute]: keepUntil },
          timeToLiveAttribute,
          keepUntil,
        );
        return request;
      }
      // Tokens issued within this very second count as before the cut-off: a same-second token may predate it.
      const revokedBefore = nowSeconds + 1;
      // The authorizer also refuses an iat up to its clock skew after the cut-off (an issuer whose clock runs
      // fast), so the entry must outlive such a token's lifetime too.
      const expiresAt = revokedBefore + MAX_CLOCK_SKEW_SECONDS + maxTokenLifetimeSeconds;
      await write(
        subjectKey(request.issuer, request.subject),
        { [revokedBeforeAttribute]: revokedBefore, [timeToLiveAttribute]: expiresAt },
        revokedBeforeAttribute,
        revokedBefore,
      );
      return { kind: 'subject', issuer: request.issuer, subject: request.subject, revokedBefore, expiresAt };
    },
  };
}
