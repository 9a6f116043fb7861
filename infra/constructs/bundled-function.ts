// One Lambda function built the way every function in this project is built: the local esbuild, an ESM
// bundle with source maps, its own log group and a role that may write only to that log group.
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: handler entries and the lock file are resolved from here, not from the cwd. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The runtime every function uses; also the esbuild target. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface BundledFunctionProps {
  /** Handler file, relative to the project root (as in the route table's `entry`); bundled at synth. */
  readonly entry?: string;
  /**
   * Code that is already built (the authorizer's prebuilt bundle): deployed as it is, handler `index.handler`.
   * Give `entry` or `code`.
   */
  readonly code?: lambda.Code;
  /** Environment variables for the handler. */
  readonly environment: Readonly<Record<string, string>>;
  /** What the function is for, shown in the console. */
  readonly description: string;
  /** @default lambda.Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN - logs outlive the stack */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** A NodejsFunction with a least-privilege role. `function` is the Lambda; grant further access to it. */
export class BundledFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy may write to every
    // log group in the account; this one may write only to its own.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);

    const common = {
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...props.environment,
        // Stack traces point into the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
    };
    if (props.code !== undefined) {
      this.function = new lambda.Function(this, 'Function', {
        ...common,
        code: props.code,
        handler: 'index.handler',
      });
    } else {
      if (props.entry === undefined) throw new Error('BundledFunction: give entry or code');
      this.function = new NodejsFunction(this, 'Function', {
        ...common,
        entry: path.join(PROJECT_ROOT, props.entry),
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
      });
    }

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
    });
  }
}
