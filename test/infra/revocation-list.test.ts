// RevocationList on its own and through JwtAuthorizer's `revocation`: the table it creates (or checks, when
// one is brought), the prebuilt admin function and its one write grant, the authorizer's read grant and
// configuration, REVOCATION_TABLE_SCHEMA as plain table props, and the constructor's prop checks.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, type App } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  Issuer,
  JwtAuthorizer,
  REVOCATION_TABLE_SCHEMA,
  RevocationList,
  type JwtAuthorizerProps,
  type RevocationListProps,
} from '../../infra/constructs';
import { bundleDir } from '../../infra/constructs/authorizer-bundle';
import { awsSolutionsFindings, fastApp, synthError } from './synth-context';

const ISSUER = 'https://issuer.example.com/';
const AUDIENCE = ['https://api.example.com'];
const ROUTE = { method: 'GET', path: '/orders', scopes: ['orders:read'] } as const;

type Resource = { Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };

function stack(): Stack {
  return new Stack(fastApp(), 'Test');
}

/** Every IAM statement attached to the role whose logical id starts with `rolePrefix`. */
function statements(template: Template, rolePrefix: string): Statement[] {
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:') || a.startsWith('kms:')));
}

function functionWith(template: Template, variable: string): Resource {
  const found = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { [variable]: Match.anyValue() } } },
    }),
  ) as Resource[];
  expect(found).toHaveLength(1);
  return found[0] as Resource;
}

