// RevocationList: the revocation table in the shape the authorizer reads, the admin function that writes it
// (shipped prebuilt, like the authorizer), and the grants between them; JwtAuthorizer's `revocation` prop.
import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, type IConstruct } from 'constructs';
import {
  DEFAULT_REVOCATION_ADMIN_SCOPES,
  REVOCATION_TABLE_ATTRIBUTES,
  renderRevocationAdminSettings,
} from '../../lambda/contract/revocation-table';
import { isScopeToken } from '../../lambda/contract/route-rules';
import { AUTHORIZER_HANDLER, bundleDir } from './authorizer-bundle';
import { InfraConfigError } from './errors';
import { LoggedFunction } from './logged-function';

/**
 * The revocation table's key and TTL as DynamoDB table props, directly usable:
 * `new dynamodb.Table(this, 'Revocations', { ...REVOCATION_TABLE_SCHEMA, billingMode: ... })`. A string
 * partition key `pk` and no sort key; `expiresAt` is the TTL attribute.
 */
export const REVOCATION_TABLE_SCHEMA: {
  readonly partitionKey: dynamodb.Attribute;
  readonly timeToLiveAttribute: string;
} = Object.freeze({
  partitionKey: Object.freeze({
    name: REVOCATION_TABLE_ATTRIBUTES.partitionKey,
    type: dynamodb.AttributeType.STRING,
  }),
  timeToLiveAttribute: REVOCATION_TABLE_ATTRIBUTES.timeToLiveAttribute,
});

/** The longest access token lifetime assumed when none is given: one day. */
const DEFAULT_MAX_TOKEN_LIFETIME = Duration.days(1);

export interface RevocationListProps {
  /**
   * An existing table to use instead of a new one. Its key schema must be REVOCATION_TABLE_SCHEMA's (a string
   * partition key `pk`, no sort key): a table defined in this app with another one fails synth; an imported
   * table (`Table.fromTableName`) cannot be checked, and gets a warning.
   * @default - a new table: on demand, with TTL, point-in-time recovery and encryption
   */
  readonly table?: dynamodb.ITable;
  /**
   * What happens to the new table when it leaves the stack. Keep RETAIN in production: a deleted table
   * un-revokes every token in it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Point-in-time recovery of the new table.
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
  /**
   * Encryption of the new table at rest.
   * @default dynamodb.TableEncryption.AWS_MANAGED
   */
  readonly encryption?: dynamodb.TableEncryption;
  /**
   * With `encryption: CUSTOMER_MANAGED`: the key. The authorizer and the admin function get the key
   * permissions their calls need.
   * @default - with CUSTOMER_MANAGED, a new key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The longest lifetime of an access token from the trusted issuers. A subject cut-off is kept this long
   * (plus 300 s, the largest clock skew the authorizer accepts) before DynamoDB's TTL removes it; shorter
   * than the real lifetime, and a revoked subject's older tokens work again once their entry is gone.
   * @default Duration.days(1)
   */
  readonly maxTokenLifetime?: Duration;
  /**
   * The scopes a caller of the admin function must hold. Protect its route with the same ones, e.g.
   * `jwt.addMethod(resource, 'POST', new apigw.LambdaIntegration(list.adminFunction), { scopes: list.adminScopes })`;
   * the function checks them again.
   * @default ['tokens:revoke']
   */
  readonly adminScopes?: string[];
}

/** The admin function's bounds on MAX_TOKEN_LIFETIME_SECONDS (lambda/revocation/config.ts). */
const LIFETIME_SECONDS = { min: 60, max: 31_536_000 } as const;

/** The key schema the authorizer and the admin function use: `pk` (HASH, S) alone. */
const EXPECTED_KEYS = `${REVOCATION_TABLE_ATTRIBUTES.partitionKey} (HASH, S)`;

interface ReadSchema {
  readonly keys: string;
  readonly timeToLive: string | undefined;
}

function described(keySchema: unknown, attributes: unknown): string | undefined {
  if (!Array.isArray(keySchema) || !Array.isArray(attributes)) return undefined;
  const types = new Map<unknown, unknown>(
    attributes.map((a: { attributeName?: unknown; attributeType?: unknown }) => [
      a.attributeName,
      a.attributeType,
    ]),
  );
  return keySchema
    .map((k: { attributeName?: unknown; keyType?: unknown }) =>
      Token.isUnresolved(k.attributeName)
        ? undefined
        : `${String(k.attributeName)} (${String(k.keyType)}, ${String(types.get(k.attributeName))})`,
    )
    .join(', ');
}

/**
 * The key schema and TTL attribute of a table defined in this app (Table or TableV2), read from its
 * CloudFormation resource; undefined for an imported table, or one whose schema is a token.
 */
