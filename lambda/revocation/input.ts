// Validation of the POST /revocations body: `{tokenId, expiresAt}` or `{subject}`, nothing else.
import { badRequest } from '../http';

export type RevocationRequest =
  | { readonly kind: 'token'; readonly tokenId: string; readonly expiresAt: number }
  | { readonly kind: 'subject'; readonly subject: string };

const MAX_ID_CHARS = 256;
const ONE_YEAR_SECONDS = 365 * 24 * 3600;
const PRINTABLE = /^[\x21-\x7e]+$/;

function field(name: string, detail: string) {
  return badRequest('INVALID_FIELD', detail, { field: name });
}

function identifier(name: string, value: unknown): string {
  if (value === undefined) throw field(name, `The field "${name}" is required.`);
  if (typeof value !== 'string') throw field(name, `The field "${name}" must be a string.`);
  if (value.length < 1 || value.length > MAX_ID_CHARS || !PRINTABLE.test(value)) {
    throw field(name, `The field "${name}" must be 1-${MAX_ID_CHARS} printable characters without spaces.`);
  }
  return value;
}

export function parseRevocationRequest(body: unknown, nowSeconds: number): RevocationRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('INVALID_BODY', 'The request body must be a JSON object.');
  }
  const record = body as Record<string, unknown>;
  const fields = Object.keys(record);
  for (const name of fields) {
    if (!['tokenId', 'expiresAt', 'subject'].includes(name)) {
      throw badRequest('UNKNOWN_FIELD', `Unknown field "${name}".`, { field: name });
    }
  }
  if ('subject' in record) {
    if (fields.length > 1) {
      throw badRequest('INVALID_BODY', 'Send either {"subject"} or {"tokenId", "expiresAt"}, not both.');
    }
    return { kind: 'subject', subject: identifier('subject', record.subject) };
  }
  const tokenId = identifier('tokenId', record.tokenId);
  const { expiresAt } = record;
  if (expiresAt === undefined) throw field('expiresAt', 'The field "expiresAt" is required with "tokenId".');
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt)) {
    throw field(
      'expiresAt',
      'The field "expiresAt" must be the token\'s exp: whole seconds since the epoch.',
    );
  }
  if (expiresAt <= nowSeconds) {
    throw field(
      'expiresAt',
      'The field "expiresAt" is in the past: that token can no longer be used anyway.',
    );
  }
  if (expiresAt > nowSeconds + ONE_YEAR_SECONDS) {
    throw field('expiresAt', 'The field "expiresAt" is more than a year ahead; send the token\'s real exp.');
  }
  return { kind: 'token', tokenId, expiresAt };
}
