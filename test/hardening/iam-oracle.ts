// The test oracle's IAM evaluator: how API Gateway judges a request's methodArn against an authorizer's
// policy, under both readings of `*` that AWS leaves open (issue #20). Written from the closed-world policy's
// specification only: it shares no code with lambda/authorizer/policy.ts, lambda/contract or local/gateway.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';

/**
 * A: every `*` matches any run of characters, `:` included.
 * B: the pattern is cut at its own `:`; a `*` that ends such a segment (followed by `:` or the end) matches any
 *    run, every other `*` only runs without `:`.
 */
export type IamReading = 'A' | 'B';
export const IAM_READINGS: readonly IamReading[] = ['A', 'B'];

type Token =
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'one' }
  | { readonly kind: 'run'; readonly crossesColon: boolean };

interface Compiled {
  readonly tokens: readonly Token[];
  /** Literal text before the first wildcard and after the last one: cheap rejections before the NFA. */
  readonly head: string;
  readonly tail: string;
  readonly hasWildcard: boolean;
}

const compiledCache = new Map<string, Compiled>();

function compile(pattern: string, reading: IamReading): Compiled {
  const key = `${reading}\u0000${pattern}`;
  const known = compiledCache.get(key);
  if (known !== undefined) return known;
  const chars = Array.from(pattern);
  const tokens: Token[] = chars.map((c, i) => {
    if (c === '?') return { kind: 'one' };
    if (c !== '*') return { kind: 'char', char: c };
    const endsSegment = i === chars.length - 1 || chars[i + 1] === ':';
    return { kind: 'run', crossesColon: reading === 'A' || endsSegment };
  });
  const first = chars.findIndex((c) => c === '*' || c === '?');
  const hasWildcard = first !== -1;
  let last = chars.length - 1;
  while (last >= 0 && chars[last] !== '*' && chars[last] !== '?') last--;
  const compiled: Compiled = {
    tokens,
    head: hasWildcard ? chars.slice(0, first).join('') : pattern,
    tail: hasWildcard ? chars.slice(last + 1).join('') : '',
    hasWildcard,
  };
  if (compiledCache.size > 50_000) compiledCache.clear();
  compiledCache.set(key, compiled);
  return compiled;
}

/** Whether an IAM resource pattern matches a resource (an ARN), character by character (code points). */
export function iamMatches(pattern: string, resource: string, reading: IamReading): boolean {
  const { tokens, head, tail, hasWildcard } = compile(pattern, reading);
  if (!hasWildcard) return pattern === resource;
  if (!resource.startsWith(head) || !resource.endsWith(tail)) return false;
  // NFA simulation over pattern positions after the literal head (already matched); a run token may be
  // skipped (the empty run) or consume a character.
  const n = tokens.length;
  const start = Array.from(head).length;
  let current = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  const close = (set: Uint8Array): void => {
    for (let i = start; i < n; i++) if (set[i] === 1 && tokens[i]!.kind === 'run') set[i + 1] = 1;
  };
  current[start] = 1;
  close(current);
  for (const c of resource.slice(head.length)) {
    next.fill(0, start);
    let any = false;
    for (let i = start; i < n; i++) {
      if (current[i] !== 1) continue;
      const t = tokens[i]!;
      if (t.kind === 'run') {
        if (t.crossesColon || c !== ':') {
          next[i] = 1;
          any = true;
        }
      } else if (t.kind === 'one' || t.char === c) {
        next[i + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    close(next);
    [current, next] = [next, current];
  }
  return current[n] === 1;
}

function asList(value: unknown, what: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new Error(`the oracle cannot read ${what} ${JSON.stringify(value)}`);
}

/** One statement as the oracle reads it. */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly resources: readonly string[];
}

const STATEMENT_KEYS = new Set(['Effect', 'Action', 'Resource', 'Sid']);

/**
 * The statements that apply to `execute-api:Invoke`. A statement shape the oracle does not model (NotResource,
 * Condition, NotAction, ...) throws, so the properties fail loudly instead of judging a policy they misread.
 */
export function invokeStatements(result: APIGatewayAuthorizerResult): Statement[] {
  const document = result.policyDocument as unknown as { Version?: unknown; Statement?: unknown };
  if (document.Version !== '2012-10-17' || !Array.isArray(document.Statement)) {
    throw new Error(`the oracle cannot read the policy document ${JSON.stringify(document)}`);
  }
  const out: Statement[] = [];
  for (const raw of document.Statement as Array<Record<string, unknown>>) {
    const unknownKeys = Object.keys(raw).filter((k) => !STATEMENT_KEYS.has(k));
    if (unknownKeys.length > 0 || (raw.Effect !== 'Allow' && raw.Effect !== 'Deny')) {
      throw new Error(`the oracle cannot read the statement ${JSON.stringify(raw)}`);
    }
    // IAM matches actions case-insensitively, with `*` wildcards.
    const actions = asList(raw.Action, 'Action');
    if (!actions.some((a) => iamMatches(a.toLowerCase(), 'execute-api:invoke', 'A'))) continue;
    out.push({ effect: raw.Effect, resources: asList(raw.Resource, 'Resource') });
  }
  return out;
}

/** API Gateway's verdict: some Allow matches the methodArn and no Deny does. */
export function policyAllows(
  statements: readonly Statement[],
  methodArn: string,
  reading: IamReading,
): boolean {
  let allowed = false;
  for (const s of statements) {
    const hit = s.resources.some((r) => iamMatches(r, methodArn, reading));
    if (hit && s.effect === 'Deny') return false;
    if (hit) allowed = true;
  }
  return allowed;
}
