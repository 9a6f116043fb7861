// The opaque nextToken: which item a page ended after. It never names a partition, so it cannot reach
// another owner's items; the partition always comes from the caller's identity.
import { InvalidNextTokenError } from './errors';
import { isItemId } from './item-id';

const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

export function encodePageToken(lastItemId: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: lastItemId }), 'utf8').toString('base64url');
}

/** The id the next page starts after. Throws InvalidNextTokenError for anything this service did not issue. */
export function decodePageToken(token: string): string {
  if (!BASE64URL.test(token)) throw new InvalidNextTokenError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidNextTokenError({ cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InvalidNextTokenError();
  const { v, after, ...rest } = parsed as Record<string, unknown>;
  if (v !== 1 || typeof after !== 'string' || !isItemId(after) || Object.keys(rest).length > 0) {
    throw new InvalidNextTokenError();
  }
  return after;
}
