// Builds the IAM policy for a verified token: one policy that is right for every route, so API Gateway's
// result cache (keyed by token, not by route) can never carry a decision from one route over to another.
import type { APIGatewayAuthorizerResult, PolicyDocument } from 'aws-lambda';
import type { RouteRule } from '../routes';
import { InvalidEventError } from './errors';
import { holdsAll } from './scopes';

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

// arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/items/42
const METHOD_ARN =
  /^arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):(\d{12}):([A-Za-z0-9]+)\/([^/]+)\/([A-Z]+|\*)(\/.*)?$/;

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

/** `/items/{id}` becomes `items/*`: path parameters match any value. */
export function routeResource(arn: MethodArn, route: Pick<RouteRule, 'method' | 'path'>): string {
  const path = route.path.replace(/\{[^}]+\}/g, '*').replace(/^\//, '');
  return `arn:${arn.partition}:execute-api:${arn.region}:${arn.accountId}:${arn.apiId}/${arn.stage}/${route.method}/${path}`;
}

/** IAM-style match: `*` is any run of characters (including `/`), `?` is one character. */
export function resourceMatches(pattern: string, resource: string): boolean {
  let p = 0;
  let r = 0;
  let star = -1;
  let mark = 0;
  while (r < resource.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === resource[r])) {
      p++;
      r++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = r;
    } else if (star !== -1) {
      p = star + 1;
      r = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** A concrete resource the route would serve, to test which patterns cover it. */
function sampleResource(arn: MethodArn, route: RouteRule): string {
  return routeResource(arn, route).replace(/\*/g, '_');
}

export interface RouteDecision {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/**
 * Allow every route whose scopes are all held. Because `*` in an IAM resource also matches `/`, an allowed
 * `GET /items/*` would cover `GET /items/1/secret` too; any route not held that an allowed pattern covers
 * gets an explicit Deny, which wins.
 */
export function decideRoutes(
  arn: MethodArn,
  routes: readonly RouteRule[],
  granted: ReadonlySet<string>,
): RouteDecision {
  const allow: string[] = [];
  const refused: RouteRule[] = [];
  for (const route of routes) {
    if (holdsAll(granted, route.scopes)) allow.push(routeResource(arn, route));
    else refused.push(route);
  }
  const deny = refused
    .filter((route) => allow.some((pattern) => resourceMatches(pattern, sampleResource(arn, route))))
    .map((route) => routeResource(arn, route));
  return { allow: [...new Set(allow)], deny: [...new Set(deny)] };
}

export type ContextValue = string | number | boolean;

export function buildPolicy(
  arn: MethodArn,
  principalId: string,
  decision: RouteDecision,
  context: Record<string, ContextValue>,
): APIGatewayAuthorizerResult {
  const statements: PolicyDocument['Statement'] = [];
  if (decision.allow.length === 0) {
    // Nothing permitted: an explicit Deny of the whole stage, so the client gets 403, not a retry loop.
    statements.push({
      Effect: 'Deny',
      Action: 'execute-api:Invoke',
      Resource: `arn:${arn.partition}:execute-api:${arn.region}:${arn.accountId}:${arn.apiId}/${arn.stage}/*`,
    });
  } else {
    statements.push({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [...decision.allow] });
    if (decision.deny.length > 0) {
      statements.push({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: [...decision.deny] });
    }
  }
  return { principalId, policyDocument: { Version: '2012-10-17', Statement: statements }, context };
}

/** Whether the call described by `arn` is allowed by the decision (explicit Deny wins). */
export function permits(arn: MethodArn, decision: RouteDecision): boolean {
  const called = `arn:${arn.partition}:execute-api:${arn.region}:${arn.accountId}:${arn.apiId}/${arn.stage}/${arn.method}${arn.path}`;
  if (decision.deny.some((p) => resourceMatches(p, called))) return false;
  return decision.allow.some((p) => resourceMatches(p, called));
}
