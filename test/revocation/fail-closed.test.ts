// The revocation check fails closed, against AWS's DynamoDB Local: an entry that cannot be read as the schema
// says, a read DynamoDB leaves unprocessed (and its one retry), and a response that answers other keys.
import '../items/local-aws-env';
import { randomUUID } from 'node:crypto';
import {
  BatchGetItemCommand,
  CreateTableCommand,
  PutItemCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { createAuthorizer, RevocationUnavailableError, type RevocationCheck } from 'bearer-gate/authorizer';
import { createRevocationTableInput, legacySubjectKey, subjectKey, tokenKey } from 'bearer-gate/contract';
import { createRevocationCheck } from '../../lambda/authorizer/revocation-loader';
import { batchGetWith } from '../../lambda/authorizer/revocation-dynamodb';
import { createRevocationCheckWith, type BatchGet } from '../../lambda/authorizer/revocation';
import { localClient } from '../setup/dynamodb-local';
import { claims, signToken } from '../support/keys';
import { ISSUER, lastDecision, startHarness, tokenEvent, type Harness } from '../authorizer/harness';

const TABLE = `revocations-${randomUUID().slice(0, 8)}`;
const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const client = localClient(endpoint);
/** CLOCK_SKEW_SECONDS, as the tests configure it. */
const SKEW = 30;
/** The latest second a Date can hold (8.64e15 ms). */
const LAST_DATE_SECOND = 8_640_000_000_000n;
const UNAUTHORIZED = /^Unauthorized$/;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await client.send(new CreateTableCommand(createRevocationTableInput(TABLE)));
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
});

const now = () => Math.floor(Date.now() / 1000);

function config() {
  return h.config({
    REVOCATION_TABLE: TABLE,
    DYNAMODB_ENDPOINT: endpoint,
    CLOCK_SKEW_SECONDS: String(SKEW),
  });
}

/** The authorizer as revocable-handler.ts builds it, or with the check given. */
function authorizer(revocation?: RevocationCheck) {
  const c = config();
  return createAuthorizer(c, { revocation: revocation ?? createRevocationCheck(c) });
}

/** Writes an entry as an operator's hand-written put-item would: any attribute value, or none. */
async function put(key: string, revokedBefore: AttributeValue | undefined): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        pk: { S: key },
        ...(revokedBefore === undefined ? {} : { revokedBefore }),
        expiresAt: { N: String(now() + 3600) },
      },
    }),
  );
}

function bearer(payload: Record<string, unknown>): ReturnType<typeof tokenEvent> {
  return tokenEvent(`Bearer ${signToken(h.keys.rsa, payload)}`);
}

/** Expects the decision to fail closed (503, not 401) and its one log line to name the entry. */
async function expectUnavailable(attempt: Promise<unknown>, detail: string | RegExp): Promise<void> {
  await expect(attempt).rejects.toBeInstanceOf(RevocationUnavailableError);
  await expect(attempt).rejects.not.toThrow(UNAUTHORIZED);
  const line = lastDecision(h.logs);
  expect(line).toMatchObject({ decision: 'error', reason: 'REVOCATION_UNAVAILABLE' });
  expect(line.detail).toEqual(typeof detail === 'string' ? detail : expect.stringMatching(detail));
}

