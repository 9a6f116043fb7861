// What the Lambda runtime says about one invocation, read by the handlers and put on the log lines under
// Powertools' names (function_request_id, xray_trace_id), so a decision line can be matched to API Gateway's
// logs and to its trace.

export interface Invocation {
  /** The Lambda request id (`context.awsRequestId`). */
  readonly requestId: string;
  /** The function's name (`context.functionName`): the ColdStart metric's `function_name`. */
  readonly functionName: string;
  /** The X-Ray trace id (the `Root` of `_X_AMZN_TRACE_ID`); undefined when the invocation is not traced. */
  readonly traceId: string | undefined;
}

/** The part of the Lambda Context read here. */
export interface LambdaContextFields {
  readonly awsRequestId: string;
  readonly functionName: string;
}

/** The `Root` of an X-Ray trace header (`Root=1-…;Parent=…;Sampled=1`), if it has one. */
export function traceRoot(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  let at = 0;
  if (!header.startsWith('Root=')) {
    at = header.indexOf(';Root=') + 1;
    if (at === 0) return undefined;
  }
  const end = header.indexOf(';', at);
  const root = header.slice(at + 5, end === -1 ? undefined : end);
  return root === '' ? undefined : root;
}

/**
 * The invocation a handler is called for: `traceHeader` is `_X_AMZN_TRACE_ID`, which the runtime sets in the
 * environment for each invocation. Undefined without a context (a caller that is not the Lambda runtime).
 */
export function lambdaInvocation(
  context: LambdaContextFields | undefined,
  traceHeader: string | undefined,
): Invocation | undefined {
  if (context === undefined || context === null) return undefined;
  return {
    requestId: String(context.awsRequestId),
    functionName: String(context.functionName),
    traceId: traceRoot(traceHeader),
  };
}
