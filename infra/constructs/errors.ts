// The infra layer's one error family: a construct prop or a CDK context value that cannot work.

export type InfraErrorCode = 'INVALID_PROP' | 'INVALID_CONTEXT' | 'ROUTE_CONFLICT';

/**
 * Thrown while the construct tree is built, so `cdk synth` stops before anything reaches AWS.
 * The message names the prop (or context key), the bad value and the fix.
 */
export class InfraConfigError extends Error {
  readonly code: InfraErrorCode;
  /** The prop, context key or route the error is about, e.g. `resultsCacheTtl`. */
  readonly subject: string;

  constructor(code: InfraErrorCode, subject: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfraConfigError';
    this.code = code;
    this.subject = subject;
  }
}
