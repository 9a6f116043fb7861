// The one header lookup the event reader, the DPoP request and the mTLS check share: names in any case,
// API Gateway's multi-value map first, the single-value map when the header is not there; and the nested
// field reader. The property builds events whose answer it knows by construction.
import fc from 'fast-check';
import { TokenRejectedError } from '../../lambda/authorizer';
import { field, headerValues, readEvent, type AuthorizerEvent } from '../../lambda/authorizer/event';
import { propertyRuns } from '../hardening/property-runs';

test.each<[string, AuthorizerEvent, string, unknown[]]>([
  ['a name in another case', { headers: { DPOP: 'p' } }, 'dpop', ['p']],
  ['the name asked for in mixed case', { headers: { dpop: 'p' } }, 'DPoP', ['p']],
  [
    'the multi-value map first, every value in order',
    { headers: { DPoP: 'last' }, multiValueHeaders: { DPoP: ['first', 'last'] } },
    'dpop',
    ['first', 'last'],
  ],
  [
    'the single-value map when the multi-value map lacks the header',
    { headers: { 'X-Forwarded-Proto': 'http' }, multiValueHeaders: { Host: ['h'] } },
    'x-forwarded-proto',
    ['http'],
  ],
  [
    'one header sent under two spellings: both',
    { multiValueHeaders: { Authorization: ['a'], authorization: ['b'] } },
    'authorization',
    ['a', 'b'],
  ],
  ['a multi-value entry that is no array: as one value', { multiValueHeaders: { DPoP: 'p' } }, 'dpop', ['p']],
  ['a name as long but other letters: no match', { headers: { dpoq: 'p', DPo: 'q' } }, 'dpop', []],
  ['maps that are not objects', { headers: 'dpop', multiValueHeaders: null }, 'dpop', []],
  ['no maps', {}, 'dpop', []],
])('%s', (_name, event, name, expected) => {
  expect(headerValues(event, name)).toEqual(expected);
});

test('two Authorization headers in the single-value map (two spellings) are refused', () => {
  const event = {
    type: 'REQUEST',
    httpMethod: 'GET',
    resource: '/items',
    headers: { Authorization: 'Bearer a.b.c', AUTHORIZATION: 'Bearer d.e.f' },
  };
  expect(() => readEvent(event)).toThrow(
    new TokenRejectedError('MALFORMED_HEADER', 'more than one Authorization header'),
  );
});

test.each<[string, unknown, unknown]>([
  ['an object', { identity: { sourceIp: '1' } }, { sourceIp: '1' }],
  ['null', null, undefined],
  ['a string', 'identity', undefined],
  ['a number', 7, undefined],
  ['undefined', undefined, undefined],
])('field of %s', (_name, record, expected) => {
  expect(field(record, 'identity')).toEqual(expected);
});

/** Every spelling of `name` in upper and lower case letters. */
const spelling = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

const otherName = fc
  .stringMatching(/^[A-Za-z-]{1,12}$/)
  .filter((n) => n.toLowerCase() !== 'dpop' && n !== '__proto__');

test('finds exactly the values put under the name, in any spelling, from the right map', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(spelling('dpop'), fc.array(fc.string(), { maxLength: 3 })), { maxLength: 3 }),
      fc.array(fc.tuple(spelling('dpop'), fc.string()), { maxLength: 3 }),
      fc.array(fc.tuple(otherName, fc.string()), { maxLength: 4 }),
      (multiEntries, singleEntries, others) => {
        // Later spellings that repeat an earlier one replace it, as in any object.
        const multi: Record<string, string[]> = {};
        const single: Record<string, string> = {};
        for (const [name, value] of others) {
          multi[name] = [value];
          single[name] = value;
        }
        for (const [name, values] of multiEntries) multi[name] = values;
        for (const [name, value] of singleEntries) single[name] = value;
        const fromMulti = Object.entries(multi)
          .filter(([name]) => multiEntries.some(([n]) => n === name))
          .flatMap(([, values]) => values);
        const fromSingle = Object.entries(single)
          .filter(([name]) => singleEntries.some(([n]) => n === name))
          .map(([, value]) => value);
        expect(headerValues({ headers: single, multiValueHeaders: multi }, 'dpop')).toEqual(
          fromMulti.length > 0 ? fromMulti : fromSingle,
        );
      },
    ),
    { numRuns: propertyRuns(300) },
  );
});
