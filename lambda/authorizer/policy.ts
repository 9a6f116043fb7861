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

/** `arn:…:execute-api:{region}:{account}:{apiId}/{stage}/`: what every resource of this call's stage starts with. */
function stagePrefix(arn: MethodArn): string {
  return `arn:${arn.partition}:execute-api:${arn.region}:${arn.accountId}:${arn.apiId}/${arn.stage}/`;
}

interface RouteTail {
  /** `GET/items/*`: the route's resource after the stage prefix. */
  readonly tail: string;
  /** A concrete resource the route would serve (`*` -> `_`), to test which patterns cover it. */
  readonly sample: string;
}

// Routes come from the frozen configuration and live as long as the process: their tails are computed once.
const tails = new WeakMap<Pick<RouteRule, 'method' | 'path'>, RouteTail>();

function routeTail(route: Pick<RouteRule, 'method' | 'path'>): RouteTail {
  let cached = tails.get(route);
  if (cached === undefined) {
    const tail = `${route.method}/${route.path.replace(/\{[^}]+\}/g, '*').replace(/^\//, '')}`;
    cached = { tail, sample: tail.replace(/\*/g, '_') };
    tails.set(route, cached);
  }
  return cached;
}

/** `/items/{id}` becomes `items/*`: path parameters match any value. */
export function routeResource(arn: MethodArn, route: Pick<RouteRule, 'method' | 'path'>): string {
  return stagePrefix(arn) + routeTail(route).tail;
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
    if (c === 0x3f /* ? */ || (c !== -1 && c === resource.charCodeAt(r))) {
      p++;
      r++;
    } else if (c === 0x2a /* * */) {
      star = p++;
      mark = r;
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
  const held: string[] = [];
  const refused: RouteTail[] = [];
  for (const route of routes) {
    if (holdsAll(granted, route.scopes)) held.push(routeTail(route).tail);
    else refused.push(routeTail(route));
  }
  // Every resource shares the stage prefix, so coverage is decided on the route parts alone.
  const denied = refused
    .filter(({ sample }) => held.some((pattern) => resourceMatches(pattern, sample)))
    .map(({ tail }) => tail);
  const prefix = stagePrefix(arn);
  return {
    allow: [...new Set(held)].map((tail) => prefix + tail),
    deny: [...new Set(denied)].map((tail) => prefix + tail),
  };
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
    statements.push({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${stagePrefix(arn)}*` });
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
  const prefix = stagePrefix(arn);
  const called = `${prefix}${arn.method}${arn.path}`;
  const covers = (pattern: string): boolean =>
    resourceMatches(pattern, called, pattern.startsWith(prefix) ? prefix.length : 0);
  if (decision.deny.some(covers)) return false;
  return decision.allow.some(covers);
}
