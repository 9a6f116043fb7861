// The route table's shape and its one validator: the construct checks a table at synth and the Lambda at init
// with this same code, so a table one of them accepts the other accepts too. CDK-free and dependency-free.

/** The methods API Gateway REST lets a resource define; `ANY` serves every method the resource does not define. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ANY';

/** The concrete methods a request can have, in API Gateway's terms (what `ANY` stands for). */
export const CONCRETE_METHODS: readonly Exclude<HttpMethod, 'ANY'>[] = Object.freeze([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
]);

const METHODS: ReadonlySet<string> = new Set<string>([...CONCRETE_METHODS, 'ANY']);

/** What the authorizer needs to know about a route (the shape of ROUTES / ROUTES_FILE). */
export interface RouteRule {
  readonly method: HttpMethod;
  /** An API Gateway resource path: `/items/{id}`; `{name+}` (greedy) only as the last part. */
  readonly path: string;
  /**
   * The token must hold ALL of these scopes. `[]` means any valid token of a trusted issuer (signature,
   * issuer, audience, lifetime and required claims are still checked); it must be written out, never left out.
   */
  readonly scopes: readonly string[];
}

/** A route table that breaks one of API Gateway's rules, or this project's; `at` names the entry. */
export class RouteTableError extends Error {
  constructor(
    readonly at: string,
    readonly problem: string,
  ) {
    super(`${at} ${problem}`);
    this.name = 'RouteTableError';
  }
}

// API Gateway's path part characters (the set aws-cdk-lib's Resource checks too); a variable part is one of
// these names in braces, greedy with a `+` before the closing brace.
const LITERAL_PART = /^[A-Za-z0-9:._$-]+$/;
const VARIABLE_PART = /^\{([A-Za-z0-9:._$-]+)(\+?)\}$/;
// RFC 6749 §3.3 scope-token.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Whether `scope` is one RFC 6749 §3.3 scope-token (printable ASCII but space, `"` and `\`). */
export function isScopeToken(scope: string): boolean {
  return SCOPE_TOKEN.test(scope);
}

/** The parts of a resource path, `[]` for `/`. Throws RouteTableError for a path API Gateway refuses. */
export function pathParts(path: string, at = 'path'): string[] {
  if (path === '/') return [];
  if (!path.startsWith('/') || path.endsWith('/')) {
    throw new RouteTableError(
      at,
      `must start with "/" and not end with one, like /items/{id}; got "${path}"`,
    );
  }
  const parts = path.slice(1).split('/');
  parts.forEach((part, i) => {
    const variable = VARIABLE_PART.exec(part);
    if (variable === null && !LITERAL_PART.test(part)) {
      throw new RouteTableError(
        at,
        `has the path part "${part}": API Gateway allows only A-Z a-z 0-9 : . _ $ - in a part, or {name} / {name+}`,
      );
    }
    // `.` and `..` are segments a proxy may normalise away, and every policy refuses paths holding them.
    if (part === '.' || part === '..') {
      throw new RouteTableError(
        at,
        `has the path part "${part}", a dot segment that every policy refuses (a proxy may normalise it away); use a name`,
      );
    }
    // A `:` before a later `/` is a path the policies refuse (IAM may read `*` as not crossing `:`, see
    // UNSAFE_PATH_DENIES in route-set.ts), so such a route could never be allowed: say so now.
    if (variable === null && part.includes(':') && i !== parts.length - 1) {
      throw new RouteTableError(
        at,
        `has ":" in the part "${part}" before the last part; the authorizer refuses every path with a ":" before a later "/" (IAM's wildcard may not cross ":"), so a route below "${part}" could never be allowed`,
      );
    }
    if (variable?.[2] === '+' && i !== parts.length - 1) {
      throw new RouteTableError(
        at,
        `has the greedy part "${part}" before the end; {name+} must be the last part`,
      );
    }
  });
  return parts;
}

function validScopes(scopes: unknown): scopes is string[] {
  return Array.isArray(scopes) && scopes.every((s) => typeof s === 'string' && isScopeToken(s));
}

/**
 * Checks a whole table as API Gateway and the authorizer need it: known methods, valid paths, one variable
 * child per resource (`/a/{id}` and `/a/{name}` cannot both exist), scope names without spaces, no route
 * twice. Returns frozen copies; `label` names the source in errors (`ROUTES`, `routes`).
 */
export function validateRouteTable(entries: readonly unknown[], label: string): RouteRule[] {
  const seen = new Set<string>();
  // Parent resource path -> its one variable child part, and where it was first seen.
  const variableChild = new Map<string, { part: string; at: string }>();
  return entries.map((entry, i) => {
    const at = `${label}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new RouteTableError(at, 'must be an object {method, path, scopes}');
    }
    // Extra fields (an app's handler id, entry, ...) are the app's business; the rule is these three.
    const { method, path, scopes } = entry as Record<string, unknown>;
    if (typeof method !== 'string' || !METHODS.has(method)) {
      throw new RouteTableError(
        `${at}.method`,
        `must be one of ${[...METHODS].join(', ')}; got ${JSON.stringify(method)}`,
      );
    }
    if (typeof path !== 'string')
      throw new RouteTableError(`${at}.path`, 'must be a resource path like /items/{id}');
    const parts = pathParts(path, `${at}.path`);
    if (!validScopes(scopes)) {
      throw new RouteTableError(
        `${at}.scopes`,
        'must be an array of scope names without spaces or quotes (write [] for a route any valid token may call)',
      );
    }
    const key = `${method} ${path}`;
    if (seen.has(key)) throw new RouteTableError(at, `repeats ${key}`);
    seen.add(key);
    parts.forEach((part, p) => {
      if (!part.startsWith('{')) return;
      const parent = '/' + parts.slice(0, p).join('/');
      const other = variableChild.get(parent);
      if (other === undefined) variableChild.set(parent, { part, at });
      else if (other.part !== part) {
        throw new RouteTableError(
          at,
          `puts "${part}" under ${parent}, where ${other.at} has "${other.part}": an API Gateway resource has at most one variable child; use one name`,
        );
      }
    });
    return Object.freeze({ method: method as HttpMethod, path, scopes: Object.freeze([...scopes]) });
  });
}
