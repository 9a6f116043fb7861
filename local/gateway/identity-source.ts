// The TOKEN authorizer's identity source checks, which API Gateway makes before it invokes the authorizer
// (and before it consults the result cache): a missing or empty header, or one that fails the identity
// validation expression, is a 401 that costs no Lambda invocation.

export type IdentitySource =
  | { readonly kind: 'present'; readonly token: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid' };

/**
 * API Gateway applies the expression to the whole header value (Java `matches()` semantics), so the
 * pattern is anchored at both ends even if the construct wrote it without anchors.
 */
export function compileValidationExpression(expression: string): RegExp {
  return new RegExp(`^(?:${expression})$`);
}

export function checkIdentitySource(value: string | undefined, expression: RegExp | null): IdentitySource {
  if (value === undefined || value.trim() === '') return { kind: 'missing' };
  if (expression !== null && !expression.test(value)) return { kind: 'invalid' };
  return { kind: 'present', token: value };
}