function readSchema(table: dynamodb.ITable): ReadSchema | undefined {
  const cfn: IConstruct | undefined = table.node.defaultChild;
  if (!(cfn instanceof dynamodb.CfnTable || cfn instanceof dynamodb.CfnGlobalTable)) return undefined;
  const stack = Stack.of(cfn);
  const keys = described(stack.resolve(cfn.keySchema), stack.resolve(cfn.attributeDefinitions));
  if (keys === undefined || keys.includes('undefined (')) return undefined;
  const ttl = stack.resolve(cfn.timeToLiveSpecification) as
    { attributeName?: unknown; enabled?: unknown } | undefined;
  return {
    keys,
    timeToLive:
      ttl?.enabled === true && typeof ttl.attributeName === 'string' ? ttl.attributeName : undefined,
  };
}

/**
 * Checks that a revocation table brought by the app has the key schema the authorizer reads. `who` and
 * `prop` name the construct and the prop in the error, e.g. `Stack/Jwt` and `JwtAuthorizer's revocationTable`.
 */
function checkRevocationTable(scope: Construct, prop: string, table: dynamodb.ITable): void {
  const schema = readSchema(table);
  if (schema === undefined) {
    Annotations.of(scope).addWarningV2(
      'bearer-gate:revocation-table-unchecked',
      `${prop} ${table.node.path} is imported, so its key schema cannot be checked at synth. The authorizer ` +
        `reads it by ${EXPECTED_KEYS} alone; with any other key schema every revocation check fails (503).`,
    );
    return;
  }
  if (schema.keys !== EXPECTED_KEYS) {
    throw new InfraConfigError(
      'INVALID_PROP',
      prop,
      `${scope.node.path}: ${prop} ${table.node.path} has the key schema ${schema.keys}, but the authorizer ` +
        `reads revocation entries by ${EXPECTED_KEYS} alone, so every check would fail. Create the table ` +
        "with bearer-gate's REVOCATION_TABLE_SCHEMA, or let RevocationList create it.",
    );
  }
  if (schema.timeToLive !== REVOCATION_TABLE_ATTRIBUTES.timeToLiveAttribute) {
    Annotations.of(scope).addWarningV2(
      'bearer-gate:revocation-table-ttl',
      `${prop} ${table.node.path} ` +
        (schema.timeToLive === undefined ? 'has no TTL' : `has the TTL attribute ${schema.timeToLive}`) +
        `, so its entries never expire and the table grows without bound. Set timeToLiveAttribute: ` +
        `'${REVOCATION_TABLE_ATTRIBUTES.timeToLiveAttribute}' (REVOCATION_TABLE_SCHEMA has it).`,
    );
  }
}

/**
 * What the authorizer's revocation check needs of a revocation table, and no more: BatchGetItem and GetItem
 * (and decrypt with its key). A compromised authorizer cannot un-revoke anything.
 */
export function grantRevocationRead(table: dynamodb.ITable, grantee: iam.IGrantable): iam.Grant {
  const grant = table.grant(grantee, 'dynamodb:BatchGetItem', 'dynamodb:GetItem');
  table.encryptionKey?.grantDecrypt(grantee);
  return grant;
}

/**
 * Token revocation for JwtAuthorizer: the table of revoked token ids and subject cut-offs, and the admin
 * function that writes it (POST /revocations, `{tokenId, expiresAt}` or `{issuer, subject}`). Pass it to the
 * authorizer as `revocation`, and route the admin function through the authorizer:
 *
 * @example
 * const revocations = new RevocationList(this, 'Revocations', { maxTokenLifetime: Duration.hours(1) });
 * const jwt = new JwtAuthorizer(this, 'Jwt', { issuers, revocation: revocations });
 * jwt.addMethod(api.root.addResource('revocations'), 'POST',
 *   new apigw.LambdaIntegration(revocations.adminFunction), { scopes: revocations.adminScopes });
 */
export class RevocationList extends Construct {
  /** The revocation table: created here, or the one given in `table`. */
  readonly table: dynamodb.ITable;
  /** The admin function (POST /revocations); it may only write entries (see grantRevoke). */
  readonly adminFunction: lambda.Function;
  /** The scopes the admin function requires of its caller. */
  readonly adminScopes: string[];
  /** How long a subject cut-off is kept, at least (see `maxTokenLifetime`). */
  readonly maxTokenLifetime: Duration;

