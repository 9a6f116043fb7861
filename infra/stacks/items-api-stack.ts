// The Items API: a REST API whose every method is protected by JwtAuthorizer from the one route table,
// the items Lambdas on a DynamoDB table, token revocation from the package's RevocationList, and (when no
// issuer is given) a Cognito user pool to log in with.
import { Aws, CfnOutput, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  CorsOrigin,
  Issuer,
  JwtAuthorizer,
  RevocationList,
  type LoggedFunction,
  type ProtectedMethodOptions,
} from 'bearer-gate';
import { appFunction } from './app-function';
import { GATEWAY_RESPONSE_OPTIONS } from '../../lambda/http';
import { ITEMS_TABLE_SCHEMA } from '../../lambda/items/table-schema';
import { APP_ROUTES } from '../../lambda/routes';
import type { AppRoute } from '../../lambda/routes';
import type { CognitoConfig, ItemsApiConfig } from './stack-config';

/** Scopes of the Cognito resource server: every scope the route table uses. */
export const RESOURCE_SERVER_SCOPES: readonly { readonly name: string; readonly description: string }[] = [
  { name: 'items:read', description: 'List and read your items' },
  { name: 'items:write', description: 'Create items' },
  { name: 'items:delete', description: 'Delete your items' },
  { name: 'tokens:revoke', description: 'Revoke access tokens (administrators)' },
];

/** The Cognito resource server's identifier; Cognito prefixes custom scopes with it (`items-api/items:read`). */
export const RESOURCE_SERVER_ID = 'items-api';

/** Lifetime of the Cognito pool's access tokens. */
export const COGNITO_ACCESS_TOKEN_VALIDITY = Duration.minutes(15);

/**
 * The authorizer's leeway for `exp`, `nbf` and `iat`, set explicitly so the revocation entries can outlive
 * it: a token is accepted until `exp` + skew, so a subject cut-off must be kept that much longer too.
 */
export const CLOCK_SKEW = Duration.seconds(30);

export interface ItemsApiStackProps extends StackProps {
  /** Identity provider and CORS settings, usually from readStackConfig(). */
  readonly config: ItemsApiConfig;
  /**
   * The route table served by this API.
   * @default APP_ROUTES
   */
  readonly routes?: readonly AppRoute[];
}

export class ItemsApiStack extends Stack {
  readonly api: apigw.RestApi;
  readonly table: dynamodb.Table;
  /**
   * Revoked token ids and subject cut-offs, read by the authorizer; its admin function serves POST
   * /revocations.
   */
  readonly revocations: RevocationList;
  readonly authorizer: JwtAuthorizer;
  /** Where the authorizer's alarms go: subscribe the on-call rota to it. */
  readonly alarmTopic: sns.Topic;
  /** The Lambdas by route id: the items handlers, and the revocation list's admin function. */
  readonly handlers: ReadonlyMap<string, lambda.IFunction>;

