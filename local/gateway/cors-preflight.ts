// What `defaultCorsPreflightOptions` makes API Gateway answer to OPTIONS on a known resource: a mock
// integration with the CORS headers, no authorizer.
import type { HttpResponse } from './proxy-result';
import { matchRoute } from './route-match';
import type { CorsPreflight, GatewayRouteBinding } from './server';

/** 204 with the CORS headers, for a path that is a known resource (unknown paths stay 'missing'). */
export function corsPreflight(
  routes: readonly GatewayRouteBinding[],
  cors: CorsPreflight,
  path: string,
): HttpResponse | undefined {
  const known = routes.some((route) => matchRoute([route], route.method, path).kind === 'matched');
  if (!known) return undefined;
  const headers: Record<string, string[]> = {
    'Access-Control-Allow-Origin': [cors.allowOrigin],
    'Access-Control-Allow-Methods': [cors.allowMethods.join(',')],
    'Access-Control-Allow-Headers': [cors.allowHeaders.join(',')],
  };
  if (cors.exposeHeaders) headers['Access-Control-Expose-Headers'] = [cors.exposeHeaders.join(',')];
  if (cors.maxAgeSeconds !== undefined) headers['Access-Control-Max-Age'] = [String(cors.maxAgeSeconds)];
  if (cors.allowOrigin !== '*') headers.Vary = ['Origin'];
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}
