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
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const details = error as Error & {
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    errors?: unknown;
  };
  if (typeof details.code === 'string' && NETWORK_CODES.has(details.code)) return true;
  if ((details.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (details.$retryable !== undefined) return true;
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