  constructor(scope: Construct, id: string, props: ItemsApiStackProps) {
    super(scope, id, props);
    const routes = props.routes ?? APP_ROUTES;
    const revocationRoute = routes.find((r) => r.table === 'revocations');
    const { corsAllowOrigin } = props.config;

    const { partitionKey, sortKey, timeToLiveAttribute } = ITEMS_TABLE_SCHEMA;
    this.table = new dynamodb.Table(this, 'ItemsTable', {
      partitionKey: { name: partitionKey.name, type: attributeType(partitionKey.type) },
      sortKey: { name: sortKey.name, type: attributeType(sortKey.type) },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute,
    });

    const identity =
      props.config.identity.kind === 'issuer'
        ? {
            issuer: oidcIssuer(props.config.identity),
            outputs: issuerOutputs(props.config.identity, routes),
            maxTokenLifetime: Duration.seconds(props.config.identity.maxTokenLifetimeSeconds),
          }
        : { ...this.cognito(props.config.identity), maxTokenLifetime: COGNITO_ACCESS_TOKEN_VALIDITY };

    // On demand, encrypted, with point-in-time recovery and TTL: the construct's defaults.
    this.revocations = new RevocationList(this, 'Revocations', {
      // A subject cut-off must outlive every token issued before it, including the clock skew leeway.
      maxTokenLifetime: identity.maxTokenLifetime.plus(CLOCK_SKEW),
      // The scopes the route table requires of POST /revocations, checked again by the admin function.
      ...(revocationRoute === undefined ? {} : { adminScopes: [...revocationRoute.scopes] }),
    });

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Items API authorizer alarms',
      enforceSSL: true,
    });
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and states, no data. CloudWatch cannot publish to a topic ' +
        "encrypted with the AWS managed SNS key; a customer managed key is the app's choice to make.",
    });

    this.authorizer = new JwtAuthorizer(this, 'JwtAuthorizer', {
      issuers: [identity.issuer],
      // This API's problem type URIs and CORS headers, the same as its handlers'.
      corsAllowHeaders: [...GATEWAY_RESPONSE_OPTIONS.corsAllowHeaders],
      corsExposeHeaders: [...GATEWAY_RESPONSE_OPTIONS.corsExposeHeaders],
      problemTypeBase: GATEWAY_RESPONSE_OPTIONS.problemTypeBase,
      corsAllowOrigin: corsAllowOrigin === null ? CorsOrigin.NONE : CorsOrigin.of(corsAllowOrigin),
      clockSkew: CLOCK_SKEW,
      revocation: this.revocations,
      monitoring: {
        serviceName: 'items-api-authorizer',
        alarms: true,
        alarmActions: [new cloudwatchActions.SnsAction(this.alarmTopic)],
        dashboard: true,
      },
    });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Items API behind a JWT TOKEN authorizer',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Execution logging (below) needs the account-level CloudWatch role; this creates and sets it.
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request and response bodies (and with them tokens) never go to the execution log.
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
      // No app origin configured: no preflight, so no browser may call the API cross-origin.
      ...(corsAllowOrigin === null
        ? {}
        : {
            defaultCorsPreflightOptions: {
              allowOrigins: [corsAllowOrigin],
              allowMethods: [...new Set(routes.map((r) => r.method))],
              allowHeaders: [...GATEWAY_RESPONSE_OPTIONS.corsAllowHeaders],
              exposeHeaders: [...GATEWAY_RESPONSE_OPTIONS.corsExposeHeaders],
              maxAge: Duration.hours(1),
            },
          }),
    });

    const validator = this.api.addRequestValidator('RequestValidator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const createItemModel = this.api.addModel('CreateItemModel', {
      contentType: 'application/json',
      modelName: 'CreateItem',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'CreateItem',
        type: apigw.JsonSchemaType.OBJECT,
        required: ['name'],
        additionalProperties: false,
        properties: { name: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 200 } },
      },
    });
    const bodyModels: Readonly<Record<string, apigw.IModel>> = { 'POST /items': createItemModel };

    const handlers = new Map<string, lambda.IFunction>();
    // The items handlers add Access-Control-Allow-Origin to their own answers (lambda/http/cors.ts).
    const itemsEnv = {
      ITEMS_TABLE: this.table.tableName,
      ...(corsAllowOrigin === null ? {} : { CORS_ALLOW_ORIGIN: corsAllowOrigin }),
    };
    for (const route of routes) {
      if (route.table === 'revocations') {
        // The package's prebuilt admin function, which may only write revocations (grantRevoke).
        handlers.set(route.id, this.revocations.adminFunction);
        continue;
      }
      const handler = appFunction(this, route.id, {
        entry: route.entry,
        description: `Items API: ${route.method} ${route.path}`,
        environment: { ...itemsEnv, LOG_LEVEL: 'info' },
      });
      // Each handler gets its own route's table and no other.
      grantTableAccess(this.table, handler, route.access);
      handlers.set(route.id, handler.function);
    }
    this.handlers = handlers;

    this.authorizer.addRoutes(
      this.api,
      routes,
      (route) => new apigw.LambdaIntegration(handlers.get(route.id) ?? missing(route)),
      (route): ProtectedMethodOptions => {
        const model = bodyModels[`${route.method} ${route.path}`];
        return model === undefined
          ? { requestValidator: validator, operationName: route.id }
          : {
              requestValidator: validator,
              requestModels: { 'application/json': model },
              operationName: route.id,
            };
      },
    );

    for (const method of this.api.methods.filter((m) => m.httpMethod === 'OPTIONS')) {
      const reason =
        'CORS preflight (OPTIONS): browsers send it without credentials, so it cannot carry a token.';
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions-APIG4', reason },
        { id: 'AwsSolutions-COG4', reason },
      );
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF web ACL in the sample stack: it costs per ACL and rule, and rules are site-specific. Stage ' +
        'throttling bounds request rates; associate your own web ACL with the stage in production.',
    });
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole !== undefined) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level logging role: AWS documents this managed policy for it, and it is " +
          'assumable only by apigateway.amazonaws.com.',
      });
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the Items API (stage v1)',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'RevocationTableName', {
      value: this.revocations.table.tableName,
      description: 'Revoked token ids and subject cut-offs (written by POST /revocations)',
    });
    new CfnOutput(this, 'MaxRevocationDelaySeconds', {
      value: String(this.authorizer.maxRevocationDelay?.toSeconds() ?? 0),
      description: 'Longest time a revoked token may still be accepted from the authorizer result cache',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: "The authorizer's alarms notify this topic: subscribe to it (e.g. an email address)",
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.authorizer.monitoring.dashboard?.dashboardName ?? '',
      description: "The authorizer's CloudWatch dashboard",
    });
    for (const [key, output] of Object.entries(identity.outputs)) new CfnOutput(this, key, output);
  }

  /** Cognito mode: a user pool, a resource server with the items scopes, a public PKCE client and a hosted domain. */
  private cognito(config: CognitoConfig): { issuer: Issuer; outputs: Record<string, OutputSpec> } {
    const pool = new cognito.UserPool(this, 'UserPool', {
      // Accounts are created by an administrator; an open sign-up page is not a sensible default for an API.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    });
    Validations.of(pool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA (TOTP) is optional so that the turnkey pool works with the hosted login on first sign-in; ' +
          'require it for production users.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is billed per monthly active user; the sample pool stays ' +
          'on Essentials. Access tokens are short-lived (15 minutes) and verified on every request.',
      },
    );

    const resourceServer = pool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'Items API',
      scopes: RESOURCE_SERVER_SCOPES.map(
        (s) => new cognito.ResourceServerScope({ scopeName: s.name, scopeDescription: s.description }),
      ),
    });
    const client = pool.addClient('PublicClient', {
      // Public client: no secret, so the client must use PKCE (RFC 7636) with the code flow.
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [
          cognito.OAuthScope.OPENID,
          ...RESOURCE_SERVER_SCOPES.filter((s) => s.name.startsWith('items:')).map((s) =>
            cognito.OAuthScope.resourceServer(
              resourceServer,
              new cognito.ResourceServerScope({ scopeName: s.name, scopeDescription: s.description }),
            ),
          ),
        ],
        callbackUrls: [...config.callbackUrls],
        logoutUrls: [...config.logoutUrls],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: COGNITO_ACCESS_TOKEN_VALIDITY,
      idTokenValidity: Duration.minutes(15),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    // Only the hosted login's code flow and refresh: no password or SRP grants straight from an app.
    (client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];

    // Domain prefixes are unique per region across all accounts; the account id makes the derived one unique.
    const domainPrefix =
      config.domainPrefix ??
      Fn.join('-', [this.stackName.toLowerCase().replace(/[^a-z0-9-]/g, ''), Aws.ACCOUNT_ID]);
    const domain = pool.addDomain('HostedDomain', { cognitoDomain: { domainPrefix } });

    const scopes = RESOURCE_SERVER_SCOPES.filter((s) => s.name.startsWith('items:')).map(
      (s) => `${RESOURCE_SERVER_ID}/${s.name}`,
    );
    return {
      // The prefix lets `items-api/items:read` count as the route table's `items:read`.
      issuer: Issuer.cognito(pool, { clients: [client], resourceServer }),
      outputs: {
        Issuer: { value: pool.userPoolProviderUrl, description: 'Token issuer (iss)' },
        UserPoolId: { value: pool.userPoolId },
        ClientId: {
          value: client.userPoolClientId,
          description: 'Public client for Authorization Code + PKCE',
        },
        HostedDomain: { value: domain.baseUrl(), description: 'Hosted login base URL' },
        AuthorizeEndpoint: { value: `${domain.baseUrl()}/oauth2/authorize` },
        TokenEndpoint: { value: `${domain.baseUrl()}/oauth2/token` },
        Scopes: { value: scopes.join(' '), description: 'Scopes to request' },
      },
    };
  }
}

