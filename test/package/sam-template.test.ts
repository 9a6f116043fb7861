// The SAM template the package ships (sam/template.yaml) for users without CDK: it parses, every reference
// in it names something the template declares, its parameters' defaults pass their own constraints, and the
// environment it gives the function is what parseConfig reads, and its opt-in alarms are exactly those
// AuthorizerMonitoring synthesizes for the same function. That its CodeUri is in the packed package is
// checked by pack.test.ts.
import { X509Certificate } from 'node:crypto';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template as CdkTemplate } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { join, resolve } from 'node:path';
import { AuthorizerMonitoring, FUNCTION_RUNTIME } from '../../infra/constructs';
import { AUTHORIZER_BUNDLES, AUTHORIZER_HANDLER } from '../../infra/constructs/authorizer-bundle';
import { JWKS_WARM_UP_MODES } from '../../lambda/contract/authorizer-settings';
import { ConfigError, parseConfig, parseLogLevel, type ConfigFiles } from '../../lambda/authorizer';
import { createKey } from '../support/keys';
import { createPrivateCa } from '../support/private-ca';
import { fastApp } from '../infra/synth-context';
import { readTemplate, type Template } from './cloudformation-yaml';

const ROOT = resolve(__dirname, '..', '..');
const template: Template = readTemplate(join(ROOT, 'sam', 'template.yaml'));
const fn = template.Resources.AuthorizerFunction?.Properties ?? {};

/** Every name a Ref, a GetAtt or a ${...} in a Sub refers to. */
function references(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) references(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') found.push(value);
      else if (key === 'Fn::GetAtt' && Array.isArray(value)) found.push(String(value[0]));
      else if (key === 'Fn::Sub' && typeof value === 'string') {
        for (const [, name] of value.matchAll(/\$\{([^}.!]+)[^}]*\}/g)) found.push(name ?? '');
      } else references(value, found);
    }
  }
  return found;
}

/** The stack name the environment tests deploy under (the README's example). */
const STACK_NAME = 'orders-authorizer';
/** The name CloudFormation gives the function, for `Ref: AuthorizerFunction`. */
const FUNCTION_NAME = 'orders-authorizer-AuthorizerFunction-1A2B3C';

/** AWS::NoValue: the member or element that holds it is left out. */
const NO_VALUE = Symbol('AWS::NoValue');

const INTRINSICS = new Set([
  'Ref',
  'Condition',
  'Fn::If',
  'Fn::Not',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Sub',
]);

/**
 * A part of the template as CloudFormation resolves it with `parameters` (and the defaults for the rest): Ref
 * to a parameter, AuthorizerFunction, AWS::StackName or AWS::NoValue; Fn::If, Fn::Not, Fn::Equals, Fn::And,
 * Fn::Or and Condition on the template's conditions; Fn::Sub with a variable map. Anything else fails the test.
 */
function resolved(node: unknown, parameters: Record<string, string>): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => resolved(item, parameters)).filter((item) => item !== NO_VALUE);
  }
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>);
  const [first] = entries;
  if (entries.length !== 1 || first === undefined || !INTRINSICS.has(first[0])) {
    return Object.fromEntries(
      entries
        .map(([key, value]) => [key, resolved(value, parameters)] as const)
        .filter(([, value]) => value !== NO_VALUE),
    );
  }
  const [fn, arg] = first;
  const args = arg as unknown[];
  const condition = (name: unknown): boolean =>
    resolved(template.Conditions?.[name as string], parameters) as boolean;
  switch (fn) {
    case 'Ref': {
      if (arg === 'AWS::StackName') return STACK_NAME;
      if (arg === 'AWS::NoValue') return NO_VALUE;
      if (arg === 'AuthorizerFunction') return FUNCTION_NAME;
      const given = parameters[arg as string] ?? template.Parameters[arg as string]?.Default;
      if (given === undefined) throw new Error(`parameter ${String(arg)} has no value and no default`);
      return String(given);
    }
    case 'Condition':
      return condition(arg);
    case 'Fn::If':
      return resolved(condition(args[0]) ? args[1] : args[2], parameters);
    case 'Fn::Not':
      return !resolved(args[0], parameters);
    case 'Fn::Equals':
      return resolved(args[0], parameters) === resolved(args[1], parameters);
    case 'Fn::And':
      return args.every((a) => resolved(a, parameters) === true);
    case 'Fn::Or':
      return args.some((a) => resolved(a, parameters) === true);
    case 'Fn::Sub': {
      const [text, variables] = args as [string, Record<string, unknown>];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (!Object.hasOwn(variables, name)) throw new Error(`the test cannot resolve \${${name}}`);
        return String(resolved(variables[name], parameters));
      });
    }
    default:
      throw new Error(`the test cannot resolve ${fn}`);
  }
}

