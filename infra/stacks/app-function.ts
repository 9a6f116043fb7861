// The sample app's handlers: each a LoggedFunction (the package's least-privilege function) whose code
// NodejsFunction bundles from this repository with the local esbuild, as an ESM bundle with source maps.
import * as path from 'node:path';
import { LoggedFunction, type LoggedFunctionProps } from 'bearer-gate';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

/** The repository root: handler entries and the lock file are resolved from here, not from the cwd. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface AppFunctionProps extends Omit<LoggedFunctionProps, 'build'> {
  /** Handler file, relative to the project root (as in the route table's `entry`); it exports `handler`. */
  readonly entry: string;
}

export function appFunction(scope: Construct, id: string, props: AppFunctionProps): LoggedFunction {
  const { entry, ...rest } = props;
  return new LoggedFunction(scope, id, {
    ...rest,
    build: (fnScope, fnId, common) =>
      new NodejsFunction(fnScope, fnId, {
        ...common,
        entry: path.join(PROJECT_ROOT, entry),
        handler: 'handler',
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
        bundling: {
          format: OutputFormat.ESM,
          minify: true,
          sourceMap: true,
          // Mappings only: stack traces still name the TypeScript file and line, and the map Node parses at
          // load (--enable-source-maps) is a fraction of the size, which shortens every cold start.
          sourcesContent: false,
          mainFields: ['module', 'main'],
          // No createRequire banner: no dependency calls require(), and test/infra/cdk-synth.test.ts fails if
          // one ever does (an ESM bundle would throw "Dynamic require ... is not supported" at load).
          // The runtime ships AWS SDK v3; leaving it out keeps bundles small, and code that imports it
          // lazily pays nothing when that path is off.
          externalModules: ['@aws-sdk/*'],
        },
      }),
  });
}
