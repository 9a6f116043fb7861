// POST /revocations (scope tokens:revoke): revoke one token by id, or every earlier token of an issuer's subject.
import { HttpProblemError, createRouteHandler, jsonResponse, readJsonBody } from '../http';
import { RevocationError } from './errors';
import { parseRevocationRequest } from './input';
import { logger, revocationService } from './runtime';

function revocationProblem(error: unknown): HttpProblemError | undefined {
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

export const handler = createRouteHandler({
  routeId: 'CreateRevocation',
  logger,
  toProblem: revocationProblem,
  async handle({ event, identity }) {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const request = parseRevocationRequest(readJsonBody(event), nowSeconds);
    const revocation = await revocationService.revoke(request, nowSeconds);
    logger.info('revoked', { kind: revocation.kind, by: identity.sub, reason: 'REVOKED' });
    return jsonResponse(201, revocation);
  },
});
