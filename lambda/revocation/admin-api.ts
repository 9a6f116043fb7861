// POST /revocations as an API Gateway proxy handler: the caller's identity and scopes (from the authorizer's
// context, checked again here), the body, the write, and every failure as an RFC 9457 problem, in the flow
// every API Lambda shares (lambda/http/request-flow.ts). It imports the HTTP layer's modules one by one, never
// its index: the package ships this function prebuilt, and the index would bring the sample app's route table
// into its bundle.
import type { Logger } from 'bearer-gate/authorizer';
import { HttpProblemError } from '../http/problem';
import { readJsonBody } from '../http/request';
import { createRequestFlow, type ApiHandler } from '../http/request-flow';
import { jsonResponse } from '../http/response';
import { RevocationError } from './errors';
import { parseRevocationRequest } from './input';
import type { RevocationService } from './service';

/** The route id on every log line, as the route table names POST /revocations. */
const REVOCATION_ROUTE_ID = 'CreateRevocation';

export interface RevocationHandlerOptions {
  readonly service: RevocationService;
  readonly logger: Logger;
  /** Scopes the caller's token must hold (the config's REQUIRED_SCOPES). */
  readonly requiredScopes: readonly string[];
  /** @default Date.now */
  readonly now?: () => number;
}

export type RevocationHandler = ApiHandler;

function storageProblem(error: unknown): HttpProblemError | undefined {
  if (!(error instanceof RevocationError) || error.code !== 'STORAGE_UNAVAILABLE') return undefined;
  return new HttpProblemError({
    status: 503,
    code: 'STORAGE_UNAVAILABLE',
    title: 'Service unavailable',
    detail: 'The revocation store is temporarily unavailable; nothing was revoked. Retry later.',
    headers: { 'Retry-After': '1' },
    cause: error,
  });
}

export function createRevocationHandler(options: RevocationHandlerOptions): RevocationHandler {
  const { service, logger, requiredScopes } = options;
  const now = options.now ?? Date.now;
  return createRequestFlow({
    logger,
    route: (event) => ({
      id: REVOCATION_ROUTE_ID,
      method: 'POST',
      // The path as the API names it: the function does not know where it was mounted.
      path: typeof event.resource === 'string' && event.resource !== '' ? event.resource : '/revocations',
      scopes: requiredScopes,
    }),
    handle: async ({ event, identity }) => {
      const nowSeconds = Math.floor(now() / 1000);
      const request = parseRevocationRequest(readJsonBody(event), nowSeconds);
      const revocation = await service.revoke(request, nowSeconds);
      logger.info('revoked', { kind: revocation.kind, by: identity.sub, reason: 'REVOKED' });
      return jsonResponse(201, revocation);
    },
    toProblem: storageProblem,
  });
}