const MALFORMED: Array<[string, AttributeValue | undefined, string]> = [
  ['a string, as a hand-written put-item', { S: '1700000000' }, '{"S":"1700000000"}'],
  ['missing', undefined, ''],
  ['negative', { N: '-5' }, '{"N":"-5"}'],
  ['a fraction', { N: '1700000000.5' }, '{"N":"1700000000.5"}'],
  ['a fraction a double would round away', { N: '1700000000.000000000000000001' }, ''],
  ['beyond what a Date can hold', { N: '8640000000001' }, '{"N":"8640000000001"}'],
  ['far beyond it', { N: '99999999999999999999999' }, '{"N":"99999999999999999999999"}'],
  ['a list', { L: [{ N: '1700000000' }] }, '{"L":[{"N":"1700000000"}]}'],
  ['a number set', { NS: ['1700000000'] }, '{"NS":["1700000000"]}'],
  ['a string set', { SS: ['1700000000'] }, '{"SS":["1700000000"]}'],
  ['a map', { M: { N: { N: '1700000000' } } }, '{"M":{"N":{"N":"1700000000"}}}'],
  ['a boolean', { BOOL: true }, '{"BOOL":true}'],
  ['null', { NULL: true }, '{"NULL":true}'],
  ['"NaN" as a string', { S: 'NaN' }, '{"S":"NaN"}'],
  ['binary', { B: Buffer.from('1700000000') }, ''],
];

describe('a subject cut-off that cannot be read as the schema says is REVOCATION_UNAVAILABLE (503), never a pass', () => {
  test.each(MALFORMED)('revokedBefore %s', async (_name, value, shown) => {
    const sub = `user-${randomUUID()}`;
    const key = subjectKey(ISSUER, sub);
    await put(key, value);
    await expectUnavailable(
      authorizer().authorize(bearer(claims({ sub }))),
      value === undefined
        ? `revocation entry "${key}" has no revokedBefore: failing closed until it is corrected`
        : new RegExp(
            `^revocation entry "${escape(key)}" has revokedBefore ${escape(shown)}.*, not a number \\(N\\) ` +
              'of whole epoch seconds from 0 to 8640000000000: failing closed until it is corrected$',
          ),
    );
  });

  test.each(MALFORMED)('the same in an entry of before subjects were qualified: %s', async (_n, value) => {
    const sub = `user-${randomUUID()}`;
    await put(legacySubjectKey(sub), value);
    await expectUnavailable(
      authorizer().authorize(bearer(claims({ sub }))),
      new RegExp(`^revocation entry "subject#${escape(sub)}" `),
    );
  });

  test('an unreadable cut-off does not hide a revoked token id: 401 TOKEN_REVOKED', async () => {
    const sub = `user-${randomUUID()}`;
    const payload = claims({ sub });
    await put(subjectKey(ISSUER, sub), { S: '1700000000' });
    await put(tokenKey(payload.jti as string), undefined);
    await expect(authorizer().authorize(bearer(payload))).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'TOKEN_REVOKED' });
  });

  test('one readable cut-off that revokes decides, whatever the other entry holds', async () => {
    const sub = `user-${randomUUID()}`;
    await put(subjectKey(ISSUER, sub), { N: String(now() - 5) });
    await put(legacySubjectKey(sub), { L: [] });
    await expect(authorizer().authorize(bearer(claims({ sub, iat: now() - 60 })))).rejects.toThrow(
      UNAUTHORIZED,
    );
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'TOKEN_REVOKED' });
  });

  test('a readable cut-off that lets the token through does not outvote an unreadable one', async () => {
    const sub = `user-${randomUUID()}`;
    await put(subjectKey(ISSUER, sub), { N: '1000' });
    await put(legacySubjectKey(sub), { S: 'yesterday' });
    await expectUnavailable(
      authorizer().authorize(bearer(claims({ sub }))),
      `revocation entry "subject#${sub}" has revokedBefore {"S":"yesterday"}, not a number (N) of whole ` +
        'epoch seconds from 0 to 8640000000000: failing closed until it is corrected',
    );
  });

  test("another subject's unreadable entry is not read, and changes nothing for this one", async () => {
    await put(subjectKey(ISSUER, `user-${randomUUID()}`), { S: '1700000000' });
    const sub = `user-${randomUUID()}`;
    await expect(authorizer().authorize(bearer(claims({ sub })))).resolves.toMatchObject({
      principalId: sub,
    });
  });

  test('a long key is shortened in the log line', async () => {
    const sub = `user-${'x'.repeat(1000)}`;
    await put(subjectKey(ISSUER, sub), { S: '1' });
    await expectUnavailable(
      authorizer().authorize(bearer(claims({ sub }))),
      new RegExp(
        `^revocation entry "${escape(subjectKey(ISSUER, 'user-'))}x{${300 - subjectKey(ISSUER, 'user-').length}}…" ` +
          'has revokedBefore {"S":"1"}, not a number',
      ),
    );
    expect(String(lastDecision(h.logs).detail).length).toBeLessThan(500);
  });
});

