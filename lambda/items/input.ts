// Validation of what the items routes accept: the create body, list query, item id and Idempotency-Key.
// Each failure is a 400 problem that names the offending field.
import type { HttpProblemError } from '../http';
import { badRequest } from '../http';
import { isItemId } from './item-id';
import type { NewItem } from './service';

export const NAME_MAX_CHARS = 200;
export const LIMIT_DEFAULT = 20;
export const LIMIT_MAX = 100;
const IDEMPOTENCY_KEY_MAX = 255;

// Control characters and lone surrogates (which JSON escapes such as "\ud800" can produce) have no place in a name.
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cs}]/u;

function invalidField(field: string, detail: string): HttpProblemError {
  return badRequest('INVALID_FIELD', detail, { field });
}

export function parseNewItem(body: unknown): NewItem {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('INVALID_BODY', 'The request body must be a JSON object.');
  }
  const record = body as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (field !== 'name') throw badRequest('UNKNOWN_FIELD', `Unknown field "${field}".`, { field });
  }
  const { name } = record;
  if (name === undefined) throw invalidField('name', 'The field "name" is required.');
  if (typeof name !== 'string') throw invalidField('name', 'The field "name" must be a string.');
  const trimmed = name.trim();
  // Length in code points, the "characters" a user counts; an emoji is one, not two.
  const length = [...trimmed].length;
  if (length < 1 || length > NAME_MAX_CHARS) {
    throw invalidField('name', `The field "name" must be 1-${NAME_MAX_CHARS} characters after trimming.`);
  }
  if (FORBIDDEN_IN_NAME.test(trimmed)) {
    throw invalidField('name', 'The field "name" must not contain control characters or lone surrogates.');
  }
  return { name: trimmed };
}

export interface ListQuery {
  readonly limit: number;
  readonly nextToken?: string;
}

export function parseListQuery(query: Readonly<Record<string, string>>): ListQuery {
  let limit = LIMIT_DEFAULT;
  if (query.limit !== undefined) {
    // Plain decimal only: "1e1", "0x10", " 5" and "05" are all refused rather than guessed at.
    if (!/^[1-9][0-9]{0,2}$/.test(query.limit) || Number(query.limit) > LIMIT_MAX) {
      throw badRequest('INVALID_QUERY_PARAMETER', `limit must be an integer from 1 to ${LIMIT_MAX}.`, {
        field: 'limit',
      });
    }
    limit = Number(query.limit);
  }
  if (query.nextToken === undefined) return { limit };
  return { limit, nextToken: query.nextToken };
}

export function parseItemId(pathParameters: Readonly<Record<string, string | undefined>> | null): string {
  const id = pathParameters?.id;
  if (id === undefined || !isItemId(id)) {
    throw badRequest('INVALID_ID', 'The item id in the path is not a valid item id.', { field: 'id' });
  }
  return id;
}

/** Printable ASCII, 1-255 characters (draft-ietf-httpapi-idempotency-key-header uses a short opaque string). */
export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length < 1 || value.length > IDEMPOTENCY_KEY_MAX || !/^[\x21-\x7e]+$/.test(value)) {
    throw badRequest(
      'INVALID_IDEMPOTENCY_KEY',
      `Idempotency-Key must be 1-${IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces.`,
      { field: 'Idempotency-Key' },
    );
  }
  return value;
}
