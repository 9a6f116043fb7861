// POST /items: create an item for the caller; honours Idempotency-Key so retries never duplicate.
import { createRouteHandler, jsonResponse, readJsonBody, singleHeader, withCorsOrigin } from '../http';
import { parseIdempotencyKey, parseNewItem } from './input';
import { itemsProblem } from './problems';
import { corsAllowOrigin, itemsService, logger } from './runtime';

export const handler = withCorsOrigin(
  createRouteHandler({
    routeId: 'CreateItem',
    logger,
    toProblem: itemsProblem,
    async handle({ event, identity }) {
      const input = parseNewItem(readJsonBody(event));
      const idempotencyKey = parseIdempotencyKey(singleHeader(event, 'Idempotency-Key'));
      const { item, replayed } = await itemsService.create(
        identity,
        input,
        idempotencyKey === undefined ? {} : { idempotencyKey },
      );
      // requestContext.path includes the stage (e.g. /prod/items), so the Location works behind any stage.
      const collection = (event.requestContext?.path ?? event.path ?? '/items').replace(/\/+$/, '');
      return jsonResponse(201, item, {
        Location: `${collection}/${item.id}`,
        ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}),
      });
    },
  }),
  corsAllowOrigin,
);
