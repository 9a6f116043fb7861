// API Gateway's gateway responses: the answers the gateway itself gives (401, 403, 5xx) before or instead
// of an integration. Defaults are AWS's; a deployment's customizations are laid over them.

import type { GatewayResponseType } from 'bearer-gate/contract';

// The same response types the construct customizes: one list, declared in the CDK-free contract.
export type { GatewayResponseType };

/** One customization as a RestApi declares it (`addGatewayResponse`). */
export interface GatewayResponseSpec {
  /** Undefined keeps the status of the underlying error (how DEFAULT_4XX / DEFAULT_5XX usually look). */
  readonly statusCode?: number;
  /** Header name -> value, already unquoted (CDK writes `"'value'"` for a static value). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Header name -> key of the Lambda authorizer's context (`context.authorizer.<key>` on AWS). Only a Deny's
   * ACCESS_DENIED has a context to read.
   */
  readonly contextHeaders?: Readonly<Record<string, string>>;
  /** A response template for application/json; `$context.error.messageString` etc. are filled in. */
  readonly body?: string;
}

export type GatewayResponseSet = Partial<Readonly<Record<GatewayResponseType, GatewayResponseSpec>>>;

export interface RenderedResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/** AWS's own status codes when a response type is not customized. */
const AWS_DEFAULTS: Readonly<Record<GatewayResponseType, number>> = {
  UNAUTHORIZED: 401,
  ACCESS_DENIED: 403,
  AUTHORIZER_FAILURE: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  MISSING_AUTHENTICATION_TOKEN: 403,
  BAD_REQUEST_BODY: 400,
  THROTTLED: 429,
  DEFAULT_4XX: 400,
  DEFAULT_5XX: 500,
};

export interface ErrorContext {
  /** `$context.error.message`; null where AWS gives no message (authorizer failures). */
  readonly message: string | null;
  readonly requestId: string;
  /** The context of the authorizer's policy, for ACCESS_DENIED: what `context.authorizer.<key>` reads. */
  readonly authorizer?: Readonly<Record<string, string | number | boolean>>;
}

function fallbackType(type: GatewayResponseType): 'DEFAULT_4XX' | 'DEFAULT_5XX' {
  return AWS_DEFAULTS[type] >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
}

/** Fills the `$context` variables API Gateway supports in gateway response templates and headers. */
export function renderTemplate(template: string, type: GatewayResponseType, ctx: ErrorContext): string {
  const values: Record<string, string> = {
    '$context.error.messageString': ctx.message === null ? 'null' : JSON.stringify(ctx.message),
    '$context.error.message': ctx.message ?? '',
    '$context.error.responseType': type,
    '$context.requestId': ctx.requestId,
  };
  return template.replace(
    /\$context\.(?:error\.messageString|error\.message|error\.responseType|requestId)/g,
    (name) => values[name] ?? name,
  );
}

/**
 * A response type that is not customized takes DEFAULT_4XX / DEFAULT_5XX's headers and template (if those
 * are customized) with its own status code, which is how API Gateway applies the defaults.
 */
export function renderGatewayResponse(
  responses: GatewayResponseSet,
  type: GatewayResponseType,
  ctx: ErrorContext,
  /** The status of the underlying error, for the DEFAULT_* types (e.g. 502 for a failed integration). */
  underlyingStatus?: number,
): RenderedResponse {
  const own = responses[type];
  const fallback = responses[fallbackType(type)];
  const spec = own ?? fallback;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  for (const [name, value] of Object.entries(spec?.headers ?? {}))
    headers[name] = renderTemplate(value, type, ctx);
  // AWS's documentation does not say what a header mapped from an absent context value becomes. It is
  // omitted here, as emulators of API Gateway's parameter mappings omit a mapping whose source has no value;
  // the authorizer never relies on it for a DPoP decision (it always sets both keys there).
  for (const [name, key] of Object.entries(own?.contextHeaders ?? {})) {
    const value = ctx.authorizer?.[key];
    if (value !== undefined && value !== '') headers[name] = String(value);
  }
  return {
    statusCode: own?.statusCode ?? underlyingStatus ?? AWS_DEFAULTS[type],
    headers,
    body: renderTemplate(spec?.body ?? DEFAULT_TEMPLATE, type, ctx),
  };
}

/** The message API Gateway puts in `$context.error.message` for each situation. */
export const GATEWAY_MESSAGES = Object.freeze({
  unauthorized: 'Unauthorized',
  explicitDeny: 'User is not authorized to access this resource with an explicit deny',
  implicitDeny: 'User is not authorized to access this resource',
  missingAuthenticationToken: 'Missing Authentication Token',
  internalServerError: 'Internal server error',
  integrationTimeout: 'Endpoint request timed out',
});
