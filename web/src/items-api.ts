// Calls to the Items API with the in-memory access token; a refusal becomes an ApiCallError carrying what
// the API said (status, problem body, the exposed WWW-Authenticate and Retry-After headers).
import type { ApiFailure, FailedCall, Problem } from './api-failure';

export interface Item {
  readonly id: string;
  readonly name: string;
  readonly createdAt?: string;
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

async function send(
  api: string,
  token: string,
  call: FailedCall,
  url: string,
  init: { method: string; body?: string },
): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${api}${url}`, { ...init, headers, cache: 'no-store' });
  if (response.ok) return response;
  throw new ApiCallError(call, {
    status: response.status,
    problem: await readProblem(response),
    wwwAuthenticate: response.headers.get('www-authenticate'),
    retryAfter: response.headers.get('retry-after'),
  });
}

export async function listItems(api: string, token: string): Promise<Item[]> {
  const call = { action: 'list your items', method: 'GET', path: '/items' };
  const response = await send(api, token, call, '/items', { method: 'GET' });
  const body = (await response.json()) as { items?: Item[] };
  return body.items ?? [];
}

export async function createItem(api: string, token: string, name: string): Promise<Item> {
  const call = { action: 'add an item', method: 'POST', path: '/items' };
  const response = await send(api, token, call, '/items', { method: 'POST', body: JSON.stringify({ name }) });
  return (await response.json()) as Item;
}

export async function deleteItem(api: string, token: string, id: string): Promise<void> {
  const call = { action: 'delete an item', method: 'DELETE', path: '/items/{id}' };
  await send(api, token, call, `/items/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
