// Reading the parts of an API Gateway REST proxy request: headers, query parameters and a JSON body.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpProblemError } from './problem';

/** 16 KiB: the largest request body any route here accepts, measured in bytes after base64 decoding. */
export const MAX_BODY_BYTES = 16 * 1024;

export type RequestParts = Pick<
  APIGatewayProxyEvent,
  'headers' | 'multiValueHeaders' | 'queryStringParameters' | 'multiValueQueryStringParameters'
> &
  Partial<Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>>;

export function badRequest(
  code: string,
  detail: string,
  extensions?: Readonly<Record<string, string>>,
): HttpProblemError {
  return new HttpProblemError({
    status: 400,
    code,
    title: 'Bad request',
    detail,
    ...(extensions === undefined ? {} : { extensions }),
  });
}

function valuesOf(
  single: Record<string, string | undefined> | null | undefined,
  multi: Record<string, string[] | undefined> | null | undefined,
  name: string,
  caseInsensitive: boolean,
): string[] {
  const matches = (key: string): boolean => (caseInsensitive ? key.toLowerCase() === name : key === name);
  const fromMulti = Object.entries(multi ?? {})
    .filter(([key]) => matches(key))
    .flatMap(([, values]) => values ?? []);
  if (fromMulti.length > 0) return fromMulti;
  return Object.entries(single ?? {})
    .filter(([key, value]) => matches(key) && value !== undefined)
    .map(([, value]) => value as string);
}

/**
 * One header's value, matched case-insensitively. A header sent more than once is a 400: for the headers
 * read here (Content-Type, Idempotency-Key) two values mean the client is confused, and picking one would hide it.
 */
export function singleHeader(event: RequestParts, name: string): string | undefined {
  const values = valuesOf(event.headers, event.multiValueHeaders, name.toLowerCase(), true);
  if (values.length > 1) {
    throw badRequest('DUPLICATE_HEADER', `The ${name} header must be sent at most once.`, { field: name });
  }
  return values[0];
}

/**
 * The query parameters as a plain map. Parameters outside `allowed` and repeated parameters are 400s, so
 * a typo such as `?limt=5` is reported instead of silently ignored.
 */
export function readQuery(event: RequestParts, allowed: readonly string[]): Record<string, string> {
  const names = new Set([
    ...Object.keys(event.queryStringParameters ?? {}),
    ...Object.keys(event.multiValueQueryStringParameters ?? {}),
  ]);
  const query: Record<string, string> = {};
  for (const name of names) {
    if (!allowed.includes(name)) {
      throw badRequest('UNKNOWN_QUERY_PARAMETER', `Unknown query parameter "${name}".`, { field: name });
    }
    const values = valuesOf(event.queryStringParameters, event.multiValueQueryStringParameters, name, false);
    if (values.length > 1) {
      throw badRequest('INVALID_QUERY_PARAMETER', `The query parameter "${name}" must appear at most once.`, {
        field: name,
      });
    }
    if (values[0] !== undefined) query[name] = values[0];
  }
  return query;
}

function unsupportedMediaType(detail: string): HttpProblemError {
  return new HttpProblemError({
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'Unsupported media type',
    detail,
    // RFC 9110 §15.5.16: say which media type would have been accepted.
    headers: { 'Accept-Post': 'application/json' },
  });
}

/** Accepts `application/json` with an optional `charset=utf-8` (RFC 8259 §8.1: JSON is UTF-8). */
export function assertJsonContentType(contentType: string | undefined): void {
  if (contentType === undefined || contentType.trim() === '') {
    throw unsupportedMediaType('The request needs the header Content-Type: application/json.');
  }
  const [mediaType = '', ...params] = contentType.split(';').map((part) => part.trim());
  if (mediaType.toLowerCase() !== 'application/json') {
    throw unsupportedMediaType('The request body must be application/json.');
  }
  for (const param of params) {
    const eq = param.indexOf('=');
    const key = param.slice(0, eq).trim().toLowerCase();
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (eq < 0 || key !== 'charset' || value !== 'utf-8') {
      throw unsupportedMediaType('The only Content-Type parameter accepted is charset=utf-8.');
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body parsed as JSON, after checking Content-Type (415), size (413) and syntax (400).
 * API Gateway base64-encodes bodies whose type it treats as binary, so the size is measured on the decoded bytes.
 */
export function readJsonBody(event: RequestParts, maxBytes: number = MAX_BODY_BYTES): unknown {
  assertJsonContentType(singleHeader(event, 'Content-Type'));
  const raw = event.body ?? '';
  const size = event.isBase64Encoded ? Buffer.byteLength(raw, 'base64') : Buffer.byteLength(raw, 'utf8');
  if (size > maxBytes) {
    throw new HttpProblemError({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      title: 'Payload too large',
      detail: `The request body is ${size} bytes; the limit is ${maxBytes}.`,
    });
  }
  let text: string;
  try {
    text = event.isBase64Encoded ? utf8.decode(Buffer.from(raw, 'base64')) : raw;
  } catch (cause) {
    throw new HttpProblemError({
      status: 400,
      code: 'INVALID_JSON',
      title: 'Bad request',
      detail: 'The request body is not valid UTF-8.',
      cause,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new HttpProblemError({
      status: 400,
      code: 'INVALID_JSON',
      title: 'Bad request',
      detail: 'The request body is not valid JSON.',
      cause,
    });
  }
}
