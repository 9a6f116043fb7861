// Loads each route's Lambda handler from the route table's `entry` file, the same files the CDK stack bundles.
import { resolve } from 'node:path';
import { APP_ROUTES, type AppRoute } from '../lambda/routes';
import { LocalStackError } from './errors';
import type { GatewayRouteBinding, LambdaHandler } from './gateway';

const PROJECT_ROOT = resolve(__dirname, '..');

/**
 * Handlers read their configuration (ITEMS_TABLE, DYNAMODB_ENDPOINT) when their module loads, as at a Lambda
 * cold start, so the caller sets process.env before calling this.
 */
export async function loadRouteHandlers(
  routes: readonly AppRoute[] = APP_ROUTES,
): Promise<GatewayRouteBinding[]> {
  return Promise.all(
    routes.map(async (route) => {
      const file = resolve(PROJECT_ROOT, route.entry);
      const loaded = (await import(file)) as { handler?: unknown; default?: { handler?: unknown } };
      // A CommonJS module seen through import() may carry its exports on `default` only.
      const handler = loaded.handler ?? loaded.default?.handler;
      if (typeof handler !== 'function') {
        throw new LocalStackError('START_FAILED', `${route.entry} does not export a handler function`);
      }
      return { method: route.method, path: route.path, id: route.id, handler: handler as LambdaHandler };
    }),
  );
}
