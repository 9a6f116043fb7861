// DELETE /items/{id}: delete one of the caller's items; someone else's is 404, exactly like a missing one.
import { createRouteHandler, noContentResponse, withCorsOrigin } from '../http';
import { parseItemId } from './input';
import { itemNotFound, itemsProblem } from './problems';
import { corsAllowOrigin, itemsService, logger } from './runtime';

export const handler = withCorsOrigin(
  createRouteHandler({
    routeId: 'DeleteItem',
    logger,
    toProblem: itemsProblem,
    async handle({ event, identity }) {
      const deleted = await itemsService.remove(identity, parseItemId(event.pathParameters));
      if (!deleted) throw itemNotFound();
      return noContentResponse();
    },
  }),
  corsAllowOrigin,
);
