// Imported first by items tests: fake credentials and region for DynamoDB Local, before any client is built.
import { applyLocalAwsEnv } from '../setup/dynamodb-local';

applyLocalAwsEnv();