/** The function's environment as deployed with `parameters` (and the defaults for the rest). */
function deployedEnvironment(parameters: Record<string, string>): Record<string, string> {
  const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, String(resolved(value, parameters))]),
  );
}

/** The resources deployed with `parameters`: those whose condition holds, their properties resolved. */
function deployedResources(parameters: Record<string, string>, type: string): Record<string, unknown>[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === type)
    .filter((r) => r.Condition === undefined || resolved({ Condition: r.Condition }, parameters) === true)
    .map((r) => resolved(r.Properties, parameters) as Record<string, unknown>);
}

test('is a SAM template with one function, its log group, the invoke permission and opt-in alarms', () => {
  expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
  expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
  expect(Object.fromEntries(Object.entries(template.Resources).map(([id, r]) => [id, r.Type]))).toEqual({
    AuthorizerFunction: 'AWS::Serverless::Function',
    AuthorizerLogGroup: 'AWS::Logs::LogGroup',
    ApiGatewayInvokePermission: 'AWS::Lambda::Permission',
    JwksUnavailableAlarm: 'AWS::CloudWatch::Alarm',
    JwksFetchFailingAlarm: 'AWS::CloudWatch::Alarm',
    AuthorizerFaultsAlarm: 'AWS::CloudWatch::Alarm',
    InitFailingAlarm: 'AWS::CloudWatch::Alarm',
    TimeoutsAlarm: 'AWS::CloudWatch::Alarm',
    ThrottlesAlarm: 'AWS::CloudWatch::Alarm',
    JwksSeedExpiredAlarm: 'AWS::CloudWatch::Alarm',
  });
  expect(template.Outputs.AuthorizerFunctionArn?.Value).toEqual({
    'Fn::GetAtt': ['AuthorizerFunction', 'Arn'],
  });
});

test('deploys the prebuilt bundle without revocation, on the runtime and with the handler it is built for', () => {
  expect(fn).toMatchObject({
    CodeUri: `../dist/bundles/${AUTHORIZER_BUNDLES.plain.dir}`,
    Handler: AUTHORIZER_HANDLER,
    Runtime: FUNCTION_RUNTIME.name,
    Layers: [{ Ref: 'RoutesLayerArn' }],
  });
});

test('every reference names a parameter, a resource or a pseudo parameter', () => {
  const declared = new Set([...Object.keys(template.Parameters), ...Object.keys(template.Resources)]);
  const unknown = references(template).filter((name) => !declared.has(name) && !name.startsWith('AWS::'));
  expect(unknown).toEqual([]);
  expect(new Set(references(template))).toEqual(
    new Set([
      ...Object.keys(template.Parameters),
      'AuthorizerFunction',
      'AWS::Partition',
      'AWS::Region',
      'AWS::AccountId',
      'AWS::StackName',
      'AWS::NoValue',
    ]),
  );
  // Every condition a resource or another condition names is declared.
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const named = [
    ...Object.values(template.Resources).flatMap((r) => (r.Condition === undefined ? [] : [r.Condition])),
    ...JSON.stringify(template).matchAll(/"Condition":"([^"]+)"/g),
  ].map((m) => (typeof m === 'string' ? m : m[1]!));
  expect(named.filter((name) => !conditions.has(name))).toEqual([]);
});

test.each(Object.entries(template.Parameters).filter(([, p]) => p.Default !== undefined))(
  "parameter %s's default passes its own constraints",
  (_name, parameter) => {
    const value = parameter.Default;
    if (parameter.AllowedValues !== undefined) expect(parameter.AllowedValues).toContain(value);
    if (parameter.MinValue !== undefined) expect(Number(value)).toBeGreaterThanOrEqual(parameter.MinValue);
    if (parameter.MaxValue !== undefined) expect(Number(value)).toBeLessThanOrEqual(parameter.MaxValue);
    if (parameter.AllowedPattern !== undefined)
      expect(String(value)).toMatch(new RegExp(parameter.AllowedPattern));
  },
);

test('LogLevel allows exactly the levels the authorizer knows', () => {
  const levels = template.Parameters.LogLevel?.AllowedValues as string[];
  expect(levels.map((level) => parseLogLevel(level))).toEqual(levels);
  expect(() => parseLogLevel('verbose')).toThrow(
    `LOG_LEVEL must be one of ${levels.join(', ')}; got "verbose"`,
  );
});

test('JwksWarmUp allows exactly the modes the authorizer knows, and the default is its own', () => {
  const modes = template.Parameters.JwksWarmUp?.AllowedValues as string[];
  expect(modes).toEqual([...JWKS_WARM_UP_MODES]);
  expect(template.Parameters.JwksWarmUp?.Default).toBe(
    parseConfig({
      ISSUER: 'https://a.example/',
      AUDIENCE: 'x',
      ROUTES: '[{"method":"GET","path":"/a","scopes":[]}]',
    }).jwksWarmUp,
  );
});

