// The shared shape of every API Lambda: identity, scope check, the route's own work, errors as problems, and
// the DPoP server nonce the authorizer handed out on every answer.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Logger } from 'bearer-gate/authorizer';
import type { AppRoute } from '../routes';
import { APP_ROUTES } from '../routes';
import { withDpopNonce } from './dpop-nonce';
import { readIdentity } from './identity';
import type { Identity } from './identity';
import { HttpProblemError, internalError, problemResponse } from './problem';
import { assertScopes, findRoute } from './scope-check';

export interface ApiRequest {
  readonly event: APIGatewayProxyEvent;
  readonly identity: Identity;
  readonly route: AppRoute;
}

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

export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

function causeName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export function createRouteHandler(options: RouteHandlerOptions): ApiHandler {
  const { logger, handle, toProblem } = options;
  // Looked up once, so a handler wired to a route that does not exist fails at cold start.
  const route = findRoute(options.routeId, options.routes ?? APP_ROUTES);

  return async (event) => {
    const requestId = event.requestContext?.requestId;
    try {
      const identity = readIdentity(event);
      assertScopes(identity, route);
      const result = await handle({ event, identity, route });
      logger.info('request handled', { route: route.id, requestId, status: result.statusCode, reason: 'OK' });
      return withDpopNonce(event, result);
    } catch (error) {
      const mapped = error instanceof HttpProblemError ? error : toProblem?.(error);
      const problem = mapped ?? internalError(error);
      const cause: unknown = problem === error ? problem.cause : error;
      const fields = {
        route: route.id,
        requestId,
        status: problem.status,
        reason: problem.code,
        cause: causeName(cause),
      };
      if (problem.status >= 500) {
        // The client sees a generic message; the reason for the operator is here.
        logger.error('request failed', {
          ...fields,
          causeMessage: cause instanceof Error ? cause.message : undefined,
        });
      } else {
        logger.warn('request refused', fields);
      }
      return withDpopNonce(event, problemResponse(problem));
    }
  };
}
