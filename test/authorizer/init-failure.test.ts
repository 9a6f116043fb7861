// A failed init: the handler modules write one structured line that says why (code INVALID_CONFIG or
// INIT_FAILED) and counts in InitFailures, then rethrow, so the init still fails. Each line is read as CloudWatch
// would (test/support/emf.ts checks it against the EMF specification); the deployed bundles are imported in
// fresh processes with a broken configuration, as Lambda imports them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AUTHORIZER_BUNDLE_FILE, authorizerBundleDir } from '../../infra/constructs/authorizer-bundle';
import { ConfigError, NO_CONFIG_FILES, parseConfig, setLogSink } from '../../lambda/authorizer';
import { initialized, reportInitFailure } from '../../lambda/authorizer/init-failure';
import { allMetrics } from '../support/emf';

const ROUTES_JSON = JSON.stringify([{ method: 'GET', path: '/items', scopes: ['items:read'] }]);

/** A configuration parseConfig refuses: AUDIENCE without ISSUER. */
const BROKEN = { AUDIENCE: 'https://api.test', ROUTES: ROUTES_JSON };

/** The lines written while `run` runs, and what it threw. */
function capture(run: () => void): { lines: string[]; thrown: unknown } {
  const lines: string[] = [];
  const restore = setLogSink((line) => lines.push(line));
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  } finally {
    restore();
  }
  return { lines, thrown };
}

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env, NO_CONFIG_FILES);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parseConfig accepted the environment');
}

/** Every member of a line but its timestamps (the line's and the EMF document's). */
function withoutTimes(line: string): Record<string, unknown> {
  const { timestamp, _aws, ...rest } = JSON.parse(line) as Record<string, unknown>;
  expect(typeof timestamp === 'string' || timestamp === undefined).toBe(true);
  const { Timestamp, ...directives } = _aws as Record<string, unknown>;
  expect(typeof Timestamp).toBe('number');
  return { ...rest, _aws: directives };
}

const initFailures = (namespace: string) => ({
  CloudWatchMetrics: [
    { Namespace: namespace, Dimensions: [['service']], Metrics: [{ Name: 'InitFailures', Unit: 'Count' }] },
  ],
});

describe('reportInitFailure', () => {
  test('a ConfigError: one error line with its code, variable and message, counting 1 in InitFailures', () => {
    const error = configErrorOf(BROKEN);
    const { lines } = capture(() => reportInitFailure(error, BROKEN));
    expect(lines).toHaveLength(1);
    expect(withoutTimes(lines[0]!)).toEqual({
      level: 'error',
      service: 'authorizer',
      message: 'authorizer init failed',
      code: 'INVALID_CONFIG',
      variable: 'ISSUER',
      errorType: 'ConfigError',
      error: 'ISSUER: is required when AUDIENCE or JWKS_URI is set',
      _aws: initFailures('BearerGate'),
      InitFailures: 1,
    });
    expect(allMetrics(lines).map(({ timestamp: _, ...m }) => m)).toEqual([
      {
        namespace: 'BearerGate',
        name: 'InitFailures',
        unit: 'Count',
        dimensions: { service: 'authorizer' },
        values: [1],
      },
    ]);
  });

  test("the function's namespace and service when they are usable", () => {
    const env = { ...BROKEN, POWERTOOLS_METRICS_NAMESPACE: 'Shop/Auth', POWERTOOLS_SERVICE_NAME: 'orders' };
    const { lines } = capture(() => reportInitFailure(configErrorOf(env), env));
    expect(allMetrics(lines).map((m) => [m.namespace, m.name, m.dimensions, m.values])).toEqual([
      ['Shop/Auth', 'InitFailures', { service: 'orders' }, [1]],
    ]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'orders', variable: 'ISSUER' });
  });

  test.each([
    ["AWS's own namespace", 'POWERTOOLS_METRICS_NAMESPACE', 'AWS/Lambda'],
    ['a namespace CloudWatch refuses', 'POWERTOOLS_METRICS_NAMESPACE', 'a"b'],
    ['a service name CloudWatch refuses', 'POWERTOOLS_SERVICE_NAME', 'ünïcode'],
  ])('%s (the failure itself): counted under the defaults', (_case, variable, value) => {
    const env = { ISSUER: 'https://issuer.test', AUDIENCE: 'api', ROUTES: ROUTES_JSON, [variable]: value };
    const error = configErrorOf(env);
    expect(error.variable).toBe(variable);
    const { lines } = capture(() => reportInitFailure(error, env));
    expect(allMetrics(lines).map((m) => [m.namespace, m.dimensions, m.values])).toEqual([
      ['BearerGate', { service: 'authorizer' }, [1]],
    ]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ code: 'INVALID_CONFIG', variable });
  });

  test('LOG_LEVEL=silent: only the metric, on a metrics-only line', () => {
    const env = { ...BROKEN, LOG_LEVEL: 'silent' };
    const { lines } = capture(() => reportInitFailure(configErrorOf(env), env));
    expect(lines.map(withoutTimes)).toEqual([
      { service: 'authorizer', _aws: initFailures('BearerGate'), InitFailures: 1 },
    ]);
  });

  test('a LOG_LEVEL the init refuses: the line is written, at error', () => {
    const env = { ISSUER: 'https://issuer.test', AUDIENCE: 'api', ROUTES: ROUTES_JSON, LOG_LEVEL: 'loud' };
    const error = configErrorOf(env);
    const { lines } = capture(() => reportInitFailure(error, env));
    expect(lines.map(withoutTimes)).toEqual([
      expect.objectContaining({
        level: 'error',
        code: 'INVALID_CONFIG',
        variable: 'LOG_LEVEL',
        InitFailures: 1,
      }),
    ]);
  });

  test('anything else thrown: INIT_FAILED with its type and message, no variable', () => {
    const { lines } = capture(() => reportInitFailure(new TypeError('x is not a function'), {}));
    expect(withoutTimes(lines[0]!)).toEqual({
      level: 'error',
      service: 'authorizer',
      message: 'authorizer init failed',
      code: 'INIT_FAILED',
      errorType: 'TypeError',
      error: 'x is not a function',
      _aws: initFailures('BearerGate'),
      InitFailures: 1,
    });
    const thrownString = capture(() => reportInitFailure('plain text', {})).lines;
    expect(JSON.parse(thrownString[0]!)).toMatchObject({ errorType: 'string', error: 'plain text' });
  });

  test('a long message is bounded like every field', () => {
    const { lines } = capture(() => reportInitFailure(new Error('x'.repeat(5000)), {}));
    const line = JSON.parse(lines[0]!) as { error: string; InitFailures: number };
    expect(line.error).toBe(`${'x'.repeat(512)}…(+4488 chars)`);
    expect(line.InitFailures).toBe(1);
  });
});