describe('the environment it deploys is what parseConfig reads', () => {
  const ROUTES = [{ method: 'GET', path: '/orders', scopes: ['orders:read'] }];
  // The layer's files, as the function sees them under /opt.
  const layer: ConfigFiles = {
    read: (path) => {
      if (path !== '/opt/routes.json') throw new Error(`ENOENT: no such file, open '${path}'`);
      return JSON.stringify(ROUTES);
    },
  };
  const required = {
    Issuer: 'https://example.eu.auth0.com/',
    Audience: 'https://orders.example.com,orders-cli',
    RoutesLayerArn: 'arn:aws:lambda:eu-west-1:123456789012:layer:orders-routes:1',
  };

  test('with the required parameters and the defaults', () => {
    const config = parseConfig(deployedEnvironment(required), layer);
    expect(config.issuers).toEqual([
      {
        issuer: 'https://example.eu.auth0.com/',
        audience: ['https://orders.example.com', 'orders-cli'],
        // JwksUri left empty: OIDC discovery finds it at cold start.
        jwksUri: null,
      },
    ]);
    expect(config.routes).toEqual(ROUTES);
    expect(config).toMatchObject({
      tokenTypes: null,
      logLevel: 'info',
      jwksWarmUp: 'auto',
      revocation: null,
      jwksSeed: null,
      trustedCa: null,
      // Metrics under the default namespace, by the stack's name.
      metricsNamespace: 'BearerGate',
      serviceName: STACK_NAME,
    });
  });

  test('a JWKS seed and a private CA in the layer', async () => {
    const key = createKey('ES256');
    const pki = await createPrivateCa();
    const files: Record<string, string> = {
      '/opt/routes.json': JSON.stringify(ROUTES),
      '/opt/jwks-seed.json': JSON.stringify({ 'https://keys.example.com/jwks': { keys: [key.jwk] } }),
      '/opt/trusted-ca.pem': pki.ca.cert,
    };
    const withFiles: ConfigFiles = {
      read: (path) => {
        const text = files[path];
        if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
        return text;
      },
    };
    const config = parseConfig(
      deployedEnvironment({
        ...required,
        JwksUri: 'https://keys.example.com/jwks',
        JwksSeedFile: '/opt/jwks-seed.json',
        TrustedCaFile: '/opt/trusted-ca.pem',
      }),
      withFiles,
    );
    expect(config.jwksSeed?.entries.map((e) => [e.jwksUri, e.jwks.keys])).toEqual([
      ['https://keys.example.com/jwks', [key.jwk]],
    ]);
    expect(config.trustedCa).toEqual({
      file: '/opt/trusted-ca.pem',
      certificates: [new X509Certificate(pki.ca.cert).toString()],
    });
  });

  test('with every optional parameter', () => {
    const config = parseConfig(
      deployedEnvironment({
        ...required,
        JwksUri: 'https://keys.example.com/jwks',
        TokenTypes: 'at+jwt',
        LogLevel: 'debug',
        MetricsNamespace: 'Orders/Edge',
        ServiceName: 'orders-api',
        JwksWarmUp: 'init',
      }),
      layer,
    );
    expect(config.issuers[0]?.jwksUri).toBe('https://keys.example.com/jwks');
    expect(config).toMatchObject({
      tokenTypes: ['at+jwt'],
      logLevel: 'debug',
      jwksWarmUp: 'init',
      metricsNamespace: 'Orders/Edge',
      serviceName: 'orders-api',
    });
  });

  test('a RoutesFile the layer does not have fails at init, naming ROUTES_FILE', () => {
    const env = deployedEnvironment({ ...required, RoutesFile: '/opt/other.json' });
    let thrown: unknown;
    try {
      parseConfig(env, layer);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect({ variable: (thrown as ConfigError).variable, message: (thrown as ConfigError).message }).toEqual({
      variable: 'ROUTES_FILE',
      message: `ROUTES_FILE: names "/opt/other.json", which cannot be read: ENOENT: no such file, open '/opt/other.json'`,
    });
  });
});

test.each([
  ['MetricsNamespace', 'AWS/Lambda', false],
  ['MetricsNamespace', 'Orders/Edge', true],
  ['ServiceName', '', true],
  ['ServiceName', 'orders api:v2', true],
  ['ServiceName', 'orders|api', false],
])('parameter %s allows "%s": %s, as the authorizer does', (name, value, allowed) => {
  const pattern = new RegExp(template.Parameters[name]?.AllowedPattern ?? '');
  expect(pattern.test(value)).toBe(allowed);
  // The empty service name means the stack's; any other value is what the function gets.
  if (value === '' && name === 'ServiceName') return;
  const variable = name === 'MetricsNamespace' ? 'POWERTOOLS_METRICS_NAMESPACE' : 'POWERTOOLS_SERVICE_NAME';
  const env = {
    ISSUER: 'https://a.example/',
    AUDIENCE: 'x',
    ROUTES: JSON.stringify([{ method: 'GET', path: '/orders', scopes: ['orders:read'] }]),
    [variable]: value,
  };
  let refused: string | undefined;
  try {
    parseConfig(env, { read: () => '' });
  } catch (error) {
    refused = error instanceof ConfigError ? error.variable : String(error);
  }
  expect(refused).toBe(allowed ? undefined : variable);
});

describe("the alarms are the construct's for this function", () => {
  const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:on-call';
  const required = {
    Issuer: 'https://example.eu.auth0.com/',
    Audience: 'https://orders.example.com',
    RoutesLayerArn: 'arn:aws:lambda:eu-west-1:123456789012:layer:orders-routes:1',
  };

  /** The alarms of an AuthorizerMonitoring for the same function, as synthesized. */
  function constructAlarms(props: {
    namespace: string;
    service: string;
    topic?: string;
    jwksSeed: boolean;
  }): Record<string, unknown>[] {
    const stack = new Stack(fastApp(), 'Monitoring');
    const fnRef = lambda.Function.fromFunctionArn(
      stack,
      'Fn',
      `arn:aws:lambda:eu-west-1:123456789012:function:${FUNCTION_NAME}`,
    );
    new AuthorizerMonitoring(stack, 'Auth', {
      function: fnRef,
      alarms: true,
      metricsNamespace: props.namespace,
      serviceName: props.service,
      jwksSeed: props.jwksSeed,
      timeout: Duration.seconds(fn.Timeout as number),
      ...(props.topic === undefined
        ? {}
        : { alarmActions: [new actions.SnsAction(sns.Topic.fromTopicArn(stack, 'Topic', props.topic))] }),
    });
    return Object.values(CdkTemplate.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(
      (r) => r.Properties as Record<string, unknown>,
    );
  }

  /** Alarms in a stable order: by their metric, or their expression. */
  const sorted = (alarms: Record<string, unknown>[]) =>
    [...alarms].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  test('off by default', () => {
    expect(deployedResources(required, 'AWS::CloudWatch::Alarm')).toEqual([]);
  });

  test('Alarms=true with a topic, a seed and names of its own: the same seven alarms, to the topic', () => {
    const deployed = deployedResources(
      {
        ...required,
        Alarms: 'true',
        AlarmTopicArn: TOPIC,
        JwksSeedFile: '/opt/jwks-seed.json',
        MetricsNamespace: 'Orders/Edge',
        ServiceName: 'orders-api',
      },
      'AWS::CloudWatch::Alarm',
    );
    expect(deployed).toHaveLength(7);
    expect(sorted(deployed)).toEqual(
      sorted(
        constructAlarms({ namespace: 'Orders/Edge', service: 'orders-api', topic: TOPIC, jwksSeed: true }),
      ),
    );
  });

  test('Alarms=true alone: six alarms under the defaults, by the stack name, notifying no one', () => {
    const deployed = deployedResources({ ...required, Alarms: 'true' }, 'AWS::CloudWatch::Alarm');
    expect(deployed).toHaveLength(6);
    expect(deployed.filter((a) => 'AlarmActions' in a || 'OKActions' in a)).toEqual([]);
    expect(sorted(deployed)).toEqual(
      sorted(constructAlarms({ namespace: 'BearerGate', service: STACK_NAME, jwksSeed: false })),
    );
  });

  test('a topic alone turns the alarms on, to the topic', () => {
    const deployed = deployedResources({ ...required, AlarmTopicArn: TOPIC }, 'AWS::CloudWatch::Alarm');
    expect(sorted(deployed)).toEqual(
      sorted(
        constructAlarms({ namespace: 'BearerGate', service: STACK_NAME, topic: TOPIC, jwksSeed: false }),
      ),
    );
  });

  test.each([
    [TOPIC, true],
    // A FIFO topic needs a message group id, which CloudWatch's alarm actions do not send.
    [`${TOPIC}.fifo`, false],
    ['', true],
    ['arn:aws:sqs:eu-west-1:123456789012:queue', false],
    ['on-call', false],
  ])('AlarmTopicArn allows "%s": %s', (value, allowed) => {
    expect(new RegExp(template.Parameters.AlarmTopicArn?.AllowedPattern ?? '').test(value)).toBe(allowed);
  });
});