  constructor(scope: Construct, id: string, props: RevocationListProps = {}) {
    super(scope, id);
    this.maxTokenLifetime = props.maxTokenLifetime ?? DEFAULT_MAX_TOKEN_LIFETIME;
    const lifetime = this.maxTokenLifetime.toSeconds({ integral: false });
    if (!Number.isInteger(lifetime) || lifetime < LIFETIME_SECONDS.min || lifetime > LIFETIME_SECONDS.max) {
      this.invalid(
        'maxTokenLifetime',
        `must be a whole number of seconds from ${LIFETIME_SECONDS.min} to ${LIFETIME_SECONDS.max}; got ${lifetime}`,
        "Use your issuers' longest access token lifetime, e.g. Duration.hours(1).",
      );
    }
    this.adminScopes = [...(props.adminScopes ?? DEFAULT_REVOCATION_ADMIN_SCOPES)];
    const badScope = this.adminScopes.find((s) => !isScopeToken(s));
    if (this.adminScopes.length === 0 || badScope !== undefined) {
      this.invalid(
        'adminScopes',
        this.adminScopes.length === 0
          ? 'must not be empty'
          : `must be scopes without spaces, quotes or backslashes; got "${badScope}"`,
        "List the scopes an administrator's token holds, e.g. ['tokens:revoke'].",
      );
    }

    if (props.table !== undefined) {
      const stray = (['removalPolicy', 'pointInTimeRecovery', 'encryption', 'encryptionKey'] as const).find(
        (p) => props[p] !== undefined,
      );
      if (stray !== undefined) {
        this.invalid(
          stray,
          'is set with table, so it would do nothing',
          'Configure the table you pass instead.',
        );
      }
      checkRevocationTable(this, 'table', props.table);
      this.table = props.table;
    } else {
      if (
        props.encryptionKey !== undefined &&
        props.encryption !== dynamodb.TableEncryption.CUSTOMER_MANAGED
      ) {
        this.invalid(
          'encryptionKey',
          'is set without encryption: CUSTOMER_MANAGED',
          'Pass encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED with it.',
        );
      }
      this.table = new dynamodb.Table(this, 'Table', {
        ...REVOCATION_TABLE_SCHEMA,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
        encryption: props.encryption ?? dynamodb.TableEncryption.AWS_MANAGED,
        encryptionKey: props.encryptionKey,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
    }

    const admin = new LoggedFunction(this, 'Admin', {
      build: (fnScope, fnId, common) =>
        new lambda.Function(fnScope, fnId, {
          ...common,
          code: lambda.Code.fromAsset(bundleDir('revocation-admin')),
          handler: AUTHORIZER_HANDLER,
        }),
      description: 'Revokes access tokens for JwtAuthorizer (POST /revocations)',
      environment: renderRevocationAdminSettings({
        tableName: this.table.tableName,
        maxTokenLifetimeSeconds: lifetime,
        requiredScopes: this.adminScopes,
        logLevel: 'info',
      }),
    });
    this.adminFunction = admin.function;
    this.grantRevoke(this.adminFunction);
  }

  /**
   * Lets `grantee` read entries as the authorizer's check does: BatchGetItem and GetItem on the table (and
   * decrypt with its key), nothing else. JwtAuthorizer's `revocation` grants this to its function.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantRevocationRead(this.table, grantee);
  }

  /**
   * Lets `grantee` write entries as the admin function does: UpdateItem on the table (and encrypt and
   * decrypt with its key). No read, no delete: an entry cannot be removed through this grant, though an
   * UpdateItem without the admin function's condition could still move a cut-off back.
   */
  grantRevoke(grantee: iam.IGrantable): iam.Grant {
    const grant = this.table.grant(grantee, 'dynamodb:UpdateItem');
    this.table.encryptionKey?.grantEncryptDecrypt(grantee);
    return grant;
  }

  private invalid(prop: string, problem: string, fix: string): never {
    throw new InfraConfigError(
      'INVALID_PROP',
      prop,
      `${this.node.path}: RevocationList ${prop} ${problem}. ${fix}`,
    );
  }
}

/** The props JwtAuthorizer reads for revocation. */
interface RevocationProps {
  readonly revocation?: RevocationList;
  readonly revocationTable?: dynamodb.ITable;
}

/**
 * JwtAuthorizer's `revocation` prop, as the `revocationTable` it stands for: the list's table, which selects
 * the revocable bundle, configures it and grants it read access. A table given directly is checked here.
 */
export function withRevocationList<P extends RevocationProps>(scope: Construct, props: P): P {
  if (props.revocation === undefined) {
    if (props.revocationTable !== undefined) {
      checkRevocationTable(scope, "JwtAuthorizer's revocationTable", props.revocationTable);
    }
    return props;
  }
  if (props.revocationTable !== undefined) {
    throw new InfraConfigError(
      'INVALID_PROP',
      'revocationTable',
      `${scope.node.path}: JwtAuthorizer revocationTable is set with revocation, which brings its own table. ` +
        'Pass one of them: revocation (a RevocationList) is the one to keep.',
    );
  }
  return { ...props, revocationTable: props.revocation.table };
}
