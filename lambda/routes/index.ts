// Public surface of the route table.
export { APP_ROUTES, toRouteRules } from './table';
export type { AppRoute, HttpMethod, RouteRule, RouteTable } from './table';
