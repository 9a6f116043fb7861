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
      // requestContext.path is the path the client sent (with the stage on execute-api, e.g. /prod/items, or
      // the base path on a custom domain), so the Location works behind either.
      const collection = (event.requestContext?.path ?? event.path ?? '/items').replace(/\/+$/, '');
      return jsonResponse(201, item, {
        Location: `${collection}/${item.id}`,
        ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}),
      });
    },
  }),
  corsAllowOrigin,
);
