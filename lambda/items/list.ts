// GET /items: the caller's items, newest first, a page at a time.
import { createRouteHandler, jsonResponse, readQuery, withCorsOrigin } from '../http';
import { parseListQuery } from './input';
import { itemsProblem } from './problems';
import { corsAllowOrigin, itemsService, logger } from './runtime';

export const handler = withCorsOrigin(
  createRouteHandler({
    routeId: 'ListItems',
    logger,
    toProblem: itemsProblem,
    async handle({ event, identity }) {
      const query = parseListQuery(readQuery(event, ['limit', 'nextToken']));
      const page = await itemsService.list(identity, query);
      return jsonResponse(200, page);
    },
  }),
  corsAllowOrigin,
);
