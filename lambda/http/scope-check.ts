// Defence in depth: the handler checks the route's scopes again, in case the gateway policy is ever wrong.
import type { RouteRule } from '../routes';
import type { Identity } from './identity';
import { HttpProblemError } from './problem';

/** The route with this id; throws at cold start (not per request) when the table has no such route. */
export function findRoute<R extends RouteRule & { readonly id: string }>(
  routeId: string,
  routes: readonly R[],
): R {
  const route = routes.find((r) => r.id === routeId);
  if (route === undefined) {
    throw new Error(`route "${routeId}" is not in the route table (lambda/routes/table.ts)`);
  }
  return route;
}

/** Throws a 403 problem unless the identity holds every scope the route requires. */
export function assertScopes(identity: Identity, route: RouteRule): void {
  const missing = route.scopes.filter((s) => !identity.scopes.has(s));
  if (missing.length === 0) return;
  const required = route.scopes.join(' ');
  throw new HttpProblemError({
    status: 403,
    code: 'INSUFFICIENT_SCOPE',
    title: 'Insufficient scope',
    detail: `${route.method} ${route.path} requires the scope(s): ${required}.`,
    // RFC 6750 §3.1: tell the client which scope would have been enough.
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${required}"` },
  });
}
