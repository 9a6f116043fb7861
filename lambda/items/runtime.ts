// Cold-start wiring shared by the items handlers: config, logger, DynamoDB client and service, built once.
import { createLogger } from '../shared/log';
import { parseConfig } from './config';
import { createDocumentClient } from './dynamodb-client';
import { createItemsService } from './service';

const config = parseConfig(process.env);

export const logger = createLogger('items', config.logLevel);

export const itemsService = createItemsService({
  client: createDocumentClient(config),
  tableName: config.tableName,
});