/** A regular expression matching `text` literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('property: any value at revokedBefore either decides as the schema says or fails closed', () => {
  // The oracle reads the value from how it was generated, not from what DynamoDB or the check makes of it.
  type Generated =
    | { kind: 'whole'; value: bigint; attribute: AttributeValue }
    | { kind: 'unreadable'; attribute: AttributeValue | undefined };

  /** Spellings DynamoDB accepts for one whole number; it normalizes each (1.7E9 reads back as 1700000000). */
  function spellings(n: bigint): fc.Arbitrary<string> {
    const digits = n.toString();
    const mantissa = digits.replace(/0+$/, '');
    const exponent = `${mantissa.slice(0, 1)}${mantissa.length > 1 ? `.${mantissa.slice(1)}` : ''}E${digits.length - 1}`;
    return fc.constantFrom(
      digits,
      `${digits}.0`,
      `${digits}.000`,
      `000${digits}`,
      n === 0n ? '0.0' : exponent,
    );
  }

  const recent = fc.integer({ min: -3 * SKEW, max: 3 * SKEW });
  const whole: fc.Arbitrary<Generated> = fc
    .oneof(
      // Around now, where the iat comparison is decided.
      recent.map((offset) => BigInt(now() - SKEW + offset)),
      fc.bigInt({ min: 0n, max: LAST_DATE_SECOND }),
      fc.constantFrom(0n, LAST_DATE_SECOND),
    )
    .chain((value) => spellings(value).map((n) => ({ kind: 'whole' as const, value, attribute: { N: n } })));
  const unreadable: fc.Arbitrary<Generated> = fc
    .oneof(
      fc.bigInt({ min: 1n, max: 10n ** 30n }).map((n) => ({ N: `-${n}` })),
      fc.bigInt({ min: LAST_DATE_SECOND + 1n, max: 10n ** 37n }).map((n) => ({ N: n.toString() })),
      fc
        .tuple(
          fc.bigInt({ min: 0n, max: 10n ** 12n }),
          fc.integer({ min: 0, max: 20 }),
          fc.integer({ min: 1, max: 9 }),
        )
        .map(([n, zeros, last]) => ({ N: `${n}.${'0'.repeat(zeros)}${last}` })),
      fc.stringMatching(/^[0-9]{1,13}$/).map((s) => ({ S: s })),
      fc.string({ maxLength: 20 }).map((s) => ({ S: s })),
      fc
        .array(fc.integer({ min: 0, max: 2e9 }), { maxLength: 3 })
        .map((a) => ({ L: a.map((n) => ({ N: String(n) })) })),
      fc.integer({ min: 0, max: 2e9 }).map((n) => ({ NS: [String(n)] })),
      fc.boolean().map((b) => ({ BOOL: b })),
      fc.constant({ NULL: true } as AttributeValue),
      fc.constant(undefined),
    )
    .map((attribute) => ({ kind: 'unreadable' as const, attribute }));

  test('allowed iff iat >= cut-off + skew; refused (401) iff below; 503 iff unreadable', async () => {
    const a = authorizer();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(whole, unreadable),
        fc.integer({ min: -3, max: 3 }),
        async (generated, delta) => {
          const sub = `user-${randomUUID()}`;
          await put(subjectKey(ISSUER, sub), generated.attribute);
          const t = now();
          // Near the boundary when the cut-off is recent; else a token issued a moment ago.
          const near = generated.kind === 'whole' && Math.abs(Number(generated.value) - t) < 4 * SKEW;
          const iat = near ? Math.min(Number(generated.value) + SKEW + delta, t + SKEW) : t - 10;
          const attempt = a.authorize(bearer(claims({ sub, iat })));
          if (generated.kind === 'unreadable') {
            await expect(attempt).rejects.toBeInstanceOf(RevocationUnavailableError);
            expect(lastDecision(h.logs).reason).toBe('REVOCATION_UNAVAILABLE');
          } else if (BigInt(iat) >= generated.value + BigInt(SKEW)) {
            await expect(attempt).resolves.toMatchObject({ principalId: sub });
          } else {
            await expect(attempt).rejects.toThrow(UNAUTHORIZED);
            expect(lastDecision(h.logs).reason).toBe('TOKEN_REVOKED');
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe('UnprocessedKeys: one retry, then fail closed', () => {
  /**
   * DynamoDB leaves keys unprocessed only under throttling, and DynamoDB Local cannot be made to throttle on
   * demand. So this is the real client reading the real table, with one middleware that, for the first
   * `throttled` reads, answers as a throttled BatchGetItem does: every requested key in UnprocessedKeys and
   * no items. The authorizer's own batchGetWith turns the response into the check's input.
   */
  function throttledRead(throttled: number): { batchGet: BatchGet; reads: () => number } {
    const throttling: DynamoDBClient = localClient(endpoint);
    let reads = 0;
    throttling.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        reads += 1;
        if (reads <= throttled) {
          const output = result.output as BatchGetItemCommandOutput;
          output.UnprocessedKeys = (args.input as BatchGetItemCommandInput).RequestItems;
          output.Responses = { [TABLE]: [] };
        }
        return result;
      },
      { step: 'initialize', name: 'throttleAllKeys' },
    );
    return { batchGet: batchGetWith(throttling, { BatchGetItemCommand }, TABLE), reads: () => reads };
  }

  function checkWith(batchGet: BatchGet): RevocationCheck {
    return createRevocationCheckWith({ missingJti: 'reject', clockSkewSeconds: SKEW }, async () => batchGet);
  }

  test('throttled once: the retry reads the cut-off the first read left out, 401 TOKEN_REVOKED', async () => {
    const sub = `user-${randomUUID()}`;
    await put(subjectKey(ISSUER, sub), { N: String(now()) });
    const read = throttledRead(1);
    await expect(authorizer(checkWith(read.batchGet)).authorize(bearer(claims({ sub })))).rejects.toThrow(
      UNAUTHORIZED,
    );
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'TOKEN_REVOKED' });
    expect(read.reads()).toBe(2);
  });

  test('throttled once, nothing revoked: allowed after the retry', async () => {
    const sub = `user-${randomUUID()}`;
    const read = throttledRead(1);
    await expect(
      authorizer(checkWith(read.batchGet)).authorize(bearer(claims({ sub }))),
    ).resolves.toMatchObject({ principalId: sub });
    expect(read.reads()).toBe(2);
  });

  test('throttled twice: REVOCATION_UNAVAILABLE (503) after exactly one retry', async () => {
    const read = throttledRead(2);
    await expectUnavailable(
      authorizer(checkWith(read.batchGet)).authorize(bearer(claims({ sub: `user-${randomUUID()}` }))),
      'revocation table read was throttled',
    );
    expect(read.reads()).toBe(2);
  });

  test('a response holding a key that was not asked for: REVOCATION_UNAVAILABLE (503)', async () => {
    // DynamoDB never answers so; this check is for a store (or a proxy in front of it) that does.
    const foreign: BatchGet = async () => ({ items: [{ pk: { S: 'token#someone-else' } }], unprocessed: 0 });
    await expectUnavailable(
      authorizer(checkWith(foreign)).authorize(bearer(claims())),
      'revocation entry "token#someone-else" is not one of the keys that were read: failing closed until it is corrected',
    );
  });
});
