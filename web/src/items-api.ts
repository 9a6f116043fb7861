// Calls to the Items API with the in-memory access token, as a bearer token or, when it is DPoP-bound, with a
// fresh proof per request; a refusal becomes an ApiCallError carrying what the API said (status, problem
// body, the exposed WWW-Authenticate, Retry-After and DPoP-Nonce headers).
import * as oauth from 'oauth4webapi';
import type { ApiFailure, FailedCall, Problem } from './api-failure';
import { retryOnceForNonce } from './dpop-key';

export interface Item {
  readonly id: string;
  readonly name: string;
  readonly createdAt?: string;
}

/** What a call needs from the session. */
export interface ApiCredentials {
  readonly accessToken: string;
  /** Signs the proofs of a DPoP-bound token; undefined sends the token as a bearer token. */
  readonly dpop: oauth.DPoPHandle | undefined;
}

export class ApiCallError extends Error {
  readonly code = 'API_CALL_FAILED';
  readonly failure: ApiFailure;
  readonly call: FailedCall;
  constructor(call: FailedCall, failure: ApiFailure) {
    super(`${call.method} ${call.path}: ${failure.status}`);
    this.name = 'ApiCallError';
    this.failure = failure;
    this.call = call;
  }
}

async function readProblem(response: Response): Promise<Problem | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined;
  try {
    return (await response.json()) as Problem;
  } catch {
    return undefined;
  }
}

interface Request {
  readonly method: string;
  readonly body?: string;
}

/** oauth4webapi sends to https only; the local loop's gateway speaks plain http, on loopback alone. */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

async function sendWithProof(
  url: URL,
  token: string,
  dpop: oauth.DPoPHandle,
  init: Request,
): Promise<Response> {
  const headers = new Headers(init.body === undefined ? {} : { 'Content-Type': 'application/json' });
  try {
    // Each attempt signs a new proof: htm, htu (no query), ath of the token, a new jti, and the server's
    // nonce once one was received.
    return await retryOnceForNonce(() =>
      oauth.protectedResourceRequest(token, init.method, url, headers, init.body ?? null, {
        DPoP: dpop,
        // oauth4webapi's own request, not cached, and with our string body (its type allows any body).
        [oauth.customFetch]: (href, options) =>
          fetch(href, {
            method: options.method,
            headers: options.headers,
            body: init.body ?? null,
            redirect: options.redirect,
            signal: options.signal ?? null,
            cache: 'no-store',
          }),
        [oauth.allowInsecureRequests]: isLoopbackHttp(url),
      }),
    );
  } catch (error) {
    // oauth4webapi rejects any answer that carries a challenge; here it is an answer like any other refusal.
    if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response;
    throw error;
  }
}

async function send(
  api: string,
  credentials: ApiCredentials,
  call: Omit<FailedCall, 'scheme'>,
  path: string,
  init: Request,
): Promise<Response> {
  const url = new URL(`${api}${path}`);
  let response: Response;
  if (credentials.dpop === undefined) {
    const headers: Record<string, string> = { Authorization: `Bearer ${credentials.accessToken}` };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    response = await fetch(url, { ...init, headers, cache: 'no-store' });
  } else {
    response = await sendWithProof(url, credentials.accessToken, credentials.dpop, init);
  }
  if (response.ok) return response;
  throw new ApiCallError(
    { ...call, scheme: credentials.dpop === undefined ? 'Bearer' : 'DPoP' },
    {
      status: response.status,
      problem: await readProblem(response),
      wwwAuthenticate: response.headers.get('www-authenticate'),
      retryAfter: response.headers.get('retry-after'),
      dpopNonce: response.headers.get('dpop-nonce'),
    },
  );
}

export async function listItems(api: string, credentials: ApiCredentials): Promise<Item[]> {
  const call = { action: 'list your items', method: 'GET', path: '/items' };
  const response = await send(api, credentials, call, '/items', { method: 'GET' });
  const body = (await response.json()) as { items?: Item[] };
  return body.items ?? [];
}

export async function createItem(api: string, credentials: ApiCredentials, name: string): Promise<Item> {
  const call = { action: 'add an item', method: 'POST', path: '/items' };
  const response = await send(api, credentials, call, '/items', {
    method: 'POST',
    body: JSON.stringify({ name }),
  });
  return (await response.json()) as Item;
}

export async function deleteItem(api: string, credentials: ApiCredentials, id: string): Promise<void> {
  const call = { action: 'delete an item', method: 'DELETE', path: '/items/{id}' };
  await send(api, credentials, call, `/items/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
