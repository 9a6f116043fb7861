// The authorizer's error family. Callers tell members apart with instanceof or switch on `code`.
import { truncate } from './truncate';

/**
 * The longest message a request-time error keeps. Their messages may quote what a token, a discovery document
 * or a JWKS said, and they reach a log line on every request that fails the same way.
 */
export const MAX_ERROR_MESSAGE_CHARS = 512;

/** Why a token was refused. Stable: these codes appear in logs and dashboards. */
export type RejectReason =
  | 'MISSING_TOKEN'
  | 'MALFORMED_HEADER'
  | 'TOKEN_TOO_LARGE'
  | 'MALFORMED_TOKEN'
  | 'UNSUPPORTED_ALGORITHM'
  | 'FORBIDDEN_HEADER'
  | 'WRONG_TOKEN_TYPE'
  | 'MISSING_KID'
  | 'UNKNOWN_KID'
  | 'BAD_SIGNATURE'
  | 'INVALID_CLAIM'
  | 'MISSING_EXP'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'ISSUED_IN_FUTURE'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'WRONG_TOKEN_USE'
  | 'WRONG_CLIENT'
  | 'MISSING_REQUIRED_CLAIM'
  | 'WRONG_CLAIM_VALUE'
  | 'MISSING_JTI'
  | 'TOKEN_REVOKED'
  // Sender-constrained tokens (dpop.ts, sender-constraint.ts).
  | 'UNSUPPORTED_BINDING'
  | 'DPOP_REQUIRED'
  | 'DPOP_TOKEN_NOT_BOUND'
  | 'DPOP_BOUND_TOKEN_AS_BEARER'
  | 'DPOP_NEEDS_REQUEST_EVENT'
  | 'DPOP_MISSING_PROOF'
  | 'DPOP_MALFORMED_PROOF'
  | 'DPOP_UNSUPPORTED_ALGORITHM'
  | 'DPOP_BAD_KEY'
  | 'DPOP_BAD_SIGNATURE'
  | 'DPOP_KEY_MISMATCH'
  | 'DPOP_WRONG_METHOD'
  | 'DPOP_WRONG_URL'
  | 'DPOP_STALE_PROOF'
  | 'DPOP_WRONG_ATH'
  | 'DPOP_REPLAYED'
  // Certificate-bound tokens (mtls.ts).
  | 'MTLS_NEEDS_REQUEST_EVENT'
  | 'MTLS_MISSING_CERTIFICATE'
  | 'MTLS_MALFORMED_CERTIFICATE'
  | 'MTLS_CERTIFICATE_MISMATCH';

/** Why the authorizer could not decide. The token is not at fault, so these never become 401. */
export type FailureCode =
  | 'JWKS_UNAVAILABLE'
  | 'REVOCATION_UNAVAILABLE'
  | 'DPOP_REPLAY_UNAVAILABLE'
  | 'DPOP_NONCE_KEY_UNAVAILABLE'
  | 'INVALID_EVENT'
  | 'INTERNAL';

/**
 * Why a good proof is answered with a server nonce (RFC 9449 §8) instead of a decision: it carries none, or
 * one that is stale, forged or not this server's. A Deny whose context holds the challenge (a 403).
 */
export type ChallengeReason = 'DPOP_NONCE_REQUIRED' | 'DPOP_NONCE_INVALID';

export abstract class AuthorizerError extends Error {
  abstract readonly code: RejectReason | FailureCode | ChallengeReason | 'INVALID_CONFIG';
}

/** The token (or its header) is bad. The handler turns this into exactly Error('Unauthorized'). */
export class TokenRejectedError extends AuthorizerError {
  override readonly name = 'TokenRejectedError';
  constructor(
    readonly code: RejectReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(truncate(message, MAX_ERROR_MESSAGE_CHARS), options);
  }
}

/** The issuer's key set could not be fetched or is unusable. API Gateway answers 5xx (503 via the construct). */
export class JwksUnavailableError extends AuthorizerError {
  override readonly name = 'JwksUnavailableError';
  readonly code = 'JWKS_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(truncate(message, MAX_ERROR_MESSAGE_CHARS), options);
  }
}

/** The revocation store could not be read; failing closed without blaming the token. */
export class RevocationUnavailableError extends AuthorizerError {
  override readonly name = 'RevocationUnavailableError';
  readonly code = 'REVOCATION_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(truncate(message, MAX_ERROR_MESSAGE_CHARS), options);
  }
}

/** The DPoP replay store could not record a proof: failing closed without blaming the proof. */
export class ReplayStoreUnavailableError extends AuthorizerError {
  override readonly name = 'ReplayStoreUnavailableError';
  readonly code = 'DPOP_REPLAY_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(truncate(message, MAX_ERROR_MESSAGE_CHARS), options);
  }
}

/** The DPoP nonce key could not be read or created: failing closed without blaming the proof. */
export class NonceKeyUnavailableError extends AuthorizerError {
  override readonly name = 'NonceKeyUnavailableError';
  readonly code = 'DPOP_NONCE_KEY_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(truncate(message, MAX_ERROR_MESSAGE_CHARS), options);
  }
}

/**
 * A proof that passed every check but the server nonce: the authorizer answers it with a Deny whose context
 * carries `challenge` (the WWW-Authenticate value) and `nonce` (the one to use), not with a 401.
 */
export class NonceChallengeError extends AuthorizerError {
  override readonly name = 'NonceChallengeError';
  constructor(
    readonly code: ChallengeReason,
    message: string,
    readonly nonce: string,
    readonly challenge: string,
  ) {
    super(message);
  }
}

/**
 * The event is not a TOKEN or REQUEST authorizer event API Gateway would send (a malformed methodArn, a
 * REQUEST event without the matched route).
 */
export class InvalidEventError extends AuthorizerError {
  override readonly name = 'InvalidEventError';
  readonly code = 'INVALID_EVENT' as const;
  constructor(message: string) {
    super(truncate(message, MAX_ERROR_MESSAGE_CHARS));
  }
}

/** A configuration variable is missing or invalid. Thrown at cold start, so the init fails loudly. */
export class ConfigError extends AuthorizerError {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG' as const;
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
  }
}