function variables(fn: Resource): Record<string, unknown> {
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** A JwtAuthorizer with one route on a fresh API, so the stack synthesizes. */
function authorizer(scope: Stack, props: Partial<JwtAuthorizerProps>): JwtAuthorizer {
  const jwt = new JwtAuthorizer(scope, 'Jwt', {
    issuers: [Issuer.oidc(ISSUER, { audience: AUDIENCE })],
    ...props,
  });
  const api = new apigw.RestApi(scope, 'Api', { deploy: false });
  jwt.addRoutes(api, [ROUTE], () => new apigw.MockIntegration());
  return jwt;
}

describe('REVOCATION_TABLE_SCHEMA', () => {
  test.each<[string, (s: Stack) => unknown, string]>([
    ['dynamodb.Table', (s) => new dynamodb.Table(s, 'Rev', REVOCATION_TABLE_SCHEMA), 'AWS::DynamoDB::Table'],
    [
      'dynamodb.TableV2',
      (s) => new dynamodb.TableV2(s, 'Rev', REVOCATION_TABLE_SCHEMA),
      'AWS::DynamoDB::GlobalTable',
    ],
  ])('makes a %s with the key and TTL the authorizer reads, as it is', (_kind, make, type) => {
    const s = stack();
    make(s);
    Template.fromStack(s).hasResourceProperties(type, {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  test('a table made from it is accepted by RevocationList with no warning', () => {
    const s = stack();
    const table = new dynamodb.Table(s, 'Mine', REVOCATION_TABLE_SCHEMA);
    const list = new RevocationList(s, 'Revocations', { table });
    expect(list.table).toBe(table);
    Template.fromStack(s).resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(Annotations.fromStack(s).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('with the defaults', () => {
  let s: Stack;
  let template: Template;
  let list: RevocationList;
  beforeAll(() => {
    s = stack();
    list = new RevocationList(s, 'Revocations');
    template = Template.fromStack(s);
  });

  test('the table is on demand, retained, encrypted, with point-in-time recovery and TTL on expiresAt', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  test("the admin function runs the package's prebuilt bundle on Node 24, configured for this table", () => {
    const admin = functionWith(template, 'MAX_TOKEN_LIFETIME_SECONDS');
    expect(admin.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
    expect(variables(admin)).toEqual({
      REVOCATION_TABLE: { Ref: expect.stringMatching(/^RevocationsTable/) },
      MAX_TOKEN_LIFETIME_SECONDS: '86400',
      REQUIRED_SCOPES: 'tokens:revoke',
      LOG_LEVEL: 'info',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect([list.adminScopes, list.maxTokenLifetime.toSeconds()]).toEqual([['tokens:revoke'], 86400]);
    // The code asset is the bundle directory, file for file.
    const outdir = (s.node.root as App).outdir;
    const key = String((admin.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
    const asset = join(outdir, `asset.${key}`);
    const bundle = bundleDir('revocation-admin');
    expect(readdirSync(asset).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    for (const file of ['index.mjs', 'index.mjs.map']) {
      expect(readFileSync(join(asset, file))).toEqual(readFileSync(join(bundle, file)));
    }
  });

  test('the admin function may only UpdateItem on the table: no read, no delete, nothing else', () => {
    expect(statements(template, 'RevocationsAdminRole')).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:UpdateItem',
        Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^RevocationsTable/), 'Arn'] }],
      }),
    ]);
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged', () => {
    expect(awsSolutionsFindings(s)).toEqual([]);
  });
});

test('removalPolicy, pointInTimeRecovery, maxTokenLifetime and adminScopes are applied', () => {
  const s = stack();
  new RevocationList(s, 'Revocations', {
    removalPolicy: RemovalPolicy.DESTROY,
    pointInTimeRecovery: false,
    maxTokenLifetime: Duration.hours(1),
    adminScopes: ['admin', 'tokens:revoke'],
  });
  const template = Template.fromStack(s);
  template.hasResource('AWS::DynamoDB::Table', {
    DeletionPolicy: 'Delete',
    Properties: Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }),
  });
  expect(variables(functionWith(template, 'MAX_TOKEN_LIFETIME_SECONDS'))).toMatchObject({
    MAX_TOKEN_LIFETIME_SECONDS: '3600',
    REQUIRED_SCOPES: 'admin tokens:revoke',
  });
});

describe('a customer managed key', () => {
  let template: Template;
  beforeAll(() => {
    const s = stack();
    const encryptionKey = new kms.Key(s, 'Key');
    const revocation = new RevocationList(s, 'Revocations', {
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey,
    });
    authorizer(s, { revocation });
    template = Template.fromStack(s);
  });
  const key = { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] };

  test('encrypts the table', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
  });

  test('the admin function may encrypt and decrypt with it, the authorizer only decrypt', () => {
    const kmsOf = (role: string) =>
      statements(template, role).filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect(kmsOf('RevocationsAdminRole')).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
        Resource: key,
      }),
    ]);
    expect(kmsOf('JwtHandlerRole')).toEqual([
      expect.objectContaining({ Action: 'kms:Decrypt', Resource: key }),
    ]);
  });
});

describe("JwtAuthorizer's revocation prop", () => {
  let template: Template;
  let jwt: JwtAuthorizer;
  beforeAll(() => {
    const s = stack();
    jwt = authorizer(s, { revocation: new RevocationList(s, 'Revocations') });
    template = Template.fromStack(s);
  });

  test('selects the revocable bundle and sets its configuration to the list’s table', () => {
    expect(jwt.variant).toBe('revocable');
    expect(variables(functionWith(template, 'ROUTES_FILE'))).toMatchObject({
      REVOCATION_TABLE: { Ref: expect.stringMatching(/^RevocationsTable/) },
      REVOCATION_REQUIRE_JTI: 'true',
    });
  });

  test('grants the authorizer BatchGetItem and GetItem on the table, nothing else', () => {
    expect(statements(template, 'JwtHandlerRole')).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^RevocationsTable/), 'Arn'] }],
      }),
    ]);
  });

  test('caps the result cache at the default revocation delay', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 60 });
    expect(jwt.maxRevocationDelay?.toSeconds()).toBe(60);
  });
});

