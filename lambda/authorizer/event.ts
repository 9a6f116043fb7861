// Reads what the authorizer needs from API Gateway's event, TOKEN or REQUEST: the Authorization value, the
// methodArn, and in REQUEST mode the route API Gateway matched (context.httpMethod, context.resourcePath).
import { InvalidEventError, TokenRejectedError } from './errors';

/** The fields of a TOKEN or REQUEST authorizer event this authorizer reads; anything else is ignored. */
export interface AuthorizerEvent {
  readonly type?: unknown;
  /** TOKEN: the identity source's value (the Authorization header). */
  readonly authorizationToken?: unknown;
  readonly methodArn?: unknown;
  /** REQUEST: the request's headers, single- and multi-valued. */
  readonly headers?: unknown;
  readonly multiValueHeaders?: unknown;
  readonly httpMethod?: unknown;
  readonly resource?: unknown;
  readonly requestContext?: unknown;
}

export interface CalledRoute {
  readonly method: string;
  /** The resource template API Gateway matched, e.g. `/items/{id}`. */
  readonly resourcePath: string;
}

export interface ReadEvent {
  readonly authorization: unknown;
  /** Set for REQUEST events: the policy then decides this one route (the cache key includes it). */
  readonly route: CalledRoute | null;
}

/** A member of `record` when it is an object (API Gateway's nested context fields), else undefined. */
export function field(record: unknown, name: string): unknown {
  return typeof record === 'object' && record !== null
    ? (record as Record<string, unknown>)[name]
    : undefined;
}

/** Adds the values under every key of `map` that is `name` in another case (HTTP header names have none). */
function collectHeader(map: unknown, name: string, multi: boolean, values: unknown[]): void {
  if (typeof map !== 'object' || map === null) return;
  for (const key of Object.keys(map)) {
    // Most keys differ in length, which is cheaper to compare than a lower-cased copy.
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    const value = (map as Record<string, unknown>)[key];
    if (multi && Array.isArray(value)) for (const item of value as unknown[]) values.push(item);
    else values.push(value);
  }
}

/**
 * Every value of one header of a REQUEST event, its name matched case-insensitively: from multiValueHeaders
 * when API Gateway sent the header there, else from headers (which keep only the last of repeated ones).
 */
export function headerValues(event: AuthorizerEvent, name: string): unknown[] {
  const wanted = name.toLowerCase();
  const values: unknown[] = [];
  collectHeader(event.multiValueHeaders, wanted, true, values);
  if (values.length === 0) collectHeader(event.headers, wanted, false, values);
  return values;
}

/** The one Authorization header of a REQUEST event; two of them are refused. */
function authorizationHeader(event: AuthorizerEvent): unknown {
  const values = headerValues(event, 'authorization');
  if (values.length > 1) {
    throw new TokenRejectedError('MALFORMED_HEADER', 'more than one Authorization header');
  }
  return values[0];
}

export function readEvent(event: AuthorizerEvent): ReadEvent {
  if (event.type !== 'REQUEST') return { authorization: event.authorizationToken, route: null };
  const context = event.requestContext;
  const method = field(context, 'httpMethod') ?? event.httpMethod;
  const resourcePath = field(context, 'resourcePath') ?? event.resource;
  if (typeof method !== 'string' || typeof resourcePath !== 'string') {
    throw new InvalidEventError('REQUEST event without requestContext.httpMethod and resourcePath');
  }
  return { authorization: authorizationHeader(event), route: { method, resourcePath } };
}
