// Builds the IAM policy for a verified token. TOKEN mode: one policy that is right for every route, so API
// Gateway's result cache (keyed by token, not by route) can never carry a decision from one route over to
// another. REQUEST mode: the cache key includes the route, so the policy names that one route.
import type { APIGatewayAuthorizerResult, PolicyDocument } from 'aws-lambda';
import type { RouteDecision } from '../contract/route-set';
import { InvalidEventError } from './errors';

export interface MethodArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly method: string;
  /** The resource path that was called, with a leading slash. */
  readonly path: string;
}

// arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/items/42. The path is whatever the client sent
// (`s`: line breaks and U+2028 included); only the parts before it have a fixed shape.
const METHOD_ARN =
  /^arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):(\d{12}):([A-Za-z0-9]+)\/([^/]+)\/([A-Z]+|\*)(\/.*)?$/s;

export function parseMethodArn(methodArn: unknown): MethodArn {
  const m = typeof methodArn === 'string' ? METHOD_ARN.exec(methodArn) : null;
  if (!m) throw new InvalidEventError('methodArn is not an execute-api method ARN');
  const [, partition, region, accountId, apiId, stage, method, path] = m as unknown as string[];
  return {
    partition: partition as string,
    region: region as string,
    accountId: accountId as string,
    apiId: apiId as string,
    stage: stage as string,
    method: method as string,
    path: path ?? '/',
  };
}

/** `arn:…:execute-api:{region}:{account}:{apiId}/{stage}/`: what every resource of this call's stage starts with. */
function stagePrefix(arn: MethodArn): string {
  return `arn:${arn.partition}:execute-api:${arn.region}:${arn.accountId}:${arn.apiId}/${arn.stage}/`;
}

/**
 * IAM-style match: `*` is any run of characters (including `/`), `?` is one character. `from` skips a prefix
 * the caller knows both strings share (the stage prefix), so only the route part is compared char by char.
 */
export function resourceMatches(pattern: string, resource: string, from = 0): boolean {
  let p = from;
  let r = from;
  let star = -1;
  let mark = 0;
  while (r < resource.length) {
    const c = p < pattern.length ? pattern.charCodeAt(p) : -1;
    // A `*` in the pattern is a wildcard even where the resource holds a literal `*` (a path may contain one).
    if (c === 0x2a /* * */) {
      star = p++;
      mark = r;
    } else if (c === 0x3f /* ? */ || (c !== -1 && c === resource.charCodeAt(r))) {
      p++;
      r++;
    } else if (star !== -1) {
      p = star + 1;
      r = ++mark;
    } else {
      return false;
    }
  }
  while (pattern.charCodeAt(p) === 0x2a) p++;
  return p === pattern.length;
}

export type ContextValue = string | number | boolean;

/**
 * The policy for a decision whose `allow` and `deny` are resource tails (`GET/items/*`) under this call's
 * stage. Nothing allowed: an explicit Deny of the whole stage, so the client gets 403, not a retry loop.
 */
export function buildPolicy(
  arn: MethodArn,
  principalId: string,
  decision: RouteDecision,
  context: Record<string, ContextValue>,
): APIGatewayAuthorizerResult {
  const prefix = stagePrefix(arn);
  const statements: PolicyDocument['Statement'] = [];
  if (decision.allow.length === 0) {
    statements.push({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${prefix}*` });
  } else {
    statements.push({
      Effect: 'Allow',
      Action: 'execute-api:Invoke',
      Resource: decision.allow.map((tail) => prefix + tail),
    });
    if (decision.deny.length > 0) {
      statements.push({
        Effect: 'Deny',
        Action: 'execute-api:Invoke',
        Resource: decision.deny.map((tail) => prefix + tail),
      });
    }
  }
  return { principalId, policyDocument: { Version: '2012-10-17', Statement: statements }, context };
}

/** Whether the call described by `arn` is allowed by the decision (explicit Deny wins). */
export function permits(arn: MethodArn, decision: RouteDecision): boolean {
  const called = `${arn.method}${arn.path}`;
  if (decision.deny.some((tail) => resourceMatches(tail, called))) return false;
  return decision.allow.some((tail) => resourceMatches(tail, called));
}
