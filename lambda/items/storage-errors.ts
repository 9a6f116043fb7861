// Which DynamoDB failures mean "unavailable, try again later" (503) rather than a bug in this code (500).
import { StorageUnavailableError } from './errors';

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

/** Runs one DynamoDB call, turning outage-type failures into StorageUnavailableError; other errors pass through. */
export async function callStorage<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isStorageUnavailable(error)) throw new StorageUnavailableError({ cause: error });
    throw error;
  }
}
