// One API request from event to response, as every API Lambda runs it: the caller's identity, the route's
// scopes checked again, the route's own work, and every failure as an RFC 9457 problem, each outcome on one
// log line. It imports no route table, so the revocation API (shipped prebuilt) runs it too.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Logger } from 'bearer-gate/authorizer';
import type { RouteRule } from '../routes';
import { readIdentity } from './identity';
import type { Identity } from './identity';
import { HttpProblemError, internalError, problemResponse } from './problem';
import { assertScopes } from './scope-check';

/** A route as the flow needs it: its id names it on the log line, its scopes are checked. */
export type FlowRoute = RouteRule & { readonly id: string };

/** What the route's own work receives. */
export interface FlowRequest<R extends FlowRoute> {
  readonly event: APIGatewayProxyEvent;
  readonly identity: Identity;
  readonly route: R;
}

export interface RequestFlowOptions<R extends FlowRoute> {
  readonly logger: Logger;
  /** The route an event is for. */
  readonly route: (event: APIGatewayProxyEvent) => R;
  /** The route's own work: parse, call a service, map the result. Throw HttpProblemError for client errors. */
  readonly handle: (request: FlowRequest<R>) => Promise<APIGatewayProxyResult>;
  /**
   * Maps another layer's errors (e.g. a service's family) to problems.
   * @default - only HttpProblemError is mapped; everything else is a 500
   */
  readonly toProblem?: (error: unknown) => HttpProblemError | undefined;
}

export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

function causeName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export function createRequestFlow<R extends FlowRoute>(options: RequestFlowOptions<R>): ApiHandler {
  const { logger, handle, toProblem } = options;
  return async (event) => {
    const requestId = event.requestContext?.requestId;
    const route = options.route(event);
    try {
      const identity = readIdentity(event);
      assertScopes(identity, route);
      const result = await handle({ event, identity, route });
      logger.info('request handled', { route: route.id, requestId, status: result.statusCode, reason: 'OK' });
      return result;
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
      return problemResponse(problem);
    }
  };
}