describe('initialized', () => {
  test('an init that succeeds: its value, and nothing written', () => {
    const { lines, thrown } = capture(() => expect(initialized(() => 42, BROKEN)).toBe(42));
    expect({ lines, thrown }).toEqual({ lines: [], thrown: undefined });
  });

  test('an init that throws: the same error rethrown, after its line', () => {
    const error = configErrorOf(BROKEN);
    const { lines, thrown } = capture(() =>
      initialized(() => {
        throw error;
      }, BROKEN),
    );
    expect(thrown).toBe(error);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ code: 'INVALID_CONFIG', variable: 'ISSUER', InitFailures: 1 }),
    ]);
  });
});

test("a report that fails itself (the log sink throws): the init's own error is still the one rethrown", () => {
  const error = configErrorOf(BROKEN);
  const restore = setLogSink(() => {
    throw new Error('EPIPE');
  });
  let thrown: unknown;
  try {
    initialized(() => {
      throw error;
    }, BROKEN);
  } catch (caught) {
    thrown = caught;
  } finally {
    restore();
  }
  expect(thrown).toBe(error);
});

describe('the deployed bundles, imported as Lambda imports them with a broken configuration', () => {
  test.each(['plain', 'revocable'] as const)(
    '%s: the import fails with the ConfigError, after one line counting it',
    (variant) => {
      const bundle = pathToFileURL(join(authorizerBundleDir(variant), AUTHORIZER_BUNDLE_FILE)).href;
      const child = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `try { await import(${JSON.stringify(bundle)}); console.error('IMPORTED'); } ` +
            `catch (e) { console.error('REJECTED ' + e.name + ': ' + e.message); process.exitCode = 3; }`,
        ],
        {
          env: { PATH: process.env.PATH, ...BROKEN, POWERTOOLS_SERVICE_NAME: 'orders' },
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect({ status: child.status, stderr: child.stderr }).toEqual({
        status: 3,
        stderr: 'REJECTED ConfigError: ISSUER: is required when AUDIENCE or JWKS_URI is set\n',
      });
      const lines = child.stdout.split('\n').filter((l) => l !== '');
      expect(lines.map(withoutTimes)).toEqual([
        {
          level: 'error',
          service: 'orders',
          message: 'authorizer init failed',
          code: 'INVALID_CONFIG',
          variable: 'ISSUER',
          errorType: 'ConfigError',
          error: 'ISSUER: is required when AUDIENCE or JWKS_URI is set',
          _aws: initFailures('BearerGate'),
          InitFailures: 1,
        },
      ]);
      expect(allMetrics(lines).map((m) => [m.name, m.dimensions, m.values])).toEqual([
        ['InitFailures', { service: 'orders' }, [1]],
      ]);
    },
    60_000,
  );
});
