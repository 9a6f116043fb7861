// Checks a Lambda authorizer's output the way API Gateway does before it trusts it, and shapes the
// identity that reaches the integration as `requestContext.authorizer`.
import { LocalStackError } from '../errors';
import type { EvaluablePolicy, PolicyStatement } from './policy-evaluation';

export type ContextValue = string | number | boolean;

export interface AuthorizerOutput {
  readonly principalId: string;
  readonly policy: EvaluablePolicy;
  readonly context: Readonly<Record<string, ContextValue>>;
}

function configurationError(reason: string): LocalStackError {
  return new LocalStackError('AUTHORIZER_CONFIGURATION', `authorizer output rejected: ${reason}`);
}

function stringList(value: unknown, field: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
    throw configurationError(`${field} must be a string or a non-empty array of strings`);
  }
  return list as string[];
}

function parseStatement(raw: unknown, index: number): PolicyStatement {
  const at = `policyDocument.Statement[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw configurationError(`${at} must be an object`);
  const { Effect, Action, Resource } = raw as Record<string, unknown>;
  if (Effect !== 'Allow' && Effect !== 'Deny') throw configurationError(`${at}.Effect must be Allow or Deny`);
  return {
    Effect,
    Action: stringList(Action, `${at}.Action`),
    Resource: stringList(Resource, `${at}.Resource`),
  };
}

/**
 * `raw` is the authorizer's return value after the JSON round trip of the Lambda boundary. A missing
 * principalId or policy, or a context value that is an object, array or null, is an
 * AUTHORIZER_CONFIGURATION_ERROR on AWS (500), never a 401 or 403.
 */
export function parseAuthorizerOutput(raw: unknown): AuthorizerOutput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw configurationError('not an object');
  const { principalId, policyDocument, context } = raw as Record<string, unknown>;
  if (typeof principalId !== 'string' || principalId === '') {
    throw configurationError('principalId must be a non-empty string');
  }
  if (typeof policyDocument !== 'object' || policyDocument === null || Array.isArray(policyDocument)) {
    throw configurationError('policyDocument must be an object');
  }
  const statements = (policyDocument as Record<string, unknown>).Statement;
  const list = Array.isArray(statements) ? statements : statements === undefined ? [] : [statements];
  if (list.length === 0) throw configurationError('policyDocument.Statement must not be empty');

  const values: Record<string, ContextValue> = {};
  if (context !== undefined && context !== null) {
    if (typeof context !== 'object' || Array.isArray(context))
      throw configurationError('context must be an object');
    for (const [key, value] of Object.entries(context)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw configurationError(`context.${key} must be a string, number or boolean`);
      }
      values[key] = value;
    }
  }
  return Object.freeze({
    principalId,
    policy: { Statement: list.map(parseStatement) },
    context: Object.freeze(values),
  });
}

/**
 * What a REST API proxy integration sees: principalId, the integration latency of the authorizer call,
 * and every context value as a string (API Gateway stringifies numbers and booleans).
 */
export function requestContextAuthorizer(
  output: AuthorizerOutput,
  integrationLatencyMs: number,
): Record<string, string | number> {
  const authorizer: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(output.context)) authorizer[key] = String(value);
  authorizer.principalId = output.principalId;
  authorizer.integrationLatency = integrationLatencyMs;
  return authorizer;
}
