// Jest global teardown: stops what global setup started, newest first.
import { runTeardowns } from './teardown-registry';

export default async function globalTeardown(): Promise<void> {
  await runTeardowns();
}
