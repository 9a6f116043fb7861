// The items API returns the DPoP server nonce the authorizer put in its context (RFC 9449 §8.2) as DPoP-Nonce,
// on its answers of every kind, through the handlers' public entry points and DynamoDB Local; a context
// without one, or with a value that is not a nonce's, adds no header.
import './local-aws-env';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { handler as createHandler } from '../../lambda/items/create';
import { handler as getHandler } from '../../lambda/items/get';
import { handler as listHandler } from '../../lambda/items/list';
import { setLogSink } from 'bearer-gate/authorizer';
import { apiEvent, createEvent, newCaller } from './events';

let restoreSink: () => void;
beforeAll(() => {
  restoreSink = setLogSink(() => undefined);
});
afterAll(() => restoreSink());

const NONCE = 'AAAAAAHI9FDo0XcdddDFN_thQ9Ql5-0-L5_AeaVDyBgUolNIKyafmw';

function withNonce(event: APIGatewayProxyEvent, nonce: unknown): APIGatewayProxyEvent {
  const authorizer = { ...event.requestContext.authorizer, dpopNonce: nonce };
  return { ...event, requestContext: { ...event.requestContext, authorizer } };
}

const caller = newCaller();
type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
test.each<[string, Handler, () => APIGatewayProxyEvent, number]>([
  ['a list (200)', listHandler, () => apiEvent({ method: 'GET', resource: '/items', caller }), 200],
  ['a created item (201)', createHandler, () => createEvent(caller, { name: 'nonce' }), 201],
  [
    'a missing item (404 problem)',
    getHandler,
    () => apiEvent({ method: 'GET', resource: '/items/{id}', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', caller }),
    404,
  ],
  ['a bad body (400 problem)', createHandler, () => createEvent(caller, '{', {}), 400],
])('%s carries the context nonce as DPoP-Nonce', async (_name, handler, event, status) => {
  const result = await handler(withNonce(event(), NONCE));
  expect(result.statusCode).toBe(status);
  expect(result.headers?.['DPoP-Nonce']).toBe(NONCE);
});

test.each<[string, unknown]>([
  ['no nonce in the context', undefined],
  ['an empty value', ''],
  ['a value with a line break', `${NONCE}\r\nSet-Cookie: a=b`],
  ['a value with a space', 'a b'],
])('%s: no DPoP-Nonce header', async (_name, nonce) => {
  const event = apiEvent({ method: 'GET', resource: '/items', caller });
  const result = await listHandler(nonce === undefined ? event : withNonce(event, nonce));
  expect(result.statusCode).toBe(200);
  expect(result.headers).not.toHaveProperty('DPoP-Nonce');
});
