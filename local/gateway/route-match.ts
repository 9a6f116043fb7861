// Matches a request against the route table the way API Gateway REST resources do: literal segments win
// over `{param}` segments, `{param+}` is greedy, and an unknown resource or method is not a 404.

export interface GatewayRoute {
  readonly method: string;
  /** An API Gateway resource path, e.g. `/items/{id}`. */
  readonly path: string;
}

export type RouteMatch<R extends GatewayRoute> =
  | {
      readonly kind: 'matched';
      readonly route: R;
      readonly pathParameters: Readonly<Record<string, string>> | null;
    }
  /** API Gateway answers both an unknown resource and an undefined method with MISSING_AUTHENTICATION_TOKEN. */
  | { readonly kind: 'missing' };

interface ResourceMatch {
  readonly params: Record<string, string>;
  /** Literal segments count more than parameters, so `/items/latest` beats `/items/{id}`. */
  readonly score: number;
}

function splitPath(path: string): string[] {
  const trimmed = path.length > 1 ? path.replace(/\/$/, '') : path;
  return trimmed === '/' || trimmed === '' ? [] : trimmed.slice(1).split('/');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is passed through as sent rather than failing the whole request.
    return segment;
  }
}

function matchResource(resourcePath: string, requestSegments: readonly string[]): ResourceMatch | null {
  const resource = splitPath(resourcePath);
  const params: Record<string, string> = {};
  let score = 0;
  for (let i = 0; i < resource.length; i++) {
    const segment = resource[i] as string;
    const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(segment);
    if (greedy) {
      const rest = requestSegments.slice(i);
      if (rest.length === 0 || rest.some((s) => s === '')) return null;
      params[greedy[1] as string] = rest.map(decodeSegment).join('/');
      return { params, score };
    }
    const actual = requestSegments[i];
    if (actual === undefined || actual === '') return null;
    const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
    if (param) {
      params[param[1] as string] = decodeSegment(actual);
    } else if (segment === actual) {
      score += 1;
    } else {
      return null;
    }
  }
  return requestSegments.length === resource.length ? { params, score } : null;
}

/** Finds the resource for `path` (no query string) first, then the method on that resource, as API Gateway does. */
export function matchRoute<R extends GatewayRoute>(
  routes: readonly R[],
  method: string,
  path: string,
): RouteMatch<R> {
  const segments = splitPath(path);
  let best: { resourcePath: string; match: ResourceMatch } | undefined;
  for (const resourcePath of new Set(routes.map((r) => r.path))) {
    const match = matchResource(resourcePath, segments);
    if (match && (best === undefined || match.score > best.match.score)) best = { resourcePath, match };
  }
  const route = best && routes.find((r) => r.path === best.resourcePath && r.method === method);
  if (!best || !route) return { kind: 'missing' };
  const names = Object.keys(best.match.params);
  return {
    kind: 'matched',
    route,
    pathParameters: names.length === 0 ? null : Object.freeze(best.match.params),
  };
}
