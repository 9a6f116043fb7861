// The route tables the policy-cost bench measures (issue #20, item 7): nested tables whose Denies must close
// every `{name}` star, a flat CRUD table, and the 4-route baseline; the request each scope set holds, and the
// 8 KB paths that must cost no more than a short one.
import type { HttpMethod, RouteRule } from 'bearer-gate/contract';

export type RouteTableId =
  'baseline' | 'nested-20' | 'nested-100' | 'nested-300' | 'nested-1000' | 'flat-1000';

/** `r`: a token holding every rN; `a`: every aN. */
export type ScopeSetId = 'r' | 'a';

export const SCOPE_SETS: readonly ScopeSetId[] = ['r', 'a'];

export interface RouteTableShape {
  readonly id: RouteTableId;
  readonly label: string;
  readonly routes: readonly RouteRule[];
  /** How many resources (r0, r1, ...) the table has: the scopes a token holds come from it. */
  readonly resources: number;
  /** The request each scope set's token makes first: a route it holds (whatever the policy then says). */
  readonly request: Readonly<Record<ScopeSetId, { readonly method: HttpMethod; readonly path: string }>>;
}

/**
 * Per resource rN: `/orgs/{org}/rN`, `/rN/{id}` and `/rN/{id}/{rest+}` need rN; the `sub` levels
 * `/rN/{id}/sub` and `/rN/{id}/sub/{x}` need aN. Every route GET.
 */
function nestedRoutes(resources: number): RouteRule[] {
  return Array.from({ length: resources }, (_, i) => [
    { method: 'GET' as const, path: `/orgs/{org}/r${i}`, scopes: [`r${i}`] },
    { method: 'GET' as const, path: `/r${i}/{id}`, scopes: [`r${i}`] },
    { method: 'GET' as const, path: `/r${i}/{id}/sub`, scopes: [`a${i}`] },
    { method: 'GET' as const, path: `/r${i}/{id}/sub/{x}`, scopes: [`a${i}`] },
    { method: 'GET' as const, path: `/r${i}/{id}/{rest+}`, scopes: [`r${i}`] },
  ]).flat();
}

/** Per resource rN: GET /rN and GET /rN/{id} need rN; POST /rN, PUT and DELETE /rN/{id} need aN. */
function flatCrudRoutes(resources: number): RouteRule[] {
  return Array.from({ length: resources }, (_, i) => [
    { method: 'GET' as const, path: `/r${i}`, scopes: [`r${i}`] },
    { method: 'POST' as const, path: `/r${i}`, scopes: [`a${i}`] },
    { method: 'GET' as const, path: `/r${i}/{id}`, scopes: [`r${i}`] },
    { method: 'PUT' as const, path: `/r${i}/{id}`, scopes: [`a${i}`] },
    { method: 'DELETE' as const, path: `/r${i}/{id}`, scopes: [`a${i}`] },
  ]).flat();
}

const NESTED_REQUEST = {
  r: { method: 'GET', path: '/r0/42' },
  a: { method: 'GET', path: '/r0/42/sub' },
} as const;

function nested(routes: number): RouteTableShape {
  return {
    id: `nested-${routes}` as RouteTableId,
    label: `nested, ${routes.toLocaleString('en-US')} routes`,
    routes: nestedRoutes(routes / 5),
    resources: routes / 5,
    request: NESTED_REQUEST,
  };
}

/** The baseline: resource r0 of the nested table without its greedy route. */
const BASELINE: RouteTableShape = {
  id: 'baseline',
  label: '4-route baseline',
  routes: nestedRoutes(1).filter((r) => !r.path.endsWith('+}')),
  resources: 1,
  request: NESTED_REQUEST,
};

export const ROUTE_TABLES: readonly RouteTableShape[] = [
  BASELINE,
  nested(20),
  nested(100),
  nested(300),
  nested(1000),
  {
    id: 'flat-1000',
    label: 'flat CRUD, 1,000 routes',
    routes: flatCrudRoutes(200),
    resources: 200,
    request: { r: { method: 'GET', path: '/r0/42' }, a: { method: 'PUT', path: '/r0/42' } },
  },
];

export function routeTable(id: RouteTableId): RouteTableShape {
  const table = ROUTE_TABLES.find((t) => t.id === id);
  if (table === undefined) throw new Error(`no route table ${id}`);
  return table;
}

/** The scope claim of a token holding every rN (or aN) of the table. */
export function scopeOf(table: RouteTableShape, set: ScopeSetId): string {
  return Array.from({ length: table.resources }, (_, i) => `${set}${i}`).join(' ');
}

/** Bytes of the long paths: what an attacker can put in one request line. */
export const LONG_PATH_BYTES = 8192;

export type PathKind = 'short' | 'long-value' | 'many-segments';
export const PATH_KINDS: readonly PathKind[] = ['short', 'long-value', 'many-segments'];

/**
 * The held request's path, short; with its `42` grown into one value of LONG_PATH_BYTES in all; or followed by
 * two-byte segments up to that length.
 */
export function pathOf(path: string, kind: PathKind): string {
  if (kind === 'short') return path;
  if (kind === 'long-value') return path.replace('42', '4'.repeat(LONG_PATH_BYTES - path.length + 2));
  return path + '/s'.repeat(Math.floor((LONG_PATH_BYTES - path.length) / 2));
}

/** The segments of a path (with its leading `/`). */
export function segmentCount(path: string): number {
  return path.split('/').length - 1;
}
