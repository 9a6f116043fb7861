// Public surface of the stacks: the Items API stack and the context reader that configures it.
export {
  CLOCK_SKEW,
  COGNITO_ACCESS_TOKEN_VALIDITY,
  ItemsApiStack,
  RESOURCE_SERVER_ID,
  RESOURCE_SERVER_SCOPES,
} from './items-api-stack';
export type { ItemsApiStackProps } from './items-api-stack';
export { readStackConfig, DEFAULT_CALLBACK_URL, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from './stack-config';
export type { CognitoConfig, ContextReader, ExternalIssuerConfig, ItemsApiConfig } from './stack-config';
