// The props a production deployment needs (VPC, tracing, logs, reserved concurrency) and the escape hatches the
// construct exposes (the lambda.Function, its role, its log group, grants): what each deploys, and that the
// authorizer's resources pass cdk-nag's AwsSolutions checks with each.
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Issuer, JwtAuthorizer, type IJwtAuthorizer, type JwtAuthorizerProps } from '../../infra/constructs';
import { acknowledgements, awsSolutionsFindings, fastApp } from './synth-context';

const ISSUERS = [Issuer.oidc('https://issuer.example.com/', { audience: ['https://api.example.com'] })];

function build(props: (stack: Stack) => Partial<JwtAuthorizerProps> = () => ({})) {
  const stack = new Stack(fastApp(), 'Test');
  const jwt = new JwtAuthorizer(stack, 'Jwt', { issuers: ISSUERS, ...props(stack) });
  const api = new apigw.RestApi(stack, 'Api', { deploy: false });
  jwt.addRoutes(
    api,
    [{ method: 'GET', path: '/orders', scopes: ['orders:read'] }],
    () => new apigw.MockIntegration(),
  );
  return { stack, jwt };
}

/** The authorizer function's properties (the one function with ROUTES_FILE). */
function authorizerFunction(template: Template): Record<string, unknown> {
  const found = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { ROUTES_FILE: Match.anyValue() } } },
    }),
  ) as Array<{ Properties: Record<string, unknown> }>;
  expect(found).toHaveLength(1);
  return found[0]!.Properties;
}

/** Every statement of the policies attached to the authorizer's role. */
function roleStatements(template: Template): Array<{ Action: string | string[]; Resource: unknown }> {
  return Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^JwtHandlerRole') }] },
    }),
  ).flatMap(
    (p) =>
      (
        p as {
          Properties: {
            PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> };
          };
        }
      ).Properties.PolicyDocument.Statement,
  );
}

/** cdk-nag findings on the authorizer's own resources (the test API's are not its business). */
function authorizerFindings(stack: Stack): string[] {
  return awsSolutionsFindings(stack)
    .filter((f) => f.paths.some((p) => p.startsWith('Test/Jwt/')))
    .map((f) => f.rule);
}

describe('defaults', () => {
  const { stack, jwt } = build();
  const template = Template.fromStack(stack);

  test('active tracing, no VPC, no reserved concurrency, a retained one-month log group', () => {
    const fn = authorizerFunction(template);
    expect(fn).toMatchObject({ TracingConfig: { Mode: 'Active' } });
    expect(fn).not.toHaveProperty('VpcConfig');
    expect(fn).not.toHaveProperty('ReservedConcurrentExecutions');
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(fn).toMatchObject({
      LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/^JwtHandlerLogGroup/) } },
    });
    expect(jwt.logGroup.node.path).toBe('Test/Jwt/Handler/LogGroup');
  });

  test('X-Ray may be written to, its unscoped resource acknowledged for cdk-nag with the reason', () => {
    expect(roleStatements(template)).toContainEqual(
      expect.objectContaining({
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: '*',
      }),
    );
    expect(acknowledgements(stack).filter((a) => a.path === 'Test/Jwt/Handler/Role')).toEqual([
      {
        path: 'Test/Jwt/Handler/Role',
        rule: 'Annotation::AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      },
    ]);
    expect(authorizerFindings(stack)).toEqual([]);
  });
});

test('tracing: DISABLED leaves out the tracing config, the X-Ray permissions and their acknowledgement', () => {
  const { stack } = build(() => ({ tracing: lambda.Tracing.DISABLED }));
  const template = Template.fromStack(stack);
  expect(authorizerFunction(template)).not.toHaveProperty('TracingConfig');
  const actions = roleStatements(template).flatMap((s) => [s.Action].flat());
  expect(actions.filter((a) => a.startsWith('xray:'))).toEqual([]);
  expect(acknowledgements(stack).filter((a) => a.path === 'Test/Jwt/Handler/Role')).toEqual([]);
  expect(authorizerFindings(stack)).toEqual([]);
});

