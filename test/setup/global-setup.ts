// Jest global setup: starts the shared local resources that several test files need, and records how
// to stop them. Values reach the test workers through process.env, which the workers inherit.
import { require as tsxRequire } from 'tsx/cjs/api';
import type * as DynamoDbLocalSetup from './dynamodb-local';
import { startPrivateTempDir } from './temp-dir';
import { startTls } from './tls';
import { registerTeardown } from './teardown-registry';

export default async function globalSetup(): Promise<void> {
  // First, so that its check runs last, after everything below has been stopped and cleaned up.
  registerTeardown(startPrivateTempDir());
  registerTeardown(await startTls());
  // Global setup runs outside jest's module registry, where moduleNameMapper does not apply, and the app's
  // modules import the library by its package name (`bearer-gate/contract`). tsx resolves those names from
  // tsconfig.json's paths, as it does for `npm start`.
  const { startItemsDynamoDb } = tsxRequire('./dynamodb-local', __filename) as typeof DynamoDbLocalSetup;
  registerTeardown(await startItemsDynamoDb());
}
