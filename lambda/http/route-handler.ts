// The shared shape of every API Lambda of the route table: identity, scope check, the route's own work, and
// errors as problems (request-flow.ts), for the route the table names, and the DPoP server nonce the
// authorizer handed out on every answer.
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Logger } from 'bearer-gate/authorizer';
import type { AppRoute } from '../routes';
import { APP_ROUTES } from '../routes';
import { withDpopNonce } from './dpop-nonce';
import type { HttpProblemError } from './problem';
import { createRequestFlow, type ApiHandler, type FlowRequest } from './request-flow';
import { findRoute } from './scope-check';

export type { ApiHandler } from './request-flow';

export type ApiRequest = FlowRequest<AppRoute>;

export interface RouteHandlerOptions {
  /** The route's `id` in the route table; its scopes are checked on every request. */
  readonly routeId: string;
  readonly logger: Logger;
  /** The route's own work: parse, call a service, map the result. Throw HttpProblemError for client errors. */
  readonly handle: (request: ApiRequest) => Promise<APIGatewayProxyResult>;
  /**
   * Maps another layer's errors (e.g. a service's family) to problems.
   * @default - only HttpProblemError is mapped; everything else is a 500
   */
  readonly toProblem?: (error: unknown) => HttpProblemError | undefined;
  /**
   * @default APP_ROUTES
   */
  readonly routes?: readonly AppRoute[];
}

export function createRouteHandler(options: RouteHandlerOptions): ApiHandler {
  // Looked up once, so a handler wired to a route that does not exist fails at cold start.
  const route = findRoute(options.routeId, options.routes ?? APP_ROUTES);
  const flow = createRequestFlow({ ...options, route: () => route });
  return async (event) => withDpopNonce(event, await flow(event));
}
