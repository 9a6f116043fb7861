// Reads what the CDK construct deploys in front of the authorizer (infra/constructs/gateway-contract.ts,
// CDK-free) into the local gateway's terms, so both answer with the same bytes.
import {
  DEFAULT_RESULTS_CACHE_TTL_SECONDS,
  GATEWAY_RESPONSES,
  IDENTITY_VALIDATION_EXPRESSION,
  gatewayResponseBody,
  type GatewayResponseContract,
} from '../infra/constructs/gateway-contract';
import { compileValidationExpression } from './gateway/identity-source';
import type {
  GatewayResponseSet,
  GatewayResponseSpec,
  GatewayResponseType,
} from './gateway/gateway-responses';

export interface ConstructContract {
  readonly identityValidationExpression: RegExp;
  readonly defaultCacheTtlSeconds: number;
  readonly responses: GatewayResponseSet;
}

export function toGatewayResponseSet(contracts: readonly GatewayResponseContract[]): GatewayResponseSet {
  const set: Partial<Record<GatewayResponseType, GatewayResponseSpec>> = {};
  for (const contract of contracts) {
    set[contract.type] = {
      ...(contract.statusCode === undefined ? {} : { statusCode: contract.statusCode }),
      headers: contract.headers,
      body: gatewayResponseBody(contract),
    };
  }
  return set;
}

export function constructContract(
  responses: readonly GatewayResponseContract[] = GATEWAY_RESPONSES,
): ConstructContract {
  return {
    identityValidationExpression: compileValidationExpression(IDENTITY_VALIDATION_EXPRESSION),
    defaultCacheTtlSeconds: DEFAULT_RESULTS_CACHE_TTL_SECONDS,
    responses: toGatewayResponseSet(responses),
  };
}
