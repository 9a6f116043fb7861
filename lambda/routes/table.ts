// The one route table: every API route, the scopes it requires and the handler that serves it.
// The CDK stack, the authorizer's ROUTES variable and the local gateway all read this table.

import type { RouteRule } from 'bearer-gate/contract';

export type { HttpMethod, RouteRule } from 'bearer-gate/contract';

/** A route served by a Lambda in this project. */
export interface AppRoute extends RouteRule {
  /** Stable id, used for construct ids and function names. */
  readonly id: string;
  /** Handler entry file, relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** The DynamoDB table the handler uses: the stack grants access to that table and no other. */
  readonly table: RouteTable;
  /** Access the handler needs to its table. */
  readonly access: 'read' | 'write' | 'readwrite';
}

/** The project's tables: the items table, and the revocation table (token denylist, subject cut-offs). */
export type RouteTable = 'items' | 'revocations';

export const APP_ROUTES: readonly AppRoute[] = Object.freeze([
  {
    id: 'ListItems',
    method: 'GET',
    path: '/items',
    scopes: ['items:read'],
    entry: 'lambda/items/list.ts',
    table: 'items',
    access: 'read',
  },
  {
    id: 'CreateItem',
    method: 'POST',
    path: '/items',
    scopes: ['items:write'],
    entry: 'lambda/items/create.ts',
    table: 'items',
    access: 'readwrite',
  },
  {
    id: 'GetItem',
    method: 'GET',
    path: '/items/{id}',
    scopes: ['items:read'],
    entry: 'lambda/items/get.ts',
    table: 'items',
    access: 'read',
  },
  {
    id: 'DeleteItem',
    method: 'DELETE',
    path: '/items/{id}',
    scopes: ['items:delete'],
    entry: 'lambda/items/delete.ts',
    table: 'items',
    access: 'readwrite',
  },
  {
    id: 'CreateRevocation',
    method: 'POST',
    path: '/revocations',
    scopes: ['tokens:revoke'],
    entry: 'lambda/revocation/create.ts',
    // Conditional UpdateItem only: the admin Lambda never reads entries, so it gets no read access.
    table: 'revocations',
    access: 'write',
  },
] as const satisfies readonly AppRoute[]);

/** The table as the authorizer's ROUTES variable expects it. */
export function toRouteRules(routes: readonly RouteRule[] = APP_ROUTES): RouteRule[] {
  return routes.map(({ method, path, scopes }) => ({ method, path, scopes: [...scopes] }));
}
