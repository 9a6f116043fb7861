// Cold-start wiring for the revocation admin Lambda: config, logger, DynamoDB client and service, built once.
import { createDocumentClient } from '../shared/dynamodb';
import { createLogger } from 'bearer-gate/authorizer';
import { parseConfig } from './config';
import { createRevocationService } from './service';

export const config = parseConfig(process.env);

export const logger = createLogger('revocations', config.logLevel);

export const revocationService = createRevocationService({
  client: createDocumentClient({ endpoint: config.endpoint }),
  tableName: config.tableName,
  maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds,
});