describe('vpc, vpcSubnets, securityGroups', () => {
  test('the function runs in the chosen subnets with the given security group, and may manage its interfaces', () => {
    const { stack } = build((s) => {
      const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 1 });
      return {
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [new ec2.SecurityGroup(s, 'IssuerAccess', { vpc })],
      };
    });
    const template = Template.fromStack(stack);
    expect(authorizerFunction(template)).toMatchObject({
      VpcConfig: {
        SubnetIds: [
          { Ref: expect.stringMatching(/^VpcPrivateSubnet1/) },
          { Ref: expect.stringMatching(/^VpcPrivateSubnet2/) },
        ],
        SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^IssuerAccess/), 'GroupId'] }],
      },
    });
    expect(roleStatements(template)).toContainEqual(
      expect.objectContaining({
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      }),
    );
    // No AWS managed policy: AWSLambdaVPCAccessExecutionRole would also let it write to every log group.
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
    expect(authorizerFindings(stack)).toEqual([]);
  });

  test('without securityGroups, lambda.Function makes one that allows outbound traffic', () => {
    const { stack } = build((s) => ({ vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 1, natGateways: 1 }) }));
    const template = Template.fromStack(stack);
    expect(authorizerFunction(template)).toMatchObject({
      VpcConfig: {
        SecurityGroupIds: [
          { 'Fn::GetAtt': [expect.stringMatching(/^JwtHandlerFunctionSecurityGroup/), 'GroupId'] },
        ],
      },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
  });
});

describe('logs', () => {
  test("logGroup: the function writes to the app's log group, its role to that one only, and no other is made", () => {
    let appLogs: logs.LogGroup | undefined;
    const { stack, jwt } = build((s) => {
      appLogs = new logs.LogGroup(s, 'AuthLogs', { retention: logs.RetentionDays.ONE_YEAR });
      return { logGroup: appLogs };
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    expect(authorizerFunction(template)).toMatchObject({
      LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/^AuthLogs/) } },
    });
    expect(roleStatements(template)).toContainEqual(
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AuthLogs/), 'Arn'] },
      }),
    );
    expect(jwt.logGroup).toBe(appLogs);
  });

  test('logRetention and logRemovalPolicy shape the log group the construct makes', () => {
    const { stack } = build(() => ({
      logRetention: logs.RetentionDays.ONE_WEEK,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    }));
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 7 },
      DeletionPolicy: 'Delete',
    });
  });
});

test('reservedConcurrentExecutions reserves that much concurrency for the authorizer', () => {
  const { stack } = build(() => ({ reservedConcurrentExecutions: 20 }));
  expect(authorizerFunction(Template.fromStack(stack))).toMatchObject({ ReservedConcurrentExecutions: 20 });
});

describe('escape hatches', () => {
  test('function is the lambda.Function itself: what is set on it is deployed', () => {
    const { stack, jwt } = build();
    expect(jwt.function).toBeInstanceOf(lambda.Function);
    jwt.function.addEnvironment('EXTRA_SETTING', 'on');
    (jwt.function.node.defaultChild as lambda.CfnFunction).addPropertyOverride('EphemeralStorage', {
      Size: 1024,
    });
    expect(authorizerFunction(Template.fromStack(stack))).toMatchObject({
      Environment: { Variables: expect.objectContaining({ EXTRA_SETTING: 'on' }) },
      EphemeralStorage: { Size: 1024 },
    });
  });

  test('addToRolePolicy and grants through grantPrincipal reach the role', () => {
    const { stack, jwt } = build();
    jwt.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: ['arn:aws:secretsmanager:eu-west-1:111111111111:secret:x'],
      }),
    );
    const table = new dynamodb.Table(stack, 'Audit', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    table.grantWriteData(jwt);
    expect(jwt.grantPrincipal).toBe(jwt.role);
    const statements = roleStatements(Template.fromStack(stack));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'secretsmanager:GetSecretValue',
        Resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x',
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['dynamodb:PutItem']),
        Resource: expect.arrayContaining([{ 'Fn::GetAtt': [expect.stringMatching(/^Audit/), 'Arn'] }]),
      }),
    );
  });

  test('isJwtAuthorizer tells a JwtAuthorizer from other constructs; IJwtAuthorizer is what it offers', () => {
    const { stack, jwt } = build();
    const asInterface: IJwtAuthorizer = jwt;
    expect(JwtAuthorizer.isJwtAuthorizer(asInterface)).toBe(true);
    expect(JwtAuthorizer.isJwtAuthorizer(new Construct(stack, 'Other'))).toBe(false);
    expect(JwtAuthorizer.isJwtAuthorizer(undefined)).toBe(false);
    expect([asInterface.authorizer, asInterface.function, asInterface.grantPrincipal]).toEqual([
      jwt.authorizer,
      jwt.function,
      jwt.role,
    ]);
  });
});
