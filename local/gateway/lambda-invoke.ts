// Calls a handler in-process the way the Lambda runtime would: the event and the result cross a JSON
// boundary (so undefined values vanish and Dates become strings) and the handler gets a Context.
import type { Context } from 'aws-lambda';
import { LocalStackError } from '../errors';

export type LambdaHandler = (event: never, context: Context) => unknown;

export interface InvokeOptions {
  readonly functionName: string;
  readonly requestId: string;
  /** @default 30000, the API Gateway integration timeout */
  readonly timeoutMs?: number;
}

function jsonBoundary(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

export function lambdaContext(options: InvokeOptions): Context {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const unsupported = (): void => {
    throw new Error('callback-style completion is not supported by the local gateway; return a Promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${options.functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: options.requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Rejects with INTEGRATION_TIMEOUT when the handler has not settled by the deadline, as API Gateway stops waiting. */
export async function invokeLambda(
  handler: LambdaHandler,
  event: unknown,
  options: InvokeOptions,
): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LocalStackError(
            'INTEGRATION_TIMEOUT',
            `${options.functionName} did not answer in ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const result = await Promise.race([
      Promise.resolve(handler(jsonBoundary(event) as never, lambdaContext(options))),
      timeout,
    ]);
    return jsonBoundary(result);
  } finally {
    clearTimeout(timer);
  }
}
