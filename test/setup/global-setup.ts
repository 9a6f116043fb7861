// Jest global setup: starts the shared local resources that several test files need, and records how
// to stop them. Values reach the test workers through process.env, which the workers inherit.
import { startPrivateTempDir } from './temp-dir';
import { startTls } from './tls';
import { startItemsDynamoDb } from './dynamodb-local';
import { registerTeardown } from './teardown-registry';

export default async function globalSetup(): Promise<void> {
  // First, so that its check runs last, after everything below has been stopped and cleaned up.
  registerTeardown(startPrivateTempDir());
  registerTeardown(await startTls());
  registerTeardown(await startItemsDynamoDb());
}
