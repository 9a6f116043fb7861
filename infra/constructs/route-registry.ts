// The routes a JwtAuthorizer has recorded (its routes prop, then every addRoutes()/addMethod()), checked as
// each arrives by the one route table validator the Lambda runs at init and the SAM template's route file
// meets there too (lambda/contract/route-rules.ts): a table the construct accepts, the Lambda accepts.
import { RouteTableError, validateRouteTable, type RouteRule } from '../../lambda/contract/route-rules';
import { describeRoute } from '../../lambda/contract/route-set';
import { PropProblems, propError } from './prop-checks';

const FIX = 'Fix the route table.';

/**
 * Checks a whole table, reporting each problem under its place (`routes[0].path`, or `where` for the last
 * entry when it is a route being added). Returns the checked table, or the valid prefix when a route failed.
 */
export function checkRouteTable(
  p: PropProblems,
  table: readonly RouteRule[],
  label: string,
  where?: string,
): RouteRule[] {
  try {
    return validateRouteTable(table, label);
  } catch (error) {
    if (!(error instanceof RouteTableError)) throw error;
    const last = `${label}[${table.length - 1}]`;
    const at =
      where !== undefined && error.at.startsWith(last) ? where + error.at.slice(last.length) : error.at;
    p.add(at, error.problem, FIX);
    return [];
  }
}

export class RouteRegistry {
  private readonly rules: RouteRule[];
  private closed = false;

  /** `initial`: the routes prop, checked already. `path`: the construct's, for errors. */
  constructor(
    private readonly path: string,
    initial: readonly RouteRule[],
  ) {
    this.rules = [...initial];
  }

  get routes(): readonly RouteRule[] {
    return this.rules;
  }

  /**
   * Appends `route` once it passes the validator with the routes before it. `where` names it in errors
   * (`route GET /orders`). Throws at once, naming the construct's path: the caller is adding routes now.
   */
  record(where: string, route: RouteRule): void {
    if (this.closed) {
      throw propError(this.path, 'ROUTE_CONFLICT', {
        prop: where,
        problem: 'was added after synthesis began',
        fix: 'Add every route before synth.',
      });
    }
    if (this.rules.some((r) => r.method === route.method && r.path === route.path)) {
      throw propError(this.path, 'ROUTE_CONFLICT', {
        prop: `route ${describeRoute(route)}`,
        problem: 'is declared twice',
        fix: 'Declare each method and path once in the route table.',
      });
    }
    const p = new PropProblems(this.path);
    const checked = checkRouteTable(p, [...this.rules, route], 'routes', where);
    p.throwIfAny();
    this.rules.push(checked[checked.length - 1]!);
  }

  /** No route may be added once the code asset that carries the table is made. */
  close(): void {
    this.closed = true;
  }
}
