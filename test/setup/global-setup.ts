// Jest global setup: starts the shared local resources that several test files need, and records how
// to stop them. Values reach the test workers through process.env, which the workers inherit.
import { startTls } from './tls';
import { startItemsDynamoDb } from './dynamodb-local';
import { registerTeardown } from './teardown-registry';

export default async function globalSetup(): Promise<void> {
  registerTeardown(await startTls());
  registerTeardown(await startItemsDynamoDb());
}
