// The DynamoDB document client for the items table, built from the parsed config.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ItemsConfig } from './config';

export function createDocumentClient(config: ItemsConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    // Bounded waits: a dead endpoint must become a quick 503, well inside the Lambda and API Gateway
    // (29 s) timeouts. Retries follow the SDK default (3 attempts) or AWS_MAX_ATTEMPTS.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 },
  });
  return DynamoDBDocumentClient.from(client);
}
