// RFC 9457 problem details: the one error family of the HTTP layer and its application/problem+json body.
import type { APIGatewayProxyResult } from 'aws-lambda';
import { PROBLEM_CONTENT_TYPE, problemTypeUri } from 'bearer-gate/contract';

export { PROBLEM_CONTENT_TYPE };

/**
 * The prefix of this API's problem `type` URIs. RFC 9457 §3.1.1 recommends tag URIs (RFC 4151) for type URIs
 * that are identifiers rather than documentation links, so clients never try to dereference them. The stack
 * gives it to the JwtAuthorizer too, so the gateway's problems and the handlers' share one vocabulary.
 */
export const PROBLEM_TYPE_BASE = 'tag:bearer-gate,2026:problem:';

/** Extra members of a problem body (RFC 9457 §3.2), e.g. the `field` a validation error is about. */
export type ProblemExtensions = Readonly<Record<string, string | number | boolean>>;

export interface ProblemInit {
  readonly status: number;
  /** Stable, machine-readable: clients switch on this, so never change an existing one. */
  readonly code: string;
  /** Short, human-readable summary of the problem type; the same for every occurrence of `code`. */
  readonly title: string;
  /** Human-readable explanation of this occurrence. Must never carry internal detail. */
  readonly detail: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly extensions?: ProblemExtensions;
  readonly cause?: unknown;
}

/** An error that already knows the HTTP answer it should become. */
export class HttpProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: ProblemExtensions;

  constructor(init: ProblemInit) {
    super(`${init.code}: ${init.detail}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HttpProblemError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}

/** The problem `type` URI for a code, the same way the gateway responses make theirs. */
export function problemType(code: string): string {
  return problemTypeUri(code, PROBLEM_TYPE_BASE);
}

export function problemResponse(problem: HttpProblemError): APIGatewayProxyResult {
  // Extensions go first so they can never overwrite the five standard members.
  const body = {
    ...problem.extensions,
    type: problemType(problem.code),
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
  };
  return {
    statusCode: problem.status,
    headers: { ...problem.headers, 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** The answer to anything unexpected: generic on purpose, the details go to the log only. */
export function internalError(cause: unknown): HttpProblemError {
  return new HttpProblemError({
    status: 500,
    code: 'INTERNAL_ERROR',
    title: 'Internal server error',
    detail: 'The server could not complete the request.',
    cause,
  });
}
