// The test oracle's router: which declared routes serve a request path, which one API Gateway picks, and
// what the two percent-encoding readings route. Written from API Gateway REST's routing rules as the
// closed-world policy's specification states them; it shares no code with lambda/contract or local/gateway.

/** A route as the table declares it (structurally a RouteRule; the oracle keeps its own type). */
export interface Route {
  readonly method: string;
  readonly path: string;
  readonly scopes: readonly string[];
}

/** The methods a request can have: what `ANY` stands for. */
export const REQUEST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export const routeName = (r: { readonly method: string; readonly path: string }): string =>
  `${r.method} ${r.path}`;

function partsOf(routePath: string): string[] {
  return routePath === '/' ? [] : routePath.slice(1).split('/');
}

const isGreedy = (part: string): boolean => part.startsWith('{') && part.endsWith('+}');
const isVariable = (part: string): boolean => part.startsWith('{') && !isGreedy(part);

/** `{x}`: one non-empty segment; `{x+}`: one or more; a literal: that exact segment. */
function matchesExactly(parts: readonly string[], path: string): boolean {
  if (!path.startsWith('/')) return false;
  const segments = path === '/' ? [] : path.slice(1).split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (isGreedy(part)) return segments.length > i && segments.slice(i).every((s) => s !== '');
    const segment = segments[i];
    if (segment === undefined) return false;
    if (isVariable(part) ? segment === '' : segment !== part) return false;
  }
  return segments.length === parts.length;
}

/** A route serves its paths and the same paths with ONE trailing `/` (`//` is the root's). */
export function routeServes(routePath: string, path: string): boolean {
  const parts = partsOf(routePath);
  if (matchesExactly(parts, path)) return true;
  return path.length > 1 && path.endsWith('/') && matchesExactly(parts, path.slice(0, -1));
}

/** The declared routes for a method: its own, and a resource's ANY where the resource lacks that method. */
export function routesFor(table: readonly Route[], method: string): Route[] {
  return table.filter(
    (r) =>
      r.method === method ||
      (r.method === 'ANY' && !table.some((o) => o.method === method && o.path === r.path)),
  );
}

/** Every declared route for `method` that serves `path` (TOKEN mode's precedence-free view). */
export function servingRoutes(table: readonly Route[], method: string, path: string): Route[] {
  return routesFor(table, method).filter((r) => routeServes(r.path, path));
}

/** The declared route for a REQUEST event's (httpMethod, resourcePath): its own method, else the ANY. */
export function declaredRoute(
  table: readonly Route[],
  method: string,
  resourcePath: string,
): Route | undefined {
  return (
    table.find((r) => r.method === method && r.path === resourcePath) ??
    table.find((r) => r.method === 'ANY' && r.path === resourcePath)
  );
}

/** Whether `route` is the one API Gateway uses for `method` at its resource. */
export function isRouteFor(table: readonly Route[], route: Route, method: string): boolean {
  return routesFor(table, method).includes(route);
}

const kind = (part: string): number => (isGreedy(part) ? 2 : isVariable(part) ? 1 : 0);

/** At the first part where the two differ: literal before `{var}` before `{greedy+}`. */
export function outranks(g: Route, h: Route): boolean {
  const a = partsOf(g.path);
  const b = partsOf(h.path);
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a[i] !== b[i]) return kind(a[i]!) < kind(b[i]!);
  }
  return false;
}

/** The route API Gateway picks for the request among the declared ones, if any serves it. */
export function routedTo(table: readonly Route[], method: string, path: string): Route | undefined {
  let best: Route | undefined;
  for (const r of servingRoutes(table, method, path)) if (best === undefined || outranks(r, best)) best = r;
  return best;
}

export const holds = (granted: ReadonlySet<string>, r: Route): boolean =>
  r.scopes.every((s) => granted.has(s));

/** A route whose last part is a literal (or the root): its trailing-`/` requests may be over-denied. */
export function endsInLiteral(r: Route): boolean {
  const parts = partsOf(r.path);
  return parts.length === 0 || kind(parts[parts.length - 1]!) === 0;
}

/**
 * Each `%XX` decoded once, the bytes read as UTF-8 (an invalid sequence becomes U+FFFD); a `%` not followed by
 * two hex digits stays as it is.
 */
export function percentDecodeOnce(path: string): string {
  if (!path.includes('%')) return path;
  const bytes: number[] = [];
  for (let i = 0; i < path.length;) {
    if (path[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(path.slice(i + 1, i + 3))) {
      bytes.push(parseInt(path.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = path.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** What API Gateway may route for a methodArn path: the path itself, or its percent-decoded form. */
export function routedReadings(arnPath: string): string[] {
  const decoded = percentDecodeOnce(arnPath);
  return decoded === arnPath ? [arnPath] : [arnPath, decoded];
}

/**
 * A path completeness is asked of: no `%`, no `:` before a later `/`, no empty segment except one trailing
 * `/`, no `.` or `..` segment.
 */
export function isClean(path: string): boolean {
  if (!path.startsWith('/') || path.includes('%')) return false;
  if (path.slice(0, path.lastIndexOf('/')).includes(':')) return false;
  if (path === '/') return true;
  const segments = path.slice(1).split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  return segments.every((s) => s !== '' && s !== '.' && s !== '..');
}
