// An init that fails (a ConfigError from parseConfig, or anything createAuthorizer throws) leaves no decision
// line and no decision metric: Lambda answers the invocation with an error, and API Gateway answers the
// request with its AUTHORIZER_CONFIGURATION_ERROR response, on every instance, until the configuration is
// fixed. The handler modules run their init through initialized(), which writes one structured error line
// that counts in InitFailures (and says why) before it rethrows, so the init still fails and the alarm on
// InitFailures can wake someone.
import {
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  METRICS_NAMESPACE_VARIABLE,
  SERVICE_NAME_VARIABLE,
  isMetricName,
} from '../contract/authorizer-metrics';
import { ConfigError } from './errors';
import { createLogger, parseLogLevel, type LogLevel } from './log';
import { AuthorizerMetrics } from './metrics';

type Env = Readonly<Record<string, string | undefined>>;

/** The reason code of a failed init's line. */
export type InitFailureCode = 'INVALID_CONFIG' | 'INIT_FAILED';

/** A variable's value, or `fallback` when it is unset or unusable (the failure may be about this variable). */
function metricNameOr(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value !== undefined && value !== '' && isMetricName(value) ? value : fallback;
}

function levelOr(value: string | undefined): LogLevel {
  try {
    return parseLogLevel(value);
  } catch {
    return 'info';
  }
}

/**
 * Writes the line of a failed init: `authorizer init failed` at error level with `code` (INVALID_CONFIG for a
 * ConfigError, INIT_FAILED for anything else), the variable a ConfigError names, and the error's message
 * (bounded like every field); InitFailures 1 embedded in it, or on a metrics-only line at LOG_LEVEL=silent.
 * The namespace, service and level come from the environment where they are usable, else their defaults.
 */
export function reportInitFailure(error: unknown, env: Env = process.env): void {
  const service = metricNameOr(env, SERVICE_NAME_VARIABLE, DEFAULT_SERVICE_NAME);
  const log = createLogger(service, levelOr(env.LOG_LEVEL));
  const metrics = new AuthorizerMetrics(log, {
    namespace: metricNameOr(env, METRICS_NAMESPACE_VARIABLE, DEFAULT_METRICS_NAMESPACE),
    service,
  });
  const code: InitFailureCode = error instanceof ConfigError ? 'INVALID_CONFIG' : 'INIT_FAILED';
  metrics.write(
    'error',
    'authorizer init failed',
    {
      code,
      variable: error instanceof ConfigError ? error.variable : undefined,
      errorType: error instanceof Error ? error.name : typeof error,
      error: error instanceof Error ? error.message : String(error),
    },
    metrics.event({ InitFailures: 1 }),
  );
}

/** `init()`'s result; if it throws, the failure's line is written (reportInitFailure) and the error rethrown. */
export function initialized<T>(init: () => T, env: Env = process.env): T {
  try {
    return init();
  } catch (error) {
    try {
      reportInitFailure(error, env);
    } catch {
      // The report is best effort: the init's own error is the one Lambda must see.
    }
    throw error;
  }
}
