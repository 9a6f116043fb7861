// The construct's monitoring: metric…() methods that find exactly what the Lambda writes (checked by running the
// authorizer with the environment the construct renders), the opt-in alarms with their thresholds and actions,
// the opt-in dashboard, and props that would do nothing or name a namespace CloudWatch refuses.
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuthorizerDecision,
  AuthorizerMetric,
  AuthorizerMonitoring,
  DECISION_REASONS,
  Issuer,
  JwksSeed,
  JwtAuthorizer,
  type JwtAuthorizerProps,
} from '../../infra/constructs';
import { createAuthorizer, parseConfig } from '../../lambda/authorizer';
import { allMetrics } from '../support/emf';
import { claims, createKey, signToken } from '../support/keys';
import { API_ARN, startHarness, tokenEvent, type Harness } from '../authorizer/harness';
import { fastApp } from './synth-context';

const ISSUER = 'https://auth.example.com/';
const ROUTES = [{ method: 'GET' as const, path: '/items', scopes: ['items:read'] }];

/** A stack with one JwtAuthorizer, `Shop/Auth`, protecting GET /items; `props` may make resources in the stack. */
function build(props: Partial<JwtAuthorizerProps> | ((stack: Stack) => Partial<JwtAuthorizerProps>) = {}) {
  const stack = new Stack(fastApp(), 'Shop');
  const jwt = new JwtAuthorizer(stack, 'Auth', {
    issuers: [
      Issuer.oidc(ISSUER, {
        audience: ['https://api.example.com'],
        jwksUri: 'https://auth.example.com/keys',
      }),
    ],
    ...(typeof props === 'function' ? props(stack) : props),
  });
  jwt.addRoutes(
    new apigw.RestApi(stack, 'Api', { deploy: false }),
    ROUTES,
    () => new apigw.MockIntegration(),
  );
  return { stack, jwt };
}

const alarmOf = (template: Template, id: string) => {
  const [alarm] = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([logical]) =>
    logical.includes(id),
  );
  if (alarm === undefined) throw new Error(`no alarm ${id}`);
  return alarm[1].Properties as Record<string, unknown>;
};

