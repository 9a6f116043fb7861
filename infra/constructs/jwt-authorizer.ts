// JwtAuthorizer: an API Gateway REST authorizer backed by this project's JWT-verifying Lambda, and the way to
// protect methods with it so a route's scopes are declared exactly once. The props are parsed once
// (resolve-props.ts); this class only creates resources from what that returns.
import { Annotations, Aspects, Lazy, Stack, Validations, type CfnResource, type Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { renderAuthorizerSettings } from '../../lambda/contract/authorizer-settings';
import {
  AUTHORIZATION_HEADER,
  IDENTITY_VALIDATION_EXPRESSION,
  buildGatewayResponses,
  gatewayResponseBody,
  type GatewayResponseOptions,
} from '../../lambda/contract/gateway-contract';
import type { HttpMethod, RouteRule } from '../../lambda/contract/route-rules';
import {
  decideCaching,
  describeConflicts,
  describeRoute,
  type CachingDecision,
} from '../../lambda/contract/route-set';
import { AUTHORIZER_HANDLER, authorizerBundleDir, type AuthorizerVariant } from './authorizer-bundle';
import { AuthorizerCode } from './authorizer-code';
import {
  AuthorizerMonitoring,
  type AuthorizerDecision,
  type AuthorizerMetric,
} from './authorizer-monitoring';
import { LoggedFunction } from './logged-function';
import { propError, propMessage, type PropProblem } from './prop-checks';
import {
  CachingMode,
  type AddMethodOptions,
  type JwtAuthorizerProps,
  type ProtectedMethodOptions,
} from './props';
import { resolveProps, type ResolvedProps } from './resolve-props';
import { cognitoIssuer } from './resolve-trust';
import { grantRevocationRead, withRevocationList } from './revocation-list';
import {
  addProtectedResourceMetadata,
  grantDpop,
  senderConstraintResponseOptions,
  senderConstraints,
  type ResolvedSenderConstraint,
} from './sender-constraint';
import { RouteRegistry } from './route-registry';
import { authorizerSettings, type SettingsWithoutRoutes } from './settings';
import { useAuthorizerKeySource } from './usage-identifier';

/** Lambda's limit on all environment variables of a function together, in bytes. */
const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** The REQUEST authorizer's identity sources in per-route mode: the cache key is all three. */
const PER_ROUTE_IDENTITY_SOURCES = [
  `method.request.header.${AUTHORIZATION_HEADER}`,
  'context.httpMethod',
  'context.resourcePath',
] as const;

/** What other constructs need of a JwtAuthorizer: the API Gateway authorizer and the Lambda behind it. */
export interface IJwtAuthorizer extends IConstruct, iam.IGrantable {
  /** The API Gateway authorizer (TOKEN, or REQUEST when decisions are cached per route). */
  readonly authorizer: apigw.IAuthorizer;
  /** The Lambda that verifies tokens. */
  readonly function: lambda.IFunction;
}

const JWT_AUTHORIZER_SYMBOL = Symbol.for('bearer-gate.JwtAuthorizer');

/**
 * An API Gateway REST authorizer that verifies OAuth 2.0 JWT access tokens and enforces per-route scopes.
 *
 * @example
 * const jwt = new JwtAuthorizer(this, 'Jwt', {
 *   issuers: [Issuer.oidc('https://example.eu.auth0.com/', { audience: ['https://api.example.com'] })],
 * });
 * jwt.addRoutes(api, [{ method: 'GET', path: '/orders', scopes: ['orders:read'] }], () => new LambdaIntegration(fn));
 */
export class JwtAuthorizer extends Construct implements IJwtAuthorizer {
  /** Whether `x` is a JwtAuthorizer (of any copy of this package). */
  // `any`, as aws-cdk-lib's isX() methods take: jsii has no `unknown` for other languages.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  static isJwtAuthorizer(x: any): x is JwtAuthorizer {
    return typeof x === 'object' && x !== null && JWT_AUTHORIZER_SYMBOL in x;
  }

  /** The Lambda that verifies tokens: the escape hatch for anything the props do not cover. */
  readonly function: lambda.Function;
  /** The Lambda's role: it may write to its log group and nothing else, unless granted more. */
  readonly role: iam.IRole;
  /** The log group the Lambda writes to. */
  readonly logGroup: logs.ILogGroup;
  /** The principal to grant further access to (the Lambda's role). */
  readonly grantPrincipal: iam.IPrincipal;
  /** The prebuilt bundle `function` runs: `revocable` with a revocation table, else `plain` (no revocation code). */
  readonly variant: AuthorizerVariant;
  /**
   * The API Gateway authorizer; methods added with addMethod()/addRoutes() already use it. A TOKEN
   * authorizer, or a REQUEST authorizer when decisions are cached per route (see `caching`).
   */
  readonly authorizer: apigw.IAuthorizer;
  /** The result cache TTL in effect (with revocation on, at most `maxRevocationDelay`). */
  readonly resultsCacheTtl: Duration;
  /** With revocation on, the bound on how long a revoked token may still be accepted; undefined otherwise. */
  readonly maxRevocationDelay?: Duration;
  /** The authorizer's metrics, and the alarms and dashboard `monitoring` asked for. */
  readonly monitoring: AuthorizerMonitoring;

  private readonly registry: RouteRegistry;
  private readonly caching: CachingMode;
  private readonly gatewayResponseOptions: GatewayResponseOptions;
  private readonly code = new AuthorizerCode();
  private readonly settings: SettingsWithoutRoutes;
  private restApi: apigw.IRestApi | undefined;
  private decidedMode: CachingDecision | undefined;
  private readonly senderConstraint: ResolvedSenderConstraint;

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);
    Object.defineProperty(this, JWT_AUTHORIZER_SYMBOL, { value: true });

    // `revocation` stands for its table from here on (revocation-list.ts); a table given directly is checked.
    const resolved = resolveProps(this, withRevocationList(this, props));
    this.settings = authorizerSettings(resolved);
    this.registry = new RouteRegistry(this.node.path, resolved.routes);
    this.caching = resolved.caching;
    // Sender-constrained tokens (sender-constraint.ts): the decision needs the REQUEST event, and the result
    // cache is off (resolved.resultsCacheTtl).
    const { dpop, mutualTls, protectedResource } = resolved;
    this.senderConstraint = { dpop, mutualTls, protectedResource };
    this.gatewayResponseOptions = {
      ...resolved.gatewayResponses,
      ...senderConstraintResponseOptions(resolved),
    };
    this.resultsCacheTtl = resolved.resultsCacheTtl;
    if (resolved.maxRevocationDelay !== undefined) this.maxRevocationDelay = resolved.maxRevocationDelay;
    // Without revocation (or a DPoP replay table) the bundle carries no DynamoDB code at all: less to load at
    // every cold start.
    this.variant =
      resolved.revocation === undefined && resolved.dpop?.replayTable === undefined ? 'plain' : 'revocable';

    const handler = this.createFunction(resolved);
    this.function = handler.function;
    this.role = handler.role;
    this.logGroup = handler.logGroup;
    this.grantPrincipal = handler.role;
    if (resolved.revocation !== undefined) grantRevocationRead(resolved.revocation.table, this.function);
    grantDpop(resolved.dpop, this.function);
    this.authorizer = this.createAuthorizer(resolved);
    this.monitoring = new AuthorizerMonitoring(this, 'Monitoring', {
      ...resolved.monitoring,
      function: this.function,
      revocation: resolved.revocation !== undefined,
      jwksSeed: resolved.jwksSeed !== undefined,
      dpop: resolved.dpop?.replayTable !== undefined,
      timeout: resolved.fn.timeout,
    });

    // The code asset is made once every route is known: after construction, before the template resolves.
    Aspects.of(this).add({ visit: (node) => node === this && this.makeCode() });
    this.node.addValidation({ validate: () => this.validateRoutes() });
    this.node.addValidation({ validate: () => this.validateEnvironmentSize() });
  }

  /** Adds a statement to the Lambda's role, e.g. for a resource an issuer's keys are read through. */
  addToRolePolicy(statement: iam.PolicyStatement): void {
    this.function.addToRolePolicy(statement);
  }

  /** One of the authorizer's metrics besides decisions and cold starts (Sum, or Average for latencies, over 5 minutes). */
  metric(metric: AuthorizerMetric, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.metric(metric, props);
  }

  /** Decisions with this outcome; with a reason code (e.g. `TOKEN_EXPIRED`), those with that reason. */
  metricDecisions(
    decision: AuthorizerDecision,
    reason?: string,
    props?: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return this.monitoring.metricDecisions(decision, reason, props);
  }

  /** The function's cold starts (Powertools' ColdStart metric). */
  metricColdStarts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.metricColdStarts(props);
  }

  /**
   * Whether decisions are cached per route (a REQUEST authorizer): `caching` is ROUTE, or AUTO found routes no
   * single cached policy can serve (a synth warning names them).
   */
  get cachedPerRoute(): boolean {
    return this.mode().perRoute;
  }

  /** What the Lambda's route table (routes.json in its code asset) carries: every route given in props or added since. */
  get routes(): readonly RouteRule[] {
    return this.registry.routes.map((r) => ({ ...r, scopes: [...r.scopes] }));
  }

  /**
   * Creates a method for every route of a route table, each protected by this authorizer, and records
   * each route's scopes for the Lambda. The table is the only place scopes are written; a route's path is
   * checked by the route table validator the Lambda runs (`orders` or `/orders/` is refused, not normalised).
   *
   * @param api the REST API to add the methods to (an authorizer serves one REST API)
   * @param routes the route table
   * @param integrationFor the backend of each route
   * @param optionsFor further method options per route (request validation, models, ...)
   * @returns the created methods, in route order
   */
  addRoutes<R extends RouteRule>(
    api: apigw.IRestApi,
    routes: readonly R[],
    integrationFor: (route: R) => apigw.Integration,
    optionsFor?: (route: R) => ProtectedMethodOptions,
  ): apigw.Method[] {
    return routes.map((route) => {
      this.bindApi(api);
      const { method, path, scopes } = route;
      this.registry.record(`route ${method} ${path}`, { method, path, scopes });
      const resource = api.root.resourceForPath(path);
      return this.createMethod(resource, method, integrationFor(route), optionsFor?.(route) ?? {});
    });
  }

  /**
   * Adds one method protected by this authorizer and records `scopes` as what it requires (`[]`: any valid
   * token). The route's path is the resource's path, so the rule and the method cannot disagree.
   */
  addMethod(
    resource: apigw.IResource,
    httpMethod: HttpMethod,
    integration: apigw.Integration,
    options: AddMethodOptions,
  ): apigw.Method {
    this.bindApi(resource.api);
    this.registry.record(`route ${httpMethod} ${resource.path}`, {
      method: httpMethod,
      path: resource.path,
      scopes: options?.scopes,
    });
    return this.createMethod(resource, httpMethod, integration, options);
  }

  /**
   * Adds the gateway responses (401, 403, 503 for authorizer failures, ...) to a REST API. addRoutes() and
   * addMethod() call this; call it yourself only for an API whose methods you created with `authorizer`.
   */
  addGatewayResponses(api: apigw.IRestApi): void {
    this.bindApi(api);
  }

  private createFunction(resolved: ResolvedProps): LoggedFunction {
    const code = this.code;
    const { fn } = resolved;
    return new LoggedFunction(this, 'Handler', {
      build: (fnScope, fnId, common) =>
        new lambda.Function(fnScope, fnId, { ...common, code, handler: AUTHORIZER_HANDLER }),
      description: 'Verifies JWT access tokens for API Gateway (TOKEN or per-route REQUEST authorizer)',
      environment: renderAuthorizerSettings({ ...this.settings, routes: [] }).environment,
      // The authorizer maps the one stack it logs (an INTERNAL failure) itself, when it logs it: Node's own
      // source maps would read and index the bundle's map once per instance (at load on Node 20, at the first
      // stack trace formatted, such as a 401's, on Node 24).
      nodeSourceMaps: false,
      architecture: fn.architecture,
      memorySize: fn.memorySize,
      timeout: fn.timeout,
      tracing: fn.tracing,
      ...(fn.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: fn.reservedConcurrentExecutions }),
      ...(fn.vpc === undefined
        ? {}
        : { vpc: fn.vpc, vpcSubnets: fn.vpcSubnets, securityGroups: fn.securityGroups }),
      ...(fn.logGroup === undefined
        ? { logRetention: fn.logRetention, logRemovalPolicy: fn.logRemovalPolicy }
        : { logGroup: fn.logGroup }),
    });
  }

  private createAuthorizer(resolved: ResolvedProps): apigw.IAuthorizer {
    const authorizer = new apigw.TokenAuthorizer(this, 'Authorizer', {
      handler: this.function,
      identitySource: apigw.IdentitySource.header(AUTHORIZATION_HEADER),
      validationRegex: IDENTITY_VALIDATION_EXPRESSION,
      resultsCacheTtl: this.resultsCacheTtl,
      authorizerName: resolved.authorizerName,
    });
    // The type is only known once the route table is: a TOKEN or a per-route REQUEST authorizer, resolved at
    // synth. Both invoke the same Lambda (the handler reads either event), so only these three differ.
    const cfnAuthorizer = authorizer.node.defaultChild as apigw.CfnAuthorizer;
    cfnAuthorizer.type = Lazy.string({ produce: () => (this.mode().perRoute ? 'REQUEST' : 'TOKEN') });
    cfnAuthorizer.identitySource = Lazy.string({
      produce: () =>
        this.mode().perRoute
          ? PER_ROUTE_IDENTITY_SOURCES.join(',')
          : `method.request.header.${AUTHORIZATION_HEADER}`,
    });
    // API Gateway applies an identity validation expression to TOKEN authorizers only.
    cfnAuthorizer.identityValidationExpression = Lazy.string({
      produce: () => (this.mode().perRoute ? undefined : IDENTITY_VALIDATION_EXPRESSION),
    });
    return authorizer;
  }

  private createMethod(
    resource: apigw.IResource,
    httpMethod: HttpMethod,
    integration: apigw.Integration,
    options: ProtectedMethodOptions,
  ): apigw.Method {
    // Only the options a protected method may set: authorization is always this authorizer's.
    const passed: apigw.MethodOptions = Object.fromEntries(
      Object.entries({
        operationName: options.operationName,
        apiKeyRequired: options.apiKeyRequired,
        methodResponses: options.methodResponses,
        requestParameters: options.requestParameters,
        requestModels: options.requestModels,
        requestValidator: options.requestValidator,
        requestValidatorOptions: options.requestValidatorOptions,
      }).filter(([, v]) => v !== undefined),
    );
    const method = resource.addMethod(httpMethod, integration, {
      ...passed,
      authorizationType: apigw.AuthorizationType.CUSTOM,
      authorizer: this.authorizer,
    });
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Protected by JwtAuthorizer, a Lambda TOKEN authorizer that verifies JWTs from any OIDC issuer (Cognito ' +
        'included) and enforces per-route scopes, which a Cognito user pool authorizer cannot do for other issuers.',
    });
    return method;
  }

  private bindApi(api: apigw.IRestApi): void {
    if (this.restApi === api) return;
    if (this.restApi !== undefined) {
      throw propError(this.node.path, 'ROUTE_CONFLICT', {
        prop: `api ${api.node.path}`,
        problem: `is a second REST API: this authorizer serves ${this.restApi.node.path}`,
        fix: `An API Gateway authorizer belongs to one REST API, so ${api.node.path} needs its own JwtAuthorizer.`,
      });
    }
    this.restApi = api;
    if (this.settings.usageIdentifierClaim !== undefined) useAuthorizerKeySource(this, api);
    const responses = new Construct(this, 'GatewayResponses');
    for (const response of buildGatewayResponses(this.gatewayResponseOptions)) {
      new apigw.GatewayResponse(responses, response.type, {
        restApi: api,
        type: apigw.ResponseType.of(response.type),
        statusCode: response.statusCode === undefined ? undefined : String(response.statusCode),
        responseHeaders: {
          // API Gateway reads header values as expressions; a literal is written in single quotes.
          ...Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, `'${v}'`])),
          // A mapping from the Lambda authorizer's context: "A gateway response mapping template can access
          // $context variable values" (API Gateway Developer Guide, "Gateway responses in API Gateway"), and
          // `$context.authorizer.property` is "the stringified value of the specified key-value pair of the
          // context map returned from an API Gateway Lambda authorizer function" (its variable reference).
          // Only a Deny has such a context at a gateway response, so only ACCESS_DENIED maps one.
          ...Object.fromEntries(
            Object.entries(response.contextHeaders ?? {}).map(([k, key]) => [k, `context.authorizer.${key}`]),
          ),
        },
        templates: { 'application/json': gatewayResponseBody(response) },
      });
    }
    const { dpop, mutualTls, protectedResource } = this.senderConstraint;
    if (protectedResource !== undefined) {
      addProtectedResourceMetadata(api, protectedResource, {
        issuers: () => this.trustedIssuers(),
        routes: () => this.registry.routes,
        dpop,
        mutualTls: mutualTls !== undefined,
      });
    }
  }

  /** The exact `iss` of every trusted issuer, for the metadata's authorization_servers. */
  private trustedIssuers(): string[] {
    const { issuer, issuers, cognito } = this.settings;
    return [
      ...(issuer === undefined ? [] : [issuer.issuer]),
      ...(issuers ?? []).map((i) => i.issuer),
      ...(cognito === undefined ? [] : [cognitoIssuer(cognito.userPoolId)]),
    ];
  }

  /** The methods anywhere in the app that use this authorizer, with their routes. */
  private protectedMethods(): Array<{ method: apigw.Method; route: string }> {
    return this.node.root.node
      .findAll()
      .filter((c): c is apigw.Method => c instanceof apigw.Method)
      .filter((m) => (m.node.defaultChild as apigw.CfnMethod).authorizerId === this.authorizer.authorizerId)
      .map((method) => ({
        method,
        route: describeRoute({ method: method.httpMethod, path: method.resource.path }),
      }));
  }

  /**
   * At synth, once every route is recorded: the code asset with the route table. An authorizer without
   * routes, or serving no API, is refused here, before CDK would fail resolving its unattached REST API id.
   */
  private makeCode(): void {
    if (this.code.materialized) return;
    const unusable = this.unusable();
    if (unusable !== undefined) throw propError(this.node.path, 'INVALID_PROP', unusable);
    this.registry.close();
    this.code.materialize(
      this,
      this.function.node.defaultChild as CfnResource,
      authorizerBundleDir(this.variant),
      renderAuthorizerSettings({ ...this.settings, routes: this.registry.routes }).files,
    );
    const constrained = senderConstraints(this.senderConstraint);
    if (constrained.length > 0) {
      Annotations.of(this).addWarningV2(
        'bearer-gate:sender-constrained-no-cache',
        `JwtAuthorizer invokes its Lambda for every request: with ${constrained.join(' and ')} its result cache is off ` +
          `(a cached policy would answer a replayed proof or another client certificate). Bearer tokens on the ` +
          `same authorizer pay this too; give them an authorizer of their own if the invocations matter.`,
      );
    }
    const { conflicts } = this.mode();
    if (this.caching === CachingMode.AUTO && conflicts.length > 0) {
      Annotations.of(this).addWarningV2(
        'bearer-gate:per-route-caching',
        `JwtAuthorizer caches decisions per token and route (a REQUEST authorizer), because one token-cached ` +
          `policy cannot tell these routes apart: ${describeConflicts(conflicts)}. Each route a token calls ` +
          `now costs one authorizer invocation per cache TTL. Set caching: CachingMode.ROUTE to acknowledge this.`,
      );
    }
  }

  private unusable(): PropProblem | undefined {
    if (this.registry.routes.length === 0) {
      return {
        prop: 'routes',
        problem: 'is empty: the authorizer has no routes, so it would deny every request',
        fix: 'Protect methods with addRoutes() or addMethod(), or list them in the routes prop.',
      };
    }
    if (this.restApi === undefined && this.protectedMethods().length === 0) {
      return {
        prop: 'routes',
        problem: 'are declared, but no method of any REST API uses the authorizer',
        fix: 'Create the methods with addRoutes() or addMethod(), or pass jwt.authorizer to the methods you create.',
      };
    }
    return undefined;
  }

  /** Decided from the route table; remembered only once the table is final (the code asset is made). */
  private mode(): CachingDecision {
    // DPoP and mutual TLS need the REQUEST event (the proof, the URL, the client certificate); their cache
    // is off (senderConstrainedCacheTtl).
    const decide = (): CachingDecision => {
      const decided = decideCaching(this.registry.routes, this.caching);
      return senderConstraints(this.senderConstraint).length > 0 ? { ...decided, perRoute: true } : decided;
    };
    if (!this.code.materialized) return decide();
    this.decidedMode ??= decide();
    return this.decidedMode;
  }

  /**
   * Every method wired to this authorizer must have declared scopes: a method the route table does not know
   * would be refused by the Lambda (UNDECLARED_ROUTE), whatever the token holds.
   */
  private validateRoutes(): string[] {
    const path = this.node.path;
    const declared = new Set(this.registry.routes.map((r) => describeRoute(r)));
    const errors = this.protectedMethods()
      .filter(({ route }) => !declared.has(route))
      .map(({ method, route }) =>
        propMessage(path, {
          prop: `route ${route}`,
          problem: `is wired to this authorizer (${method.node.path}) but declares no scopes, so the authorizer cannot decide it`,
          fix:
            `Create it with jwt.addMethod(resource, '${method.httpMethod}', integration, { scopes: [...] }) ` +
            'or jwt.addRoutes(...), or list it in the routes prop.',
        }),
      );
    if (this.caching === CachingMode.TOKEN && this.mode().conflicts.length > 0) {
      errors.push(
        propMessage(path, {
          prop: 'caching',
          problem:
            'is CachingMode.TOKEN, but one token-cached policy cannot tell these routes apart: ' +
            describeConflicts(this.mode().conflicts),
          fix:
            'Use CachingMode.ROUTE (or AUTO), or give the routes scopes that nest (a token that may call a ' +
            'route may call the routes its Deny would cover).',
        }),
      );
    }
    return errors;
  }

  /** Lambda refuses a function whose environment exceeds 4 KB; say so at synth, not at deploy. */
  private validateEnvironmentSize(): string[] {
    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    const resolved = Stack.of(this).resolve(cfn.environment) as
      { variables?: Record<string, unknown> } | undefined;
    const variables = resolved?.variables ?? {};
    // Unresolved values (a user pool id, a table name) are counted as their CloudFormation expression.
    const bytes = Object.entries(variables).reduce(
      (n, [k, v]) =>
        n + Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v)),
      0,
    );
    return bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES
      ? []
      : [
          propMessage(this.node.path, {
            prop: 'issuers',
            problem: `make the authorizer's environment ${bytes} bytes, over Lambda's limit of ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}`,
            fix: 'Trust fewer issuers or audiences per authorizer.',
          }),
        ];
  }
}
