// Validation of the POST /revocations body: `{tokenId, expiresAt}` or `{issuer, subject}`, nothing else.
// The request module itself, not the HTTP layer's index: see admin-api.ts.
import { badRequest } from '../http/request';

export type RevocationRequest =
  | { readonly kind: 'token'; readonly tokenId: string; readonly expiresAt: number }
  | { readonly kind: 'subject'; readonly issuer: string; readonly subject: string };

const MAX_ID_CHARS = 256;
/** As the items API allows (lambda/http/identity.ts): an issuer and a sub together fit a DynamoDB key. */
const MAX_ISSUER_CHARS = 512;
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

/**
 * The subject's issuer: required, since the same `sub` from two issuers is two people. An issuer has no
 * fragment (RFC 8414 §2), and the cut-off's key ends the issuer at the first `#`.
 */
function issuer(value: unknown): string {
  if (value === undefined) {
    throw field('issuer', 'The field "issuer" is required with "subject": the iss of the subject\'s tokens.');
  }
  if (typeof value !== 'string') throw field('issuer', 'The field "issuer" must be a string.');
  if (value.length < 1 || value.length > MAX_ISSUER_CHARS || !PRINTABLE.test(value) || value.includes('#')) {
    throw field(
      'issuer',
      `The field "issuer" must be 1-${MAX_ISSUER_CHARS} printable characters without spaces or "#".`,
    );
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
    if (!['tokenId', 'expiresAt', 'subject', 'issuer'].includes(name)) {
      throw badRequest('UNKNOWN_FIELD', `Unknown field "${name}".`, { field: name });
    }
  }
  if ('subject' in record || 'issuer' in record) {
    if (fields.some((name) => name !== 'subject' && name !== 'issuer')) {
      throw badRequest(
        'INVALID_BODY',
        'Send either {"issuer", "subject"} or {"tokenId", "expiresAt"}, not both.',
      );
    }
    const subject = identifier('subject', record.subject);
    return { kind: 'subject', issuer: issuer(record.issuer), subject };
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
