// The caller's identity, read from the context the TOKEN authorizer attached to the request.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpProblemError } from './problem';

export interface Identity {
  /**
   * The token's issuer (`iss`). With more than one trusted issuer, the same `sub` from two issuers is two
   * people: key anything a caller owns by (issuer, sub), never by `sub` alone.
   */
  readonly issuer: string;
  /** The token's subject, unique only within its issuer. */
  readonly sub: string;
  /** Scopes the authorizer granted. */
  readonly scopes: ReadonlySet<string>;
  readonly clientId?: string;
}

// A sub ends up inside storage keys (DynamoDB allows 2048 bytes for a partition key); a verified token
// never carries one this long, so refusing it keeps storage errors out of reach of any caller.
const MAX_SUB_BYTES = 1024;
// A lone surrogate cannot be encoded as UTF-8: on the wire to DynamoDB it becomes U+FFFD, so two different
// subs could share one partition. A verified token never carries one; refuse rather than conflate owners.
const LONE_SURROGATE = /\p{Cs}/u;
// An issuer goes into storage keys beside the sub: together they stay within DynamoDB's 2048-byte key.
const MAX_ISSUER_BYTES = 512;

function unauthenticated(detail: string): HttpProblemError {
  return new HttpProblemError({
    status: 401,
    code: 'UNAUTHENTICATED',
    title: 'Authentication required',
    detail,
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
}

function contextString(context: Record<string, unknown>, key: string): string | undefined {
  const value = context[key];
  // API Gateway turns every authorizer context value into a string, and principalId is one too.
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Throws a 401 problem when the authorizer context is missing or has no usable subject. */
export function readIdentity(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Identity {
  const context: unknown = event.requestContext?.authorizer;
  if (context === null || typeof context !== 'object') {
    throw unauthenticated('The request carries no authorizer context.');
  }
  const record = context as Record<string, unknown>;
  const sub = contextString(record, 'sub') ?? contextString(record, 'principalId');
  if (sub === undefined || Buffer.byteLength(sub, 'utf8') > MAX_SUB_BYTES || LONE_SURROGATE.test(sub)) {
    throw unauthenticated('The authorizer context names no usable subject.');
  }
  const issuer = contextString(record, 'issuer');
  // An issuer identifier has no fragment (RFC 8414 §2, OpenID Discovery §4.3), so `#` never occurs in a real
  // one: storage keys use it to end the issuer, and a context that has one is not this authorizer's.
  if (
    issuer === undefined ||
    Buffer.byteLength(issuer, 'utf8') > MAX_ISSUER_BYTES ||
    LONE_SURROGATE.test(issuer) ||
    issuer.includes('#')
  ) {
    throw unauthenticated('The authorizer context names no usable issuer.');
  }
  const scope = contextString(record, 'scope') ?? '';
  const scopes = new Set(scope.split(' ').filter((s) => s !== ''));
  const clientId = contextString(record, 'clientId');
  return clientId === undefined ? { issuer, sub, scopes } : { issuer, sub, scopes, clientId };
}
