// Maps the items service's errors to HTTP problems.
import { HttpProblemError } from '../http';
import { ItemsError } from './errors';

/** Seconds a client should wait before retrying after a 503 or 409. */
export const RETRY_AFTER_SECONDS = 1;

/** 404 for an id the caller does not own: missing and someone else's look the same, so existence never leaks. */
export function itemNotFound(): HttpProblemError {
  return new HttpProblemError({
    status: 404,
    code: 'ITEM_NOT_FOUND',
    title: 'Not found',
    detail: 'No item with this id exists.',
  });
}

export function itemsProblem(error: unknown): HttpProblemError | undefined {
  if (!(error instanceof ItemsError)) return undefined;
  switch (error.code) {
    case 'INVALID_NEXT_TOKEN':
      return new HttpProblemError({
        status: 400,
        code: 'INVALID_NEXT_TOKEN',
        title: 'Bad request',
        detail: 'nextToken is not a token this API issued.',
        extensions: { field: 'nextToken' },
        cause: error,
      });
    case 'IDEMPOTENCY_KEY_REUSED':
      // draft-ietf-httpapi-idempotency-key-header §2.7: same key, different payload is 422.
      return new HttpProblemError({
        status: 422,
        code: 'IDEMPOTENCY_KEY_REUSED',
        title: 'Idempotency key reused',
        detail: 'This Idempotency-Key was already used with a different request body.',
        extensions: { field: 'Idempotency-Key' },
        cause: error,
      });
    case 'IDEMPOTENCY_KEY_IN_USE':
      // Same draft: a concurrent request with the same key is 409.
      return new HttpProblemError({
        status: 409,
        code: 'IDEMPOTENCY_KEY_IN_USE',
        title: 'Request in progress',
        detail: 'A request with this Idempotency-Key is being processed; retry shortly.',
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        cause: error,
      });
    case 'STORAGE_UNAVAILABLE':
      return new HttpProblemError({
        status: 503,
        code: 'STORAGE_UNAVAILABLE',
        title: 'Service unavailable',
        detail: 'The item store is temporarily unavailable; retry later.',
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        cause: error,
      });
    case 'INVALID_CONFIG':
      return undefined;
  }
}
