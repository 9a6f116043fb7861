// Every kind of bad request gets its own exact problem+json answer, and no input at all can produce a 500.
// Runs the real handlers against the shared DynamoDB Local.
import './local-aws-env';
import fc from 'fast-check';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { handler as createHandler } from '../../lambda/items/create';
import { handler as deleteHandler } from '../../lambda/items/delete';
import { handler as getHandler } from '../../lambda/items/get';
import { handler as listHandler } from '../../lambda/items/list';
import { setLogSink } from 'bearer-gate/authorizer';
import type { Caller } from './events';
import { apiEvent, createEvent, newCaller, problemBody } from './events';

const logs: string[] = [];
let restoreSink: () => void;
beforeAll(() => {
  restoreSink = setLogSink((line) => logs.push(line));
});
afterAll(() => restoreSink());

const user = newCaller();
const tokenOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

interface Case {
  readonly name: string;
  readonly handler: Handler;
  readonly event: APIGatewayProxyEvent;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field?: string;
}

const post = (body: unknown, headers: Record<string, string | readonly string[]> = {}) =>
  createEvent(user, body, headers);
const postRaw = (
  body: string,
  headers: Record<string, string | readonly string[]>,
  isBase64Encoded = false,
) => apiEvent({ method: 'POST', resource: '/items', caller: user, headers, body, isBase64Encoded });
const listWith = (query: Record<string, string | readonly string[]>) =>
  apiEvent({ method: 'GET', resource: '/items', caller: user, query });
const JSON_TYPE = { 'Content-Type': 'application/json' };

const NAME_LENGTH = 'The field "name" must be 1-200 characters after trimming.';
const LIMIT = 'limit must be an integer from 1 to 100.';
const BAD_TOKEN = 'nextToken is not a token this API issued.';
const BAD_ID = 'The item id in the path is not a valid item id.';
const BAD_KEY = 'Idempotency-Key must be 1-255 printable ASCII characters without spaces.';
const NOT_JSON_TYPE = 'The request body must be application/json.';

