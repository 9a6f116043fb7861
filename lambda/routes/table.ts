// The one route table: every API route, the scopes it requires and the handler that serves it.
// The CDK stack, the authorizer's ROUTES variable and the local gateway all read this table.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What the authorizer needs to know about a route (the shape of the ROUTES variable). */
export interface RouteRule {
  readonly method: HttpMethod;
  /** An API Gateway resource path; `{name}` marks a path parameter. */
  readonly path: string;
  /** The token must hold ALL of these scopes. */
  readonly scopes: readonly string[];
}

/** A route served by a Lambda in this project. */
export interface AppRoute extends RouteRule {
  /** Stable id, used for construct ids and function names. */
  readonly id: string;
  /** Handler entry file, relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** Table access the handler needs. */
  readonly access: 'read' | 'write' | 'readwrite';
}

export const APP_ROUTES: readonly AppRoute[] = Object.freeze([
  {
    id: 'ListItems',
    method: 'GET',
    path: '/items',
    scopes: ['items:read'],
    entry: 'lambda/items/list.ts',
    access: 'read',
  },
  {
    id: 'CreateItem',
    method: 'POST',
    path: '/items',
    scopes: ['items:write'],
    entry: 'lambda/items/create.ts',
    access: 'readwrite',
  },
  {
    id: 'GetItem',
    method: 'GET',
    path: '/items/{id}',
    scopes: ['items:read'],
    entry: 'lambda/items/get.ts',
    access: 'read',
  },
  {
    id: 'DeleteItem',
    method: 'DELETE',
    path: '/items/{id}',
    scopes: ['items:delete'],
    entry: 'lambda/items/delete.ts',
    access: 'readwrite',
  },
] as const satisfies readonly AppRoute[]);

/** The table as the authorizer's ROUTES variable expects it. */
export function toRouteRules(routes: readonly RouteRule[] = APP_ROUTES): RouteRule[] {
  return routes.map(({ method, path, scopes }) => ({ method, path, scopes: [...scopes] }));
}
