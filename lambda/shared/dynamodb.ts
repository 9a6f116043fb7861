// DynamoDB plumbing shared by the API Lambdas: one way to build a bounded client, and one rule for which
// failures mean "unavailable, try again later" (503) rather than a bug in this code (500).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// Service-side throttling and outages, by the SDK's exception names.
const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

// Socket-level failures: the endpoint is down or the network dropped the connection.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function isStorageUnavailable(error: unknown): boolean {
  // Structural checks, not instanceof: errors from Node's sockets may come from another realm (as in jest).
  if (error === null || typeof error !== 'object') return false;
  const details = error as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    errors?: unknown;
  };
  if (typeof details.name === 'string' && TRANSIENT_NAMES.has(details.name)) return true;
  if (typeof details.code === 'string' && NETWORK_CODES.has(details.code)) return true;
  if (details.$retryable !== undefined) return true;
  if (details.$metadata !== undefined) {
    // The SDK's retry loop stamps $metadata on whatever it finally throws. A 5xx is an outage; no status
    // at all means DynamoDB never answered (refused, reset, timed out), however the socket error was wrapped.
    const status = details.$metadata.httpStatusCode;
    if (status === undefined || status >= 500) return true;
  }
  // Node reports a failed multi-address connect as an AggregateError of per-address errors.
  if (Array.isArray(details.errors)) return details.errors.some(isStorageUnavailable);
  return false;
}

/** A document client for DynamoDB, or DynamoDB Local when `endpoint` is set. */
export function createDocumentClient(config: {
  readonly endpoint?: string | undefined;
}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    // Bounded waits: a dead endpoint must become a quick 503, well inside the Lambda and API Gateway
    // (29 s) timeouts. Retries follow the SDK default (3 attempts) or AWS_MAX_ATTEMPTS.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 },
  });
  return DynamoDBDocumentClient.from(client);
}
