// The local loop's error family: settings, the gateway emulator, the local issuer and the login client.

export type LocalErrorCode =
  /** An environment variable or CLI flag has a bad value. */
  | 'INVALID_SETTING'
  /** The Lambda authorizer returned something API Gateway would refuse (AUTHORIZER_CONFIGURATION_ERROR). */
  | 'AUTHORIZER_CONFIGURATION'
  /** An integration Lambda threw or returned a malformed proxy result (API Gateway answers 502). */
  | 'INTEGRATION_FAILURE'
  /** An integration Lambda did not answer within the integration timeout (API Gateway answers 504). */
  | 'INTEGRATION_TIMEOUT'
  /** No running local stack was found (no .local-stack.json). */
  | 'STACK_NOT_RUNNING'
  /** The authorization code flow did not produce a token. */
  | 'LOGIN_FAILED'
  /** A child process (DynamoDB Local) did not start. */
  | 'START_FAILED';

export class LocalStackError extends Error {
  override readonly name: string = 'LocalStackError';
  constructor(
    readonly code: LocalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad setting; the message names the variable or flag and what it expected. */
export class SettingError extends LocalStackError {
  override readonly name: string = 'SettingError';
  constructor(
    readonly setting: string,
    expected: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_SETTING', `${setting} ${expected}`, options);
  }
}
