// Reads what the CDK construct deploys in front of the authorizer (infra/constructs/gateway-contract.ts,
// CDK-free) into the local gateway's terms, so both answer with the same bytes.
import {
  DEFAULT_MAX_REVOCATION_DELAY_SECONDS,
  DEFAULT_RESULTS_CACHE_TTL_SECONDS,
  GATEWAY_RESPONSES,
  IDENTITY_VALIDATION_EXPRESSION,
  corsHeaders,
  gatewayResponseBody,
  type GatewayResponseContract,
} from '../infra/constructs/gateway-contract';
import { APP_ROUTES } from '../lambda/routes';
import { compileValidationExpression } from './gateway/identity-source';
import type { CorsPreflight } from './gateway/server';
import type {
  GatewayResponseSet,
  GatewayResponseSpec,
  GatewayResponseType,
} from './gateway/gateway-responses';

export interface ConstructContract {
  readonly identityValidationExpression: RegExp;
  readonly defaultCacheTtlSeconds: number;
  /** The construct's default maxRevocationDelay, in seconds. */
  readonly defaultMaxRevocationDelaySeconds: number;
  readonly responses: GatewayResponseSet;
  /** The stack's CORS preflight (items-api-stack.ts: defaultCorsPreflightOptions). */
  readonly cors: CorsPreflight;
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

/** The headers the stack's preflight exposes (items-api-stack.ts), besides the contract's allow list. */
const EXPOSED_HEADERS = ['Location', 'WWW-Authenticate', 'Retry-After'];

export function constructContract(
  responses: readonly GatewayResponseContract[] = GATEWAY_RESPONSES,
  allowOrigin = '*',
): ConstructContract {
  const allowHeaders = corsHeaders(allowOrigin)['Access-Control-Allow-Headers'] ?? '';
  return {
    cors: {
      allowOrigin,
      allowMethods: [...new Set(APP_ROUTES.map((r) => r.method))],
      allowHeaders: allowHeaders.split(','),
      exposeHeaders: EXPOSED_HEADERS,
      maxAgeSeconds: 3600,
    },
    identityValidationExpression: compileValidationExpression(IDENTITY_VALIDATION_EXPRESSION),
    defaultCacheTtlSeconds: DEFAULT_RESULTS_CACHE_TTL_SECONDS,
    defaultMaxRevocationDelaySeconds: DEFAULT_MAX_REVOCATION_DELAY_SECONDS,
    responses: toGatewayResponseSet(responses),
  };
}