describe('metric…() methods', () => {
  test('the default namespace, the construct path as service, each count summed and each latency averaged over 5 minutes', () => {
    const { stack, jwt } = build();
    const expired = jwt.metricDecisions(AuthorizerDecision.UNAUTHORIZED, 'TOKEN_EXPIRED');
    expect([expired.namespace, expired.metricName, expired.dimensions, expired.statistic]).toEqual([
      'BearerGate',
      'Unauthorized',
      { service: 'Shop/Auth', reason: 'TOKEN_EXPIRED' },
      'Sum',
    ]);
    expect(expired.period.toMinutes()).toBe(5);
    const unavailable = jwt.metricDecisions(AuthorizerDecision.UNAVAILABLE);
    expect([unavailable.metricName, unavailable.dimensions]).toEqual([
      'Unavailable',
      { service: 'Shop/Auth' },
    ]);
    const latency = jwt.metric(AuthorizerMetric.JWKS_FETCH_LATENCY, { statistic: 'p99' });
    expect([latency.metricName, latency.dimensions, latency.statistic]).toEqual([
      'JwksFetchLatency',
      { service: 'Shop/Auth' },
      'p99',
    ]);
    expect(jwt.metric(AuthorizerMetric.DECISION_LATENCY).statistic).toBe('Average');
    const cold = jwt.metricColdStarts();
    expect(stack.resolve(cold.dimensions)).toEqual({
      service: 'Shop/Auth',
      function_name: { Ref: expect.stringMatching(/^AuthHandlerFunction/) },
    });
    // Nothing is created unless asked for.
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  test.each([
    [AuthorizerDecision.UNAUTHORIZED, 'ALLOWED', 'Unauthorized'],
    [AuthorizerDecision.DENY, 'TOKEN_EXPIRED', 'Denied'],
    [AuthorizerDecision.ALLOW, 'token_expired', 'Allowed'],
  ])('%s decisions have no reason %p: refused, naming the reasons they have', (decision, reason, metric) => {
    const { jwt } = build();
    const reasons = DECISION_REASONS[decision as keyof typeof DECISION_REASONS].join(', ');
    expect(() => jwt.metricDecisions(decision, reason)).toThrow(
      `Shop/Auth/Monitoring: reason is not a reason of ${metric} decisions; got "${reason}". Use one of ${reasons}.`,
    );
  });

  describe('find what the Lambda writes', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());

    test('the environment the construct renders makes the authorizer write exactly these metrics', async () => {
      const { stack, jwt } = build({
        monitoring: { metricsNamespace: 'Shop/Auth', serviceName: 'shop-authorizer' },
      });
      const fn = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { ROUTES_FILE: 'routes.json' } } },
      });
      const variables = Object.values(fn)[0]!.Properties.Environment.Variables as Record<string, string>;
      // The construct's metric settings, with the harness's issuer and routes (the Lambda's other settings).
      const authorizer = createAuthorizer(
        parseConfig(
          h.env({
            POWERTOOLS_METRICS_NAMESPACE: variables.POWERTOOLS_METRICS_NAMESPACE!,
            POWERTOOLS_SERVICE_NAME: variables.POWERTOOLS_SERVICE_NAME!,
          }),
        ),
        { fetcher: h.fetcher },
      );
      await authorizer.ready;
      h.logs.length = 0;
      await authorizer.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims())}`) as never, {
        requestId: 'r',
        functionName: 'fn',
        traceId: undefined,
      });
      await authorizer
        .authorize({
          type: 'TOKEN',
          authorizationToken: 'Basic x',
          methodArn: `${API_ARN}/GET/items`,
        } as never)
        .catch(() => undefined);
      const written = allMetrics(h.logs).map((m) => JSON.stringify([m.namespace, m.name, m.dimensions]));
      const asked = [
        jwt.metricDecisions(AuthorizerDecision.ALLOW),
        jwt.metricDecisions(AuthorizerDecision.ALLOW, 'ALLOWED'),
        jwt.metricDecisions(AuthorizerDecision.UNAUTHORIZED, 'MALFORMED_HEADER'),
        jwt.metric(AuthorizerMetric.DECISION_LATENCY),
        jwt.metric(AuthorizerMetric.POLICY_RESOURCES),
      ].map((m) => JSON.stringify([m.namespace, m.metricName, m.dimensions]));
      for (const metric of asked) expect(written).toContain(metric);
      // ColdStart's function_name is the function's own name, which Lambda gives the handler.
      expect(written).toContain(
        JSON.stringify(['Shop/Auth', 'ColdStart', { service: 'shop-authorizer', function_name: 'fn' }]),
      );
    });
  });
});

describe('alarms', () => {
  test('opt-in: six alarms, each to the app topic when it fires and when it recovers', () => {
    const { stack, jwt } = build((scope) => ({
      monitoring: {
        alarms: true,
        alarmActions: [new actions.SnsAction(new sns.Topic(scope, 'OnCall'))],
        serviceName: 'orders',
      },
    }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    expect(jwt.monitoring.alarms).toHaveLength(6);
    const topicRef = { Ref: expect.stringMatching(/^OnCall/) };
    const common = {
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    };
    expect(alarmOf(template, 'AuthMonitoringJwksUnavailable')).toMatchObject({
      ...common,
      Namespace: 'BearerGate',
      MetricName: 'Unavailable',
      Dimensions: [
        { Name: 'reason', Value: 'JWKS_UNAVAILABLE' },
        { Name: 'service', Value: 'orders' },
      ],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
    });
    expect(alarmOf(template, 'AuthMonitoringJwksFetchFailing')).toMatchObject({
      ...common,
      MetricName: 'JwksFetchFailures',
      Dimensions: [{ Name: 'service', Value: 'orders' }],
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    const faults = alarmOf(template, 'AuthMonitoringAuthorizerFaults');
    expect(faults).toMatchObject({ ...common, EvaluationPeriods: 1 });
    expect(faults.Metrics).toEqual([
      expect.objectContaining({ Expression: 'FILL(internal, 0) + FILL(invalidEvent, 0)', ReturnData: true }),
      expect.objectContaining({
        Id: 'internal',
        MetricStat: expect.objectContaining({
          Metric: expect.objectContaining({
            MetricName: 'Unavailable',
            Dimensions: [
              { Name: 'reason', Value: 'INTERNAL' },
              { Name: 'service', Value: 'orders' },
            ],
          }),
        }),
        ReturnData: false,
      }),
      expect.objectContaining({ Id: 'invalidEvent' }),
    ]);
    const fnDimension = [
      { Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^AuthHandlerFunction/) } },
    ];
    expect(alarmOf(template, 'AuthMonitoringThrottles')).toMatchObject({
      ...common,
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: fnDimension,
    });
    expect(alarmOf(template, 'AuthMonitoringInitFailing')).toMatchObject({
      ...common,
      Namespace: 'BearerGate',
      MetricName: 'InitFailures',
      Dimensions: [{ Name: 'service', Value: 'orders' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
    });
    // The function's timeout is the construct's default, 5 s: an invocation at 95% of it or more.
    expect(alarmOf(template, 'AuthMonitoringTimeouts')).toMatchObject({
      ...common,
      Threshold: 4750,
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Dimensions: fnDimension,
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
    });
  });

  test("the timeouts alarm follows the function's timeout", () => {
    const { stack } = build({ timeout: Duration.seconds(12), monitoring: { alarms: true } });
    expect(alarmOf(Template.fromStack(stack), 'Timeouts')).toMatchObject({
      MetricName: 'Duration',
      Threshold: 11400,
    });
  });

  test('with a DPoP replay table: the DPoP store alarm counts both of its 503 reasons', () => {
    const { stack } = build((scope) => ({
      dpop: { replayTable: dynamodb.Table.fromTableName(scope, 'Proofs', 'proofs'), nonces: true },
      monitoring: { alarms: true },
    }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    const store = alarmOf(template, 'DpopStoreUnavailable');
    expect(store).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(store.Metrics).toEqual([
      expect.objectContaining({ Expression: 'FILL(replay, 0) + FILL(nonceKey, 0)', ReturnData: true }),
      ...[
        ['replay', 'DPOP_REPLAY_UNAVAILABLE'],
        ['nonceKey', 'DPOP_NONCE_KEY_UNAVAILABLE'],
      ].map(([id, reason]) =>
        expect.objectContaining({
          Id: id,
          MetricStat: expect.objectContaining({
            Metric: expect.objectContaining({
              MetricName: 'Unavailable',
              Dimensions: [
                { Name: 'reason', Value: reason },
                { Name: 'service', Value: 'Shop/Auth' },
              ],
            }),
            Period: 300,
            Stat: 'Sum',
          }),
          ReturnData: false,
        }),
      ),
    ]);
  });

  test('with every feature on, every reason a 503 can have wakes someone through one alarm', () => {
    const key = createKey('ES256');
    const { stack } = build((scope) => ({
      revocationTable: dynamodb.Table.fromTableName(scope, 'Revocations', 'revocations'),
      dpop: { replayTable: dynamodb.Table.fromTableName(scope, 'Proofs', 'proofs'), nonces: true },
      jwksSeed: JwksSeed.fromObject({
        'https://auth.example.com/keys': { keys: [key.jwk], fetchedAt: new Date().toISOString() },
      }),
      monitoring: { alarms: true },
    }));
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(9);
    // The Unavailable reasons each alarm counts, read from the template: a plain metric or a math expression's.
    const counted = alarms.flatMap(({ Properties: p }) => {
      const metrics = (p.Metrics as { MetricStat?: { Metric: Record<string, unknown> } }[] | undefined)?.map(
        (m) => m.MetricStat?.Metric,
      ) ?? [p];
      return metrics
        .filter((m) => m !== undefined && m.MetricName === 'Unavailable')
        .map(
          (m) => (m!.Dimensions as { Name: string; Value: string }[]).find((d) => d.Name === 'reason')!.Value,
        );
    });
    expect([...counted].sort()).toEqual([...DECISION_REASONS.error].sort());
  });

  test('with a revocation table and a JWKS seed: their alarms, and the revocation row of the dashboard', () => {
    const key = createKey('ES256');
    const { stack } = build((scope) => ({
      revocationTable: dynamodb.Table.fromTableName(scope, 'Revocations', 'revocations'),
      jwksSeed: JwksSeed.fromObject({
        'https://auth.example.com/keys': { keys: [key.jwk], fetchedAt: new Date().toISOString() },
      }),
      monitoring: { alarms: true, dashboard: true },
    }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    expect(alarmOf(template, 'RevocationUnavailable')).toMatchObject({
      MetricName: 'Unavailable',
      Dimensions: [
        { Name: 'reason', Value: 'REVOCATION_UNAVAILABLE' },
        { Name: 'service', Value: 'Shop/Auth' },
      ],
      Threshold: 1,
    });
    expect(alarmOf(template, 'JwksSeedExpired')).toMatchObject({
      MetricName: 'JwksSeedExpired',
      Threshold: 1,
    });
    expect(alarmOf(template, 'JwksUnavailable')).not.toHaveProperty('AlarmActions');
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('\\"title\\":\\"Revocation lookups\\"');
    expect(body).toContain('\\"title\\":\\"Revocation latency (ms)\\"');
  });
});

describe('the dashboard', () => {
  test('opt-in: one dashboard with the decisions, reasons, keys, policy size, revocation and the alarms', () => {
    const { stack } = build({
      monitoring: { dashboard: true, dashboardName: 'shop-auth', alarms: true },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'shop-auth' });
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const title of [
      'Decisions',
      'Decision latency (ms)',
      'Unauthorized (401) by reason',
      'Denied (403) by reason',
      'Unavailable (503) by reason',
      'Signing keys',
      'Policy resources',
      'Alarms',
    ]) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
    // Every reason of every refusal has its line.
    const { deny, unauthorized, error } = DECISION_REASONS;
    for (const reason of [...deny, ...unauthorized, ...error]) expect(body).toContain(`\\"${reason}\\"`);
    expect(body).not.toContain('Revocation lookups');
    // The failures no decision counts: inits that failed, and invocations near their timeout.
    expect(body).toContain('\\"InitFailures\\"');
    expect(body).toContain('\\"Lambda Duration Maximum\\"');
  });
});

describe('props that cannot work', () => {
  test.each<[string, Partial<JwtAuthorizerProps>, string]>([
    [
      'alarm actions without alarms',
      { monitoring: { alarmActions: [] } },
      'Shop/Auth: monitoring.alarmActions is set without alarms: true, so it would do nothing. Set alarms: true.',
    ],
    [
      'a dashboard name without a dashboard',
      { monitoring: { dashboardName: 'x' } },
      'Shop/Auth: monitoring.dashboardName is set without dashboard: true, so it would do nothing. Set dashboard: true.',
    ],
    [
      "AWS's own namespace",
      { monitoring: { metricsNamespace: 'AWS/Lambda' } },
      'Shop/Auth: monitoring.metricsNamespace must be 1 to 255 letters, digits, spaces or . _ - / # : @ + =, not starting with "AWS/"; got "AWS/Lambda". Use a namespace of your own, e.g. "MyCompany/Auth".',
    ],
    [
      'a service name with a quote',
      { monitoring: { serviceName: 'orders"' } },
      'Shop/Auth: monitoring.serviceName must be 1 to 255 letters, digits, spaces or . _ - / # : @ + =, not starting with "AWS/"; got "orders"". Pass monitoring.serviceName, e.g. "orders-authorizer".',
    ],
  ])('%s is refused, naming the prop and the fix', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('a construct id CloudWatch cannot take as a service name asks for serviceName', () => {
    const stack = new Stack(fastApp(), 'Shop');
    expect(
      () =>
        new JwtAuthorizer(stack, 'Autorisierung für Bestellungen', {
          issuers: [Issuer.oidc(ISSUER, { audience: ['api'] })],
        }),
    ).toThrow(
      'Shop/Autorisierung für Bestellungen: monitoring.serviceName must be 1 to 255 letters, digits, spaces or . _ - / # : @ + =, not starting with "AWS/"; got "Shop/Autorisierung für Bestellungen". Pass monitoring.serviceName, e.g. "orders-authorizer".',
    );
  });
});

test('AuthorizerMonitoring on its own watches a function deployed otherwise, with the Lambda defaults', () => {
  const stack = new Stack(fastApp(), 'Sam');
  const fn = lambda.Function.fromFunctionArn(
    stack,
    'Fn',
    'arn:aws:lambda:eu-west-1:123456789012:function:sam-authorizer',
  );
  const monitoring = new AuthorizerMonitoring(stack, 'Monitoring', {
    function: fn,
    alarms: true,
    dashboard: true,
  });
  expect([monitoring.metricsNamespace, monitoring.serviceName]).toEqual(['BearerGate', 'authorizer']);
  expect(monitoring.metricColdStarts().dimensions).toEqual({
    service: 'authorizer',
    function_name: 'sam-authorizer',
  });
  const template = Template.fromStack(stack);
  // No timeout given: no timeouts alarm. The other four, and the init failures under the Lambda defaults.
  template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'Throttles',
    Dimensions: [{ Name: 'FunctionName', Value: 'sam-authorizer' }],
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'BearerGate',
    MetricName: 'InitFailures',
    Dimensions: [{ Name: 'service', Value: 'authorizer' }],
  });
  const withTimeout = new AuthorizerMonitoring(stack, 'Timed', {
    function: fn,
    alarms: true,
    timeout: Duration.seconds(5),
  });
  expect(withTimeout.alarms).toHaveLength(6);
  template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  expect(monitoring.dashboard).toBeInstanceOf(cloudwatch.Dashboard);
  // Its props are checked as JwtAuthorizer's, every problem at once, each naming its path and the prop.
  expect(
    () =>
      new AuthorizerMonitoring(stack, 'Stray', {
        function: fn,
        alarmActions: [],
        dashboardName: 'x',
        serviceName: 'AWS/x',
      }),
  ).toThrow(
    [
      'Sam/Stray: alarmActions is set without alarms: true, so it would do nothing. Set alarms: true.',
      'Sam/Stray: dashboardName is set without dashboard: true, so it would do nothing. Set dashboard: true.',
      'Sam/Stray: serviceName must be 1 to 255 letters, digits, spaces or . _ - / # : @ + =, not starting with "AWS/"; got "AWS/x". Use the function\'s POWERTOOLS_SERVICE_NAME.',
    ].join('\n'),
  );
});