interface OutputSpec {
  readonly value: string;
  readonly description?: string;
}

function oidcIssuer(config: { issuer: string; audience: readonly string[]; jwksUri?: string }): Issuer {
  return Issuer.oidc(config.issuer, {
    audience: [...config.audience],
    ...(config.jwksUri === undefined ? {} : { jwksUri: config.jwksUri }),
  });
}

function issuerOutputs(
  config: { issuer: string; audience: readonly string[] },
  routes: readonly AppRoute[],
): Record<string, OutputSpec> {
  const scopes = [...new Set(routes.flatMap((r) => r.scopes))];
  return {
    Issuer: { value: config.issuer, description: 'Token issuer (iss)' },
    Audience: { value: config.audience.join(','), description: 'Accepted audience(s) (aud)' },
    Scopes: { value: scopes.join(' '), description: 'Scopes the routes require' },
  };
}

function attributeType(type: 'S' | 'N' | 'B'): dynamodb.AttributeType {
  return {
    S: dynamodb.AttributeType.STRING,
    N: dynamodb.AttributeType.NUMBER,
    B: dynamodb.AttributeType.BINARY,
  }[type];
}

/** Least privilege per the route table's `access`: read-only handlers cannot write. */
function grantTableAccess(table: dynamodb.ITable, handler: LoggedFunction, access: AppRoute['access']): void {
  if (access === 'read') table.grantReadData(handler.function);
  else if (access === 'write') table.grantWriteData(handler.function);
  else table.grantReadWriteData(handler.function);
}

function missing(route: AppRoute): never {
  throw new Error(`no handler for route ${route.id}`);
}

/** One JSON line per request, with the authorizer's outcome, and never the Authorization header. */
function accessLogFormat(): apigw.AccessLogFormat {
  const F = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: F.contextRequestId(),
      requestTime: F.contextRequestTime(),
      ip: F.contextIdentitySourceIp(),
      method: F.contextHttpMethod(),
      resourcePath: F.contextResourcePath(),
      status: F.contextStatus(),
      responseLength: F.contextResponseLength(),
      responseLatency: F.contextResponseLatency(),
      principalId: F.contextAuthorizerPrincipalId(),
      authorizeStatus: F.contextAuthorizeStatus(),
      authorizeError: F.contextAuthorizeError(),
      authorizerLatency: F.contextAuthorizerIntegrationLatency(),
      errorType: F.contextErrorResponseType(),
      xrayTraceId: F.contextXrayTraceId(),
    }),
  );
}
