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

function field(record: unknown, name: string): unknown {
  return typeof record === 'object' && record !== null
    ? (record as Record<string, unknown>)[name]
    : undefined;
}

/** The one Authorization header of a REQUEST event, found case-insensitively; two of them are refused. */
function authorizationHeader(event: AuthorizerEvent): unknown {
  const values: unknown[] = [];
  const multi = event.multiValueHeaders;
  if (typeof multi === 'object' && multi !== null) {
    for (const [name, value] of Object.entries(multi)) {
      if (name.toLowerCase() === 'authorization') values.push(...(Array.isArray(value) ? value : [value]));
    }
  }
  if (values.length === 0 && typeof event.headers === 'object' && event.headers !== null) {
    for (const [name, value] of Object.entries(event.headers)) {
      if (name.toLowerCase() === 'authorization') values.push(value);
    }
  }
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
