// One Lambda function with its own log group, a role that may write only to that log group, active tracing
// (unless turned off) and source-mapped stack traces (Node's, unless the code maps its own). The authorizer uses
// it with its prebuilt bundle; an app can use it with whatever builds its code (the sample stack passes a
// NodejsFunction).
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The runtime the authorizer's bundles are built for (node24) and every function here runs on. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** What every function shares: the caller adds its code and handler. */
export type CommonFunctionProps = Omit<lambda.FunctionProps, 'code' | 'handler'>;

export interface LoggedFunctionProps {
  /** Environment variables for the handler. */
  readonly environment: Readonly<Record<string, string>>;
  /** What the function is for, shown in the console. */
  readonly description: string;
  /**
   * Makes the function from the common props: `lambda.Function` with prebuilt code, or a `NodejsFunction`.
   * Its construct id must be `Function`.
   */
  readonly build: (scope: Construct, id: 'Function', common: CommonFunctionProps) => lambda.Function;
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
  /**
   * A log group to write to instead of a new one (`logRetention` and `logRemovalPolicy` are then its own).
   * @default - a new log group
   */
  readonly logGroup?: logs.ILogGroup;
  /** @default lambda.Tracing.ACTIVE */
  readonly tracing?: lambda.Tracing;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /**
   * The VPC to run in; the role gets the network interface permissions Lambda needs there.
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /** @default - lambda.Function's default: the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default - one new security group that allows all outbound traffic */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Sets `NODE_OPTIONS=--enable-source-maps`: Node maps every stack trace to the sources, reading and
   * indexing the code's source map once per instance (Node 20: while the code loads, 4 ms of the authorizer's
   * seeded cold start; Node 24: at the first stack trace formatted, about 10 ms). The authorizer turns it
   * off and maps the one stack it logs, on an INTERNAL failure, when it logs it.
   * @default true
   */
  readonly nodeSourceMaps?: boolean;
}

/** A Lambda with a least-privilege role. `function` is the Lambda; grant further access to it. */
export class LoggedFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: LoggedFunctionProps) {
    super(scope, id);

    this.logGroup =
      props.logGroup ??
      new logs.LogGroup(this, 'LogGroup', {
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
    const tracing = props.tracing ?? lambda.Tracing.ACTIVE;
    const unscoped: string[] = [];
    if (tracing === lambda.Tracing.ACTIVE) {
      unscoped.push(
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      );
    }
    if (props.vpc !== undefined) {
      // What AWSLambdaVPCAccessExecutionRole grants, without its log permissions on every log group. Lambda
      // creates and describes the function's network interfaces before any of them exists: no ARN to name.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      unscoped.push(
        "In a VPC: Lambda creates, describes and deletes its network interfaces (AWSLambdaVPCAccessExecutionRole's EC2 actions), which have no ARN before they exist.",
      );
    }

    this.function = props.build(this, 'Function', {
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      ...(props.vpc === undefined
        ? {}
        : { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups }),
      environment: {
        ...props.environment,
        // Stack traces point into the TypeScript sources instead of the minified bundle.
        ...(props.nodeSourceMaps === false ? {} : { NODE_OPTIONS: '--enable-source-maps' }),
      },
    });

    if (unscoped.length > 0) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: unscoped.join(' '),
      });
    }
  }
}