test('grantRead and grantRevoke give another principal what the authorizer and the admin function get', () => {
  const s = stack();
  const list = new RevocationList(s, 'Revocations');
  const reader = new iam.Role(s, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  const writer = new iam.Role(s, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
  list.grantRead(reader);
  list.grantRevoke(writer);
  const template = Template.fromStack(s);
  const table = [{ 'Fn::GetAtt': [expect.stringMatching(/^RevocationsTable/), 'Arn'] }];
  expect(statements(template, 'Reader')).toEqual([
    expect.objectContaining({ Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'], Resource: table }),
  ]);
  expect(statements(template, 'Writer')).toEqual([
    expect.objectContaining({ Action: 'dynamodb:UpdateItem', Resource: table }),
  ]);
});

describe('a table brought by the app', () => {
  test.each<[string, (s: Stack) => dynamodb.ITable, string]>([
    [
      'another partition key name',
      (s) =>
        new dynamodb.Table(s, 'Legacy', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        }),
      'id (HASH, S)',
    ],
    [
      'a number partition key',
      (s) =>
        new dynamodb.Table(s, 'Legacy', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.NUMBER },
        }),
      'pk (HASH, N)',
    ],
    [
      'a sort key',
      (s) =>
        new dynamodb.Table(s, 'Legacy', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
        }),
      'pk (HASH, S), sk (RANGE, S)',
    ],
    [
      'a TableV2 with another key',
      (s) =>
        new dynamodb.TableV2(s, 'Legacy', {
          partitionKey: { name: 'key', type: dynamodb.AttributeType.BINARY },
        }),
      'key (HASH, B)',
    ],
  ])('with %s fails synth, naming the table and its keys', (_name, make, keys) => {
    const s = stack();
    const table = make(s);
    const error = synthError(() => new RevocationList(s, 'Revocations', { table }));
    expect([error.code, error.subject, error.message]).toEqual([
      'INVALID_PROP',
      'table',
      `Test/Revocations: table Test/Legacy has the key schema ${keys}, but the authorizer reads revocation ` +
        "entries by pk (HASH, S) alone, so every check would fail. Create the table with bearer-gate's " +
        'REVOCATION_TABLE_SCHEMA, or let RevocationList create it.',
    ]);
  });

  test('passed straight to JwtAuthorizer as revocationTable, the same check names that prop', () => {
    const s = stack();
    const table = new dynamodb.Table(s, 'Legacy', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    const error = synthError(() => authorizer(s, { revocationTable: table }));
    expect([error.subject, error.message]).toEqual([
      "JwtAuthorizer's revocationTable",
      "Test/Jwt: JwtAuthorizer's revocationTable Test/Legacy has the key schema id (HASH, S), but the " +
        'authorizer reads revocation entries by pk (HASH, S) alone, so every check would fail. Create the ' +
        "table with bearer-gate's REVOCATION_TABLE_SCHEMA, or let RevocationList create it.",
    ]);
  });

  test('an imported table cannot be checked: it is used, with a warning that says what it must be', () => {
    const s = stack();
    const table = dynamodb.Table.fromTableName(s, 'Imported', 'revocations-prod');
    const list = new RevocationList(s, 'Revocations', { table });
    authorizer(s, { revocation: list });
    expect(Annotations.fromStack(s).findWarning('*', Match.anyValue())).toEqual([
      expect.objectContaining({
        id: '/Test/Revocations',
        entry: expect.objectContaining({
          data:
            'table Test/Imported is imported, so its key schema cannot be checked at synth. The authorizer ' +
            'reads it by pk (HASH, S) alone; with any other key schema every revocation check fails (503). ' +
            '[ack: bearer-gate:revocation-table-unchecked]',
        }),
      }),
    ]);
    expect(variables(functionWith(Template.fromStack(s), 'ROUTES_FILE')).REVOCATION_TABLE).toBe(
      'revocations-prod',
    );
  });

  test.each<[string, string | undefined, string]>([
    ['no TTL', undefined, 'has no TTL'],
    ['another TTL attribute', 'ttl', 'has the TTL attribute ttl'],
  ])('with %s is used, with a warning that its entries never expire', (_name, ttl, says) => {
    const s = stack();
    const table = new dynamodb.Table(s, 'Legacy', {
      partitionKey: REVOCATION_TABLE_SCHEMA.partitionKey,
      ...(ttl === undefined ? {} : { timeToLiveAttribute: ttl }),
    });
    new RevocationList(s, 'Revocations', { table });
    expect(Annotations.fromStack(s).findWarning('*', Match.anyValue())).toEqual([
      expect.objectContaining({
        entry: expect.objectContaining({
          data:
            `table Test/Legacy ${says}, so its entries never expire and the table grows without bound. Set ` +
            "timeToLiveAttribute: 'expiresAt' (REVOCATION_TABLE_SCHEMA has it). " +
            '[ack: bearer-gate:revocation-table-ttl]',
        }),
      }),
    ]);
  });
});

describe('prop checks', () => {
  const key = (s: Stack): kms.Key => new kms.Key(s, 'Key');
  const table = (s: Stack): dynamodb.Table => new dynamodb.Table(s, 'Mine', REVOCATION_TABLE_SCHEMA);
  test.each<[string, (s: Stack) => RevocationListProps, string, string]>([
    [
      'a lifetime under a minute',
      () => ({ maxTokenLifetime: Duration.seconds(30) }),
      'maxTokenLifetime',
      'Test/Revocations: RevocationList maxTokenLifetime must be a whole number of seconds from 60 to 31536000; got 30. ' +
        "Use your issuers' longest access token lifetime, e.g. Duration.hours(1).",
    ],
    [
      'a fractional lifetime',
      () => ({ maxTokenLifetime: Duration.millis(90_500) }),
      'maxTokenLifetime',
      'Test/Revocations: RevocationList maxTokenLifetime must be a whole number of seconds from 60 to 31536000; got 90.5. ' +
        "Use your issuers' longest access token lifetime, e.g. Duration.hours(1).",
    ],
    [
      'no admin scopes',
      () => ({ adminScopes: [] }),
      'adminScopes',
      "Test/Revocations: RevocationList adminScopes must not be empty. List the scopes an administrator's token " +
        "holds, e.g. ['tokens:revoke'].",
    ],
    [
      'an admin scope with a space',
      () => ({ adminScopes: ['tokens:revoke', 'a b'] }),
      'adminScopes',
      'Test/Revocations: RevocationList adminScopes must be scopes without spaces, quotes or backslashes; got "a b". ' +
        "List the scopes an administrator's token holds, e.g. ['tokens:revoke'].",
    ],
    [
      'a removal policy with a table of your own',
      (s) => ({ table: table(s), removalPolicy: RemovalPolicy.DESTROY }),
      'removalPolicy',
      'Test/Revocations: RevocationList removalPolicy is set with table, so it would do nothing. Configure the ' +
        'table you pass instead.',
    ],
    [
      'encryption with a table of your own',
      (s) => ({ table: table(s), encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      'encryption',
      'Test/Revocations: RevocationList encryption is set with table, so it would do nothing. Configure the ' +
        'table you pass instead.',
    ],
    [
      'a key without CUSTOMER_MANAGED',
      (s) => ({ encryptionKey: key(s) }),
      'encryptionKey',
      'Test/Revocations: RevocationList encryptionKey is set without encryption: CUSTOMER_MANAGED. Pass ' +
        'encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED with it.',
    ],
  ])('%s', (_name, props, subject, message) => {
    const s = stack();
    const made = props(s);
    const error = synthError(() => new RevocationList(s, 'Revocations', made));
    expect([error.code, error.subject, error.message]).toEqual(['INVALID_PROP', subject, message]);
  });

  test('JwtAuthorizer refuses revocation and revocationTable together', () => {
    const s = stack();
    const revocation = new RevocationList(s, 'Revocations');
    const error = synthError(() => authorizer(s, { revocation, revocationTable: revocation.table }));
    expect([error.subject, error.message]).toEqual([
      'revocationTable',
      'Test/Jwt: JwtAuthorizer revocationTable is set with revocation, which brings its own table. Pass one ' +
        'of them: revocation (a RevocationList) is the one to keep.',
    ]);
  });
});
