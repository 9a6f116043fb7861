// GET /items/{id}: one of the caller's items; someone else's is 404, exactly like a missing one.
import { createRouteHandler, jsonResponse, withCorsOrigin } from '../http';
import { parseItemId } from './input';
import { itemNotFound, itemsProblem } from './problems';
import { corsAllowOrigin, itemsService, logger } from './runtime';

export const handler = withCorsOrigin(
  createRouteHandler({
    routeId: 'GetItem',
    logger,
    toProblem: itemsProblem,
    async handle({ event, identity }) {
      const item = await itemsService.get(identity, parseItemId(event.pathParameters));
      if (item === undefined) throw itemNotFound();
      return jsonResponse(200, item);
    },
  }),
  corsAllowOrigin,
);
