// The authorizer's error family. Callers tell members apart with instanceof or switch on `code`.
import type { DECISION_REASONS } from '../contract/authorizer-metrics';
import { truncate } from './truncate';

/**
 * The longest message a request-time error keeps. Their messages may quote what a token, a discovery document
 * or a JWKS said, and they reach a log line on every request that fails the same way.
 */
export const MAX_ERROR_MESSAGE_CHARS = 512;

/** Why a token was refused. Stable: these codes appear in logs and dashboards (the list is the metrics'). */
export type RejectReason = (typeof DECISION_REASONS.unauthorized)[number];

/** Why the authorizer could not decide. The token is not at fault, so these never become 401. */
export type FailureCode = (typeof DECISION_REASONS.error)[number];

/**
 * Why a good proof is answered with a server nonce (RFC 9449 §8) instead of a decision: it carries none, or
 * one that is stale, forged or not this server's. A Deny whose context holds the challenge (a 403).
 */
export type ChallengeReason = Extract<
  (typeof DECISION_REASONS.deny)[number],
  'DPOP_NONCE_REQUIRED' | 'DPOP_NONCE_INVALID'
>;

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
