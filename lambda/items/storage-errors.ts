// Turns DynamoDB outages into the items service's StorageUnavailableError (503); other errors pass through.
import { isStorageUnavailable } from '../shared/dynamodb';
import { StorageUnavailableError } from './errors';

export { isStorageUnavailable };

/** Runs one DynamoDB call, turning outage-type failures into StorageUnavailableError; other errors pass through. */
export async function callStorage<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isStorageUnavailable(error)) throw new StorageUnavailableError({ cause: error });
    throw error;
  }
}
