// Validates a Lambda proxy integration result as API Gateway does; anything malformed is a 502.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { LocalStackError } from '../errors';

export interface HttpResponse {
  readonly statusCode: number;
  /** Header name -> values; repeated headers keep every value. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
}

function malformed(reason: string): LocalStackError {
  return new LocalStackError('INTEGRATION_FAILURE', `malformed Lambda proxy response: ${reason}`);
}

function scalar(value: unknown, field: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw malformed(`${field} must be a string, number or boolean`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseProxyResult(raw: unknown): HttpResponse {
  if (!isRecord(raw)) throw malformed('not an object');
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = raw;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 200 ||
    statusCode > 599
  ) {
    // 1xx is informational, never a final response: written as one, the client would wait for ever.
    throw malformed('statusCode must be an integer final HTTP status, 200 to 599');
  }
  // No prototype: a header the handler names `constructor` or `__proto__` is a header like any other.
  const out = Object.create(null) as Record<string, string[]>;
  const put = (name: string, values: string[]): void => {
    // A name that is not a token, or a value with CR, LF or another control character, cannot go on the wire:
    // refused here, it is the 502 of any result the gateway cannot map, not a crash of the gateway.
    try {
      validateHeaderName(name);
      for (const value of values) validateHeaderValue(name, value);
    } catch {
      throw malformed(`header ${JSON.stringify(name)} is not a valid HTTP header`);
    }
    const existing = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase());
    out[existing ?? name] = values;
  };
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) throw malformed('headers must be an object');
    for (const [name, value] of Object.entries(headers)) put(name, [scalar(value, `headers.${name}`)]);
  }
  // multiValueHeaders wins over headers for the same name.
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isRecord(multiValueHeaders)) throw malformed('multiValueHeaders must be an object');
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values)) throw malformed(`multiValueHeaders.${name} must be an array`);
      put(
        name,
        values.map((v, i) => scalar(v, `multiValueHeaders.${name}[${i}]`)),
      );
    }
  }
  if (body !== undefined && body !== null && typeof body !== 'string')
    throw malformed('body must be a string');
  if (isBase64Encoded !== undefined && isBase64Encoded !== null && typeof isBase64Encoded !== 'boolean') {
    throw malformed('isBase64Encoded must be a boolean');
  }
  const text = body ?? '';
  if (!Object.keys(out).some((k) => k.toLowerCase() === 'content-type'))
    out['Content-Type'] = ['application/json'];
  return {
    statusCode,
    headers: out,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}
