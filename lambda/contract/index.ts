// The CDK-free contract the authorizer and the construct share: the route table, its validator, and how a
// table becomes IAM policies.
export { CONCRETE_METHODS, RouteTableError, pathParts, validateRouteTable } from './route-rules';
export type { HttpMethod, RouteRule } from './route-rules';
export { RouteSet, decideCaching, describeConflicts, describeRoute } from './route-set';
export type { AuthorizerCaching, CachingDecision, RouteConflict, RouteDecision } from './route-set';