const cases: Case[] = [
  // Body syntax
  {
    name: 'truncated JSON',
    handler: createHandler,
    event: post('{"name":'),
    status: 400,
    code: 'INVALID_JSON',
    detail: 'The request body is not valid JSON.',
  },
  {
    name: 'empty body',
    handler: createHandler,
    event: post(''),
    status: 400,
    code: 'INVALID_JSON',
    detail: 'The request body is not valid JSON.',
  },
  {
    name: 'base64 body that is not UTF-8',
    handler: createHandler,
    event: postRaw(Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), JSON_TYPE, true),
    status: 400,
    code: 'INVALID_JSON',
    detail: 'The request body is not valid UTF-8.',
  },
  // Content-Type
  {
    name: 'no Content-Type',
    handler: createHandler,
    event: postRaw('{"name":"a"}', {}),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'The request needs the header Content-Type: application/json.',
  },
  {
    name: 'text/plain',
    handler: createHandler,
    event: post({ name: 'a' }, { 'Content-Type': 'text/plain' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: NOT_JSON_TYPE,
  },
  {
    name: 'application/jsonx',
    handler: createHandler,
    event: post({ name: 'a' }, { 'Content-Type': 'application/jsonx' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: NOT_JSON_TYPE,
  },
  {
    name: 'form encoding',
    handler: createHandler,
    event: postRaw('name=a', { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: NOT_JSON_TYPE,
  },
  {
    name: 'charset other than UTF-8',
    handler: createHandler,
    event: post({ name: 'a' }, { 'Content-Type': 'application/json; charset=iso-8859-1' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'The only Content-Type parameter accepted is charset=utf-8.',
  },
  {
    name: 'an unknown media type parameter',
    handler: createHandler,
    event: post({ name: 'a' }, { 'Content-Type': 'application/json; v=2' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'The only Content-Type parameter accepted is charset=utf-8.',
  },
  {
    name: 'Content-Type sent twice',
    handler: createHandler,
    event: post({ name: 'a' }, { 'Content-Type': ['application/json', 'text/plain'] }),
    status: 400,
    code: 'DUPLICATE_HEADER',
    detail: 'The Content-Type header must be sent at most once.',
    field: 'Content-Type',
  },
  // Size, in bytes after decoding
  {
    name: 'body of 16385 bytes',
    handler: createHandler,
    event: post(`{"name":"${'a'.repeat(16385 - 11)}"}`),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The request body is 16385 bytes; the limit is 16384.',
  },
  {
    name: '6000 three-byte characters (18011 bytes)',
    handler: createHandler,
    event: post({ name: '€'.repeat(6000) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The request body is 18011 bytes; the limit is 16384.',
  },
  {
    name: 'base64 body that decodes to 16385 bytes',
    handler: createHandler,
    event: postRaw(Buffer.alloc(16385, 0x20).toString('base64'), JSON_TYPE, true),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The request body is 16385 bytes; the limit is 16384.',
  },
  // Body shape and fields
  {
    name: 'a JSON array',
    handler: createHandler,
    event: post([{ name: 'a' }]),
    status: 400,
    code: 'INVALID_BODY',
    detail: 'The request body must be a JSON object.',
  },
  {
    name: 'JSON null',
    handler: createHandler,
    event: post('null'),
    status: 400,
    code: 'INVALID_BODY',
    detail: 'The request body must be a JSON object.',
  },
  {
    name: 'a JSON string',
    handler: createHandler,
    event: post('"a"'),
    status: 400,
    code: 'INVALID_BODY',
    detail: 'The request body must be a JSON object.',
  },
  {
    name: 'an unknown field',
    handler: createHandler,
    event: post({ name: 'a', colour: 'red' }),
    status: 400,
    code: 'UNKNOWN_FIELD',
    detail: 'Unknown field "colour".',
    field: 'colour',
  },
  {
    name: 'a __proto__ field',
    handler: createHandler,
    event: post('{"name":"a","__proto__":{"admin":true}}'),
    status: 400,
    code: 'UNKNOWN_FIELD',
    detail: 'Unknown field "__proto__".',
    field: '__proto__',
  },
  {
    name: 'a client-chosen id',
    handler: createHandler,
    event: post({ name: 'a', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
    status: 400,
    code: 'UNKNOWN_FIELD',
    detail: 'Unknown field "id".',
    field: 'id',
  },
  {
    name: 'no name',
    handler: createHandler,
    event: post({}),
    status: 400,
    code: 'INVALID_FIELD',
    detail: 'The field "name" is required.',
    field: 'name',
  },
  {
    name: 'a numeric name',
    handler: createHandler,
    event: post({ name: 5 }),
    status: 400,
    code: 'INVALID_FIELD',
    detail: 'The field "name" must be a string.',
    field: 'name',
  },
  {
    name: 'a null name',
    handler: createHandler,
    event: post({ name: null }),
    status: 400,
    code: 'INVALID_FIELD',
    detail: 'The field "name" must be a string.',
    field: 'name',
  },
  {
    name: 'an empty name',
    handler: createHandler,
    event: post({ name: '' }),
    status: 400,
    code: 'INVALID_FIELD',
    detail: NAME_LENGTH,
    field: 'name',
  },
  {
    name: 'a name of only spaces',
    handler: createHandler,
    event: post({ name: ' \t\n ' }),
    status: 400,
    code: 'INVALID_FIELD',
    detail: NAME_LENGTH,
    field: 'name',
  },
  {
    name: 'a name of 201 characters',
    handler: createHandler,
    event: post({ name: 'x'.repeat(201) }),
    status: 400,
    code: 'INVALID_FIELD',
    detail: NAME_LENGTH,
    field: 'name',
  },
  {
    name: 'a name with a NUL',
    handler: createHandler,
    event: post({ name: 'a\u0000b' }),
    status: 400,
    code: 'INVALID_FIELD',
    detail: 'The field "name" must not contain control characters or lone surrogates.',
    field: 'name',
  },
  {
    name: 'a name with a lone surrogate',
    handler: createHandler,
    event: post('{"name":"a\\ud800b"}'),
    status: 400,
    code: 'INVALID_FIELD',
    detail: 'The field "name" must not contain control characters or lone surrogates.',
    field: 'name',
  },
  // Idempotency-Key
  {
    name: 'an empty Idempotency-Key',
    handler: createHandler,
    event: post({ name: 'a' }, { 'Idempotency-Key': '' }),
    status: 400,
    code: 'INVALID_IDEMPOTENCY_KEY',
    detail: BAD_KEY,
    field: 'Idempotency-Key',
  },
  {
    name: 'an Idempotency-Key with a space',
    handler: createHandler,
    event: post({ name: 'a' }, { 'Idempotency-Key': 'a b' }),
    status: 400,
    code: 'INVALID_IDEMPOTENCY_KEY',
    detail: BAD_KEY,
    field: 'Idempotency-Key',
  },
  {
    name: 'an Idempotency-Key of 256 characters',
    handler: createHandler,
    event: post({ name: 'a' }, { 'Idempotency-Key': 'k'.repeat(256) }),
    status: 400,
    code: 'INVALID_IDEMPOTENCY_KEY',
    detail: BAD_KEY,
    field: 'Idempotency-Key',
  },
  {
    name: 'an Idempotency-Key sent twice',
    handler: createHandler,
    event: post({ name: 'a' }, { 'Idempotency-Key': ['a', 'b'] }),
    status: 400,
    code: 'DUPLICATE_HEADER',
    detail: 'The Idempotency-Key header must be sent at most once.',
    field: 'Idempotency-Key',
  },
  // limit
  ...['0', '101', '-1', 'abc', '1.5', '05', '1e1', '', ' 5', '1000'].map((limit) => ({
    name: `limit=${JSON.stringify(limit)}`,
    handler: listHandler,
    event: listWith({ limit }),
    status: 400,
    code: 'INVALID_QUERY_PARAMETER',
    detail: LIMIT,
    field: 'limit',
  })),
  {
    name: 'limit given twice',
    handler: listHandler,
    event: listWith({ limit: ['5', '6'] }),
    status: 400,
    code: 'INVALID_QUERY_PARAMETER',
    detail: 'The query parameter "limit" must appear at most once.',
    field: 'limit',
  },
  {
    name: 'an unknown query parameter',
    handler: listHandler,
    event: listWith({ limt: '5' }),
    status: 400,
    code: 'UNKNOWN_QUERY_PARAMETER',
    detail: 'Unknown query parameter "limt".',
    field: 'limt',
  },
  // nextToken
  ...[
    ['garbage', 'not a token!'],
    ['empty', ''],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
    ['an empty object', tokenOf({})],
    ['an unknown version', tokenOf({ v: 2, after: '01ARZ3NDEKTSV4RRFFQ69G5FAV' })],
    ['a malformed id', tokenOf({ v: 1, after: 'ITEM#x' })],
    ['a forged partition', tokenOf({ v: 1, after: '01ARZ3NDEKTSV4RRFFQ69G5FAV', pk: 'OWNER#someone-else' })],
    ['a raw LastEvaluatedKey', tokenOf({ pk: 'OWNER#someone-else', sk: 'ITEM#01ARZ3NDEKTSV4RRFFQ69G5FAV' })],
    ['an overlong token', 'A'.repeat(201)],
  ].map(([what, nextToken]) => ({
    name: `nextToken: ${what}`,
    handler: listHandler,
    event: listWith({ nextToken: nextToken ?? '' }),
    status: 400,
    code: 'INVALID_NEXT_TOKEN',
    detail: BAD_TOKEN,
    field: 'nextToken',
  })),
  // Item ids in the path
  ...[
    'abc',
    '01arz3ndektsv4rrffq69g5fav',
    '01ARZ3NDEKTSV4RRFFQ69G5FAVX',
    '81ARZ3NDEKTSV4RRFFQ69G5FAV',
    'ITEM#01ARZ3NDEKTSV4RRFFQ69G5FAV',
    '',
  ].flatMap((id) => [
    {
      name: `GET id=${JSON.stringify(id)}`,
      handler: getHandler,
      event: apiEvent({ method: 'GET', resource: '/items/{id}', id, caller: user }),
      status: 400,
      code: 'INVALID_ID',
      detail: BAD_ID,
      field: 'id',
    },
    {
      name: `DELETE id=${JSON.stringify(id)}`,
      handler: deleteHandler,
      event: apiEvent({ method: 'DELETE', resource: '/items/{id}', id, caller: user }),
      status: 400,
      code: 'INVALID_ID',
      detail: BAD_ID,
      field: 'id',
    },
  ]),
];

describe('bad input', () => {
  test.each(cases)('$name: $status $code', async ({ handler, event, status, code, detail, field }) => {
    const result = await handler(event);
    expect(result.statusCode).toBe(status);
    const problem = problemBody(result);
    expect(problem).toEqual({
      type: expect.any(String) as unknown,
      title: expect.any(String) as unknown,
      status,
      detail,
      code,
      ...(field === undefined ? {} : { field }),
    });
    expect(result.headers?.['Cache-Control']).toBe('no-store');
  });

  test('415 names the accepted type in Accept-Post', async () => {
    const result = await createHandler(post({ name: 'a' }, { 'Content-Type': 'text/plain' }));
    expect(result.headers?.['Accept-Post']).toBe('application/json');
  });

  test('nothing a refused request asked for was created', async () => {
    const result = await listHandler(listWith({}));
    expect(JSON.parse(result.body)).toEqual({ items: [] });
  });
});

describe('what is accepted at the edges', () => {
  test.each([
    ['application/json; charset=utf-8'],
    ['Application/JSON;Charset=UTF-8'],
    ['application/json;charset="utf-8"'],
  ])('Content-Type %s', async (contentType) => {
    const result = await createHandler(post({ name: 'edge' }, { 'Content-Type': contentType }));
    expect(result.statusCode).toBe(201);
  });

  test('a base64-encoded body (API Gateway binary media) of exactly 16384 bytes is read, not refused', async () => {
    const json = `{"name":"ok"}`.padEnd(16384, ' ');
    const result = await createHandler(postRaw(Buffer.from(json).toString('base64'), JSON_TYPE, true));
    expect(result.statusCode).toBe(201);
  });
});

describe('identity and scopes', () => {
  const routes: [string, Handler, (caller: Caller | null) => APIGatewayProxyEvent][] = [
    ['GET /items', listHandler, (caller) => apiEvent({ method: 'GET', resource: '/items', caller })],
    ['POST /items', createHandler, (caller) => createEvent(caller, { name: 'a' })],
    [
      'GET /items/{id}',
      getHandler,
      (caller) =>
        apiEvent({ method: 'GET', resource: '/items/{id}', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', caller }),
    ],
    [
      'DELETE /items/{id}',
      deleteHandler,
      (caller) =>
        apiEvent({ method: 'DELETE', resource: '/items/{id}', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', caller }),
    ],
  ];

  test.each(routes)('%s without authorizer context is 401', async (_route, handler, build) => {
    const result = await handler(build(null));
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['WWW-Authenticate']).toBe('Bearer');
    expect(problemBody(result)).toMatchObject({
      code: 'UNAUTHENTICATED',
      detail: 'The request carries no authorizer context.',
    });
  });

  test.each(
    routes.flatMap(([route, handler, build]) =>
      [
        ['empty', ''],
        ['over 1 KB', 'u'.repeat(1025)],
        ['not well-formed UTF-16', 'user-\ud800'],
      ].map(([what, sub]) => [route, what, handler, build, sub] as const),
    ),
  )('%s with a subject that is %s is 401', async (_route, _what, handler, build, sub) => {
    const result = await handler(
      build({ sub: sub ?? '', scopes: ['items:read', 'items:write', 'items:delete'] }),
    );
    expect(result.statusCode).toBe(401);
    expect(problemBody(result)).toMatchObject({
      code: 'UNAUTHENTICATED',
      detail: 'The authorizer context names no usable subject.',
    });
  });

  test.each([
    ['GET /items', routes[0], ['items:write', 'items:delete'], 'items:read'],
    ['POST /items', routes[1], ['items:read', 'items:delete'], 'items:write'],
    ['GET /items/{id}', routes[2], ['items:write'], 'items:read'],
    ['DELETE /items/{id}', routes[3], ['items:read', 'items:write'], 'items:delete'],
    ['POST /items, no scopes at all', routes[1], [], 'items:write'],
    ['POST /items, a scope that only starts alike', routes[1], ['items:writer'], 'items:write'],
  ] as const)('%s with too few scopes is 403', async (_name, route, scopes, required) => {
    const [, handler, build] = route ?? [];
    if (handler === undefined || build === undefined) throw new Error('route missing');
    const result = await handler(build(newCaller(scopes)));
    expect(result.statusCode).toBe(403);
    expect(result.headers?.['WWW-Authenticate']).toBe(
      `Bearer error="insufficient_scope", scope="${required}"`,
    );
    expect(problemBody(result)).toMatchObject({ code: 'INSUFFICIENT_SCOPE', title: 'Insufficient scope' });
  });

  test('the scope check comes before the body is read', async () => {
    const result = await createHandler(createEvent(newCaller(['items:read']), '{not json'));
    expect(result.statusCode).toBe(403);
  });

  test('refusals are logged with their reason code', () => {
    const reasons = logs.map((line) => (JSON.parse(line) as { reason?: string }).reason);
    expect(reasons).toEqual(
      expect.arrayContaining(['UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'INVALID_JSON']),
    );
  });
});

describe('no input can produce a 500', () => {
  const headerValue = fc.oneof(
    fc.string(),
    fc.constantFrom('application/json', 'application/json; charset=utf-8'),
  );
  const bodies = fc.oneof(
    fc.string(),
    fc.json(),
    fc.jsonValue().map((v) => JSON.stringify({ name: v })),
    fc.string({ unit: 'binary' }).map((s) => JSON.stringify({ name: s })),
    fc.object().map((o) => JSON.stringify(o)),
  );
  const scopes = fc.subarray(['items:read', 'items:write', 'items:delete', 'admin']);
  const sub = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 1500 }));

  function assertNever500(result: APIGatewayProxyResult): void {
    expect(result.statusCode).not.toBe(500);
    if (result.statusCode >= 400) expect(problemBody(result).code).toMatch(/^[A-Z_]+$/);
  }

  test('POST /items with arbitrary body, headers and identity', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.option(headerValue, { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.boolean(),
        sub,
        scopes,
        async (body, contentType, key, base64, subject, granted) => {
          const headers: Record<string, string> = {};
          if (contentType !== undefined) headers['Content-Type'] = contentType;
          if (key !== undefined) headers['Idempotency-Key'] = key;
          const event = apiEvent({
            method: 'POST',
            resource: '/items',
            caller: { sub: subject, scopes: granted },
            headers,
            body: base64 ? Buffer.from(body).toString('base64') : body,
            isBase64Encoded: base64,
          });
          assertNever500(await createHandler(event));
        },
      ),
      { numRuns: 150 },
    );
  });

  test('GET /items and /items/{id} with arbitrary query, id and identity', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('limit', 'nextToken', 'x'), fc.string()),
        fc.string(),
        sub,
        async (query, id, subject) => {
          const caller = { sub: subject, scopes: ['items:read', 'items:delete'] };
          assertNever500(await listHandler(apiEvent({ method: 'GET', resource: '/items', caller, query })));
          assertNever500(await getHandler(apiEvent({ method: 'GET', resource: '/items/{id}', id, caller })));
          assertNever500(
            await deleteHandler(apiEvent({ method: 'DELETE', resource: '/items/{id}', id, caller })),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
