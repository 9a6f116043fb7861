// Evaluates a Lambda authorizer's IAM policy against a method ARN as API Gateway does: an explicit Deny
// wins, then any Allow, and no matching statement at all is an (implicit) deny.

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

export interface EvaluablePolicy {
  readonly Statement: readonly PolicyStatement[];
}

export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

const INVOKE = 'execute-api:Invoke';

/** IAM glob: `*` is any run of characters, `?` exactly one; everything else is literal. */
function glob(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(value);
}

/**
 * IAM matches an ARN field by field (partition, service, region, account, then the resource), so a
 * wildcard in the region cannot swallow the account or the resource.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const split = (value: string): string[] | null => {
    const parts = value.split(':');
    if (parts.length < 6 || parts[0] !== 'arn') return null;
    return [...parts.slice(1, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const a = split(arn);
  if (!p || !a) return false;
  return p.every((field, i) => glob(field, a[i] as string));
}

/** Action names are case-insensitive in IAM. */
export function actionMatches(pattern: string): boolean {
  return glob(pattern, INVOKE, true);
}

export function evaluatePolicy(policy: EvaluablePolicy, methodArn: string): PolicyDecision {
  let allowed = false;
  for (const statement of policy.Statement) {
    const applies =
      statement.Action.some(actionMatches) &&
      statement.Resource.some((resource) => arnMatches(resource, methodArn));
    if (!applies) continue;
    if (statement.Effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
