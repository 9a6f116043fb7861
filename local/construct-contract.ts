// Reads what the CDK construct deploys in front of the authorizer (bearer-gate/contract, CDK-free) into the
// local gateway's terms, with this API's options (GATEWAY_RESPONSE_OPTIONS, as the stack passes them to the
// construct), so both answer with the same bytes.
import {
  DEFAULT_MAX_REVOCATION_DELAY_SECONDS,
  DEFAULT_RESULTS_CACHE_TTL_SECONDS,
  DPOP_HEADER,
  IDENTITY_VALIDATION_EXPRESSION,
  buildGatewayResponses,
  gatewayResponseBody,
  type GatewayResponseContract,
  type GatewayResponseOptions,
} from 'bearer-gate/contract';
import { GATEWAY_RESPONSE_OPTIONS } from '../lambda/http';
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
  /** The construct's default resultsCacheTtl, in seconds (JWT_AUTHORIZER_DEFAULTS.resultsCacheTtl). */
  readonly defaultCacheTtlSeconds: number;
  /** The construct's default maxRevocationDelay, in seconds (JWT_AUTHORIZER_DEFAULTS.maxRevocationDelay). */
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
      ...(contract.contextHeaders === undefined ? {} : { contextHeaders: contract.contextHeaders }),
      body: gatewayResponseBody(contract),
    };
  }
  return set;
}

/**
 * The gateway responses the stack deploys (JwtAuthorizer with GATEWAY_RESPONSE_OPTIONS) for an origin: the
 * construct's `corsAllowOrigin` is `CorsOrigin.of(origin)`, or `CorsOrigin.NONE` for null (no CORS headers),
 * and `CorsOrigin.ANY` (`*`) by default.
 */
export function appGatewayResponses(
  allowOrigin: string | null = '*',
  senderConstraint: Pick<GatewayResponseOptions, 'dpop' | 'dpopNonces' | 'resourceMetadataUrl'> = {},
): readonly GatewayResponseContract[] {
  return buildGatewayResponses({
    ...GATEWAY_RESPONSE_OPTIONS,
    ...senderConstraint,
    // The app's own list, plus the proof header when DPoP is on (as a deployment with dpop would list it).
    ...(senderConstraint.dpop === true
      ? { corsAllowHeaders: [...GATEWAY_RESPONSE_OPTIONS.corsAllowHeaders, DPOP_HEADER] }
      : {}),
    allowOrigin,
  });
}

export function constructContract(
  responses: readonly GatewayResponseContract[] = appGatewayResponses(),
  allowOrigin = '*',
): ConstructContract {
  return {
    cors: {
      allowOrigin,
      allowMethods: [...new Set(APP_ROUTES.map((r) => r.method))],
      // The stack's preflight (items-api-stack.ts: defaultCorsPreflightOptions) uses the same lists.
      allowHeaders: [...GATEWAY_RESPONSE_OPTIONS.corsAllowHeaders],
      exposeHeaders: [...GATEWAY_RESPONSE_OPTIONS.corsExposeHeaders],
      maxAgeSeconds: 3600,
    },
    identityValidationExpression: compileValidationExpression(IDENTITY_VALIDATION_EXPRESSION),
    defaultCacheTtlSeconds: DEFAULT_RESULTS_CACHE_TTL_SECONDS,
    defaultMaxRevocationDelaySeconds: DEFAULT_MAX_REVOCATION_DELAY_SECONDS,
    responses: toGatewayResponseSet(responses),
  };
}
