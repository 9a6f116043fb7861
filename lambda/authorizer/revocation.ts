// The revocation check: after signature and claims, one batched read of the token's and the subject's entries
// (the subject qualified by its issuer, plus the unqualified entry of earlier versions while it lasts).
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import {
  REVOCATION_TABLE_ATTRIBUTES,
  legacySubjectKey,
  subjectKey,
  tokenKey,
} from '../contract/revocation-table';
import type { RevocationCheck, RevocationLookup } from './authorizer';
import type { MissingJtiPolicy } from './config';
import { RevocationUnavailableError, TokenRejectedError } from './errors';
import { MAX_NUMERIC_DATE } from './token';

/** An item as DynamoDB returns it: each attribute one member named for its type (`{"N": "1700000000"}`). */
type Item = Readonly<Record<string, unknown>>;

/** The one call the check makes; satisfied by the AWS SDK's DynamoDBClient with BatchGetItemCommand. */
export type BatchGet = (keys: string[]) => Promise<{ items: Item[]; unprocessed: number }>;

export interface RevocationCheckOptions {
  /** What to do with a token that has no `jti`. */
  readonly missingJti: MissingJtiPolicy;
  /**
   * CLOCK_SKEW_SECONDS. The authorizer accepts an `iat` up to this far in its future, and a cut-off is
   * stamped by the revocation service's clock: a token from an issuer whose clock runs this far ahead may
   * carry an `iat` this far after the cut-off and still predate it.
   */
  readonly clockSkewSeconds: number;
  /**
   * Every `iss` form of the issuer that issued a token with this `iss` (Cognito's two), so that a subject cut-off
   * written under either form covers tokens of both.
   * @default - the one form the token carries
   */
  readonly issuerForms?: (iss: string) => readonly string[];
}

const { partitionKey, revokedBeforeAttribute } = REVOCATION_TABLE_ATTRIBUTES;

/** The key the warm-up reads: no entry kind (`token#`, `issuer#…#subject#`, `subject#`) starts this way. */
const WARM_UP_KEY = 'warm-up#';

/** DynamoDB returns numbers normalized (`1.7E9` reads back as `1700000000`), so a whole number reads as digits. */
const WHOLE_NUMBER = /^(0|[1-9][0-9]*)$/;

/** Log lines stay short whatever an entry holds; the key names the entry, the value shows what is wrong. */
function quoted(value: unknown, max: number): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The one member of a DynamoDB attribute value of this type (`S`, `N`), if it is that type. */
function member(value: unknown, type: 'S' | 'N'): string | undefined {
  const inner =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[type] : undefined;
  return typeof inner === 'string' ? inner : undefined;
}

/**
 * A subject entry's cut-off, as the schema says: a number (N) of whole epoch seconds that a Date can hold;
 * else what is wrong with it. Anything else (a string, a list, a fraction, a negative, nothing at all) is an
 * entry someone meant as a revocation and wrote wrong, never "no cut-off".
 */
function cutOffOf(item: Item): number | string {
  const value = item[revokedBeforeAttribute];
  if (value === undefined) return `has no ${revokedBeforeAttribute}`;
  const n = member(value, 'N');
  const seconds = n !== undefined && WHOLE_NUMBER.test(n) ? Number(n) : Number.NaN;
  if (seconds <= MAX_NUMERIC_DATE) return seconds;
  return (
    `has ${revokedBeforeAttribute} ${quoted(value, 80)}, not a number (N) of whole epoch seconds ` +
    `from 0 to ${MAX_NUMERIC_DATE}`
  );
}

export function createRevocationCheckWith(
  options: RevocationCheckOptions,
  batchGet: () => Promise<BatchGet>,
): RevocationCheck {
  return {
    async warmUp(): Promise<void> {
      try {
        await (
          await batchGet()
        )([WARM_UP_KEY]);
      } catch (cause) {
        throw new RevocationUnavailableError('revocation table could not be read', { cause });
      }
    },
    async check(payload: JwtPayload, lookup: RevocationLookup = (read) => read()): Promise<void> {
      const jti = typeof payload.jti === 'string' && payload.jti !== '' ? payload.jti : undefined;
      if (jti === undefined && options.missingJti === 'reject') {
        throw new TokenRejectedError('MISSING_JTI', 'revocation is on and the token has no jti');
      }
      const tokenEntry = jti === undefined ? undefined : tokenKey(jti);
      // The issuer's subject, and the same sub's entry from before subjects were issuer-qualified (it meant
      // that sub from any issuer; it expires by TTL within MAX_TOKEN_LIFETIME_SECONDS of being written).
      const iss = payload.iss as string;
      const subjectEntries = [
        ...(options.issuerForms?.(iss) ?? [iss]).map((form) => subjectKey(form, payload.sub as string)),
        legacySubjectKey(payload.sub as string),
      ];
      const keys = [...(tokenEntry === undefined ? [] : [tokenEntry]), ...subjectEntries];

      let result: Awaited<ReturnType<BatchGet>>;
      try {
        result = await lookup(async () => {
          const get = await batchGet();
          const first = await get(keys);
          // BatchGetItem may leave keys unprocessed under throttling; one retry of them all, then fail closed.
          return first.unprocessed > 0 ? get(keys) : first;
        });
      } catch (cause) {
        throw new RevocationUnavailableError('revocation table could not be read', { cause });
      }
      if (result.unprocessed > 0) throw new RevocationUnavailableError('revocation table read was throttled');

      // An entry that revokes the token decides, whatever else was read; only then does an unreadable
      // entry (which might have revoked it) leave the authorizer unable to decide.
      let unreadable: string | undefined;
      for (const item of result.items) {
        const key = member(item[partitionKey], 'S');
        if (key !== undefined && key === tokenEntry) {
          throw new TokenRejectedError('TOKEN_REVOKED', 'the token id is revoked');
        }
        const cutOff =
          key !== undefined && subjectEntries.includes(key)
            ? cutOffOf(item)
            : 'is not one of the keys that were read';
        if (typeof cutOff === 'string') {
          unreadable ??= `revocation entry ${quoted(key ?? item[partitionKey], 300)} ${cutOff}`;
          continue;
        }
        // No iat means we cannot show it was issued after the cut-off: fail closed. An iat within the clock
        // skew after it may come from an issuer whose clock runs fast, and so predate it: refused too.
        if (payload.iat === undefined || payload.iat < cutOff + options.clockSkewSeconds) {
          throw new TokenRejectedError(
            'TOKEN_REVOKED',
            'the subject’s tokens issued before the cut-off are revoked',
          );
        }
      }
      if (unreadable !== undefined) {
        throw new RevocationUnavailableError(`${unreadable}: failing closed until it is corrected`);
      }
    },
  };
}
