// Cold-start wiring shared by the items handlers: config, logger, DynamoDB client and service, built once.
import { createLogger } from 'bearer-gate/authorizer';
import { parseConfig } from './config';
import { createDocumentClient } from '../shared/dynamodb';
import { createItemsService } from './service';

const config = parseConfig(process.env);

/** CORS_ALLOW_ORIGIN: every items handler is wrapped with it (see lambda/http/cors.ts). */
export const corsAllowOrigin = config.corsAllowOrigin;

export const logger = createLogger('items', config.logLevel);

export const itemsService = createItemsService({
  client: createDocumentClient(config),
  tableName: config.tableName,
  ...(config.legacyOwnerIssuer === undefined ? {} : { legacyOwnerIssuer: config.legacyOwnerIssuer }),
});
