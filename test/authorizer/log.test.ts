// The structured logger: one JSON line per event, the level gate, fields that never clobber the envelope, and
// bounds (512 characters a string, 2 KB a line) that no field can break.
import fc from 'fast-check';
import { createLogger, observeLogs, parseLogLevel, setLogSink, writeLine } from '../../lambda/authorizer/log';

let lines: string[] = [];
let restore: () => void;
beforeEach(() => {
  lines = [];
  restore = setLogSink((line) => lines.push(line));
});
afterEach(() => restore());

test('a line is the envelope then the fields, as one JSON object', () => {
  createLogger('svc', 'info').info('hello "world"', { reason: 'OK', n: 2, skip: undefined, ok: true });
  expect(lines).toHaveLength(1);
  const parsed = JSON.parse(lines[0] as string) as Record<string, unknown>;
  expect(Object.keys(parsed)).toEqual(['level', 'service', 'message', 'timestamp', 'reason', 'n', 'ok']);
  expect(parsed).toMatchObject({
    level: 'info',
    service: 'svc',
    message: 'hello "world"',
    reason: 'OK',
    n: 2,
    ok: true,
  });
  expect(new Date(parsed.timestamp as string).toISOString()).toBe(parsed.timestamp);
});

test('no fields, and empty fields, are valid JSON too', () => {
  const log = createLogger('svc', 'debug');
  log.debug('a');
  log.debug('b', {});
  expect(lines.map((l) => JSON.parse(l).message)).toEqual(['a', 'b']);
});

test('fields cannot overwrite the envelope keys except by the documented override', () => {
  createLogger('svc', 'info').warn('m', { level: 'x', service: 'y' });
  expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'x', service: 'y', message: 'm' });
});

test.each([
  ['error', ['error']],
  ['warn', ['warn', 'error']],
  ['info', ['info', 'warn', 'error']],
  ['silent', []],
] as const)('level %s writes %p', (level, expected) => {
  const log = createLogger('svc', level);
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
  expect(lines.map((l) => JSON.parse(l).level)).toEqual(expected);
});

test('parseLogLevel names the allowed values', () => {
  expect(parseLogLevel(' ERROR ')).toBe('error');
  expect(parseLogLevel(undefined)).toBe('info');
  expect(() => parseLogLevel('loud')).toThrow(
    'LOG_LEVEL must be one of debug, info, warn, error, silent; got "loud"',
  );
});

describe('bounded lines: strings from tokens, discovery documents and key sets cannot make a line long', () => {
  const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;
  const cut = (text: string, keep: number) => `${text.slice(0, keep)}…(+${text.length - keep} chars)`;

  test('a string field over 512 characters keeps 512 and says how many it dropped', () => {
    createLogger('svc', 'info').warn('authorization', {
      reason: 'WRONG_TOKEN_TYPE',
      detail: 'x'.repeat(5700),
    });
    expect(parse(lines[0] as string)).toMatchObject({
      message: 'authorization',
      reason: 'WRONG_TOKEN_TYPE',
      detail: cut('x'.repeat(5700), 512),
    });
  });

  test('a field of exactly 512 characters, in a line under 2 KB, is kept whole and the line unchanged', () => {
    const fields = { detail: 'y'.repeat(512), n: 1 };
    createLogger('svc', 'info').info('m', fields);
    const parsed = parse(lines[0] as string);
    expect(parsed.detail).toBe('y'.repeat(512));
    expect(lines[0]).toBe(
      JSON.stringify({ level: 'info', service: 'svc', message: 'm', timestamp: parsed.timestamp, ...fields }),
    );
  });

  test('the message is bounded like a field', () => {
    createLogger('svc', 'info').info('m'.repeat(3000));
    expect(parse(lines[0] as string).message).toBe(cut('m'.repeat(3000), 512));
  });

  test('many long fields: every field halves until the line fits in 2 KB, and none is lost', () => {
    const fields = Object.fromEntries(
      ['route', 'sub', 'clientId', 'kid', 'detail', 'issuer'].map((k) => [k, k.repeat(900)]),
    );
    createLogger('svc', 'info').error('authorization', fields);
    const line = lines[0] as string;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(2048);
    const parsed = parse(line);
    for (const [key, value] of Object.entries(fields)) expect(parsed[key]).toBe(cut(value, 256));
  });

  test.each([
    ['control characters (6 bytes each as JSON)', '\u0001'.repeat(2000)],
    ['three-byte characters', '語'.repeat(2000)],
    ['emoji after one ASCII letter (surrogate pairs, never split)', `a${'😀'.repeat(2000)}`],
    ['quotes and backslashes', '"\\'.repeat(2000)],
  ])('%s: the line is valid JSON of at most 2 KB', (...[, text]) => {
    createLogger('svc', 'info').info('m', { a: text, b: text });
    const line = lines[0] as string;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(2048);
    const parsed = parse(line);
    for (const key of ['a', 'b']) {
      const value = parsed[key] as string;
      const [, kept, dropped] = /^([^]*)…\(\+(\d+) chars\)$/.exec(value) ?? [];
      expect(text.startsWith(kept as string)).toBe(true);
      expect((kept as string).length + Number(dropped)).toBe(text.length);
      // No half of a surrogate pair: such a string does not survive UTF-8.
      expect(Buffer.from(value, 'utf8').toString('utf8')).toBe(value);
    }
  });

  test('too many fields for 2 KB even when cut short: the fields that fit are kept, and the rest counted', () => {
    const fields = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, 'v'.repeat(100)]));
    createLogger('svc', 'info').info('m', fields);
    const line = lines[0] as string;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(2048);
    const parsed = parse(line);
    expect(parsed).toMatchObject({ level: 'info', service: 'svc', message: 'm' });
    const kept = Object.keys(parsed).filter((k) => k.startsWith('field'));
    expect(kept.length).toBeGreaterThan(10);
    expect(parsed.droppedFields).toBe(200 - kept.length);
    expect(parsed.field0).toBe(cut('v'.repeat(100), 16));
  });

  test('any fields: every line is JSON of at most 2 KB, and every string is its input or a marked prefix of it', () => {
    const anyString = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 3000 }));
    fc.assert(
      fc.property(
        anyString,
        fc.dictionary(
          fc.string({ maxLength: 30 }),
          fc.oneof(anyString, fc.integer(), fc.boolean(), fc.constant(null)),
          {
            maxKeys: 30,
          },
        ),
        (message, fields) => {
          lines = [];
          createLogger('svc', 'debug').debug(message, fields);
          const line = lines[0] as string;
          expect(Buffer.byteLength(line)).toBeLessThanOrEqual(2048);
          const parsed = parse(line);
          const input: Record<string, unknown> = { level: 'debug', service: 'svc', message, ...fields };
          const unbounded = JSON.stringify({ ...input, timestamp: parsed.timestamp });
          const fits =
            Buffer.byteLength(unbounded) <= 2048 &&
            Object.values(input).every((v) => typeof v !== 'string' || v.length <= 512);
          if (fits) expect(parsed).toEqual({ ...input, timestamp: parsed.timestamp });
          for (const [key, value] of Object.entries(parsed)) {
            if (key === 'timestamp' || key === 'droppedFields') continue;
            const original = Object.entries(input).find(
              ([k]) =>
                k === key || (key.includes('…(+') && k.startsWith(key.slice(0, key.lastIndexOf('…(+')))),
            )?.[1];
            if (typeof original !== 'string') expect(value).toBe(original);
            else if (value !== original) {
              const [, kept, dropped] = /^([^]*)…\(\+(\d+) chars\)$/.exec(value as string) ?? [];
              expect(original.startsWith(kept as string)).toBe(true);
              expect((kept as string).length + Number(dropped)).toBe(original.length);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the invocation context and embedded metrics', () => {
  const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;
  const EMBEDDED = '"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"Allowed":1';

  test('context fields follow the timestamp on every line until replaced, and undefined removes them', () => {
    const log = createLogger('svc', 'info');
    log.setContext({ cold_start: true, function_request_id: 'req-1', xray_trace_id: undefined });
    log.info('a', { n: 1 });
    log.warn('b', { level: 'x' });
    log.setContext({ cold_start: false, function_request_id: 'req-2' });
    log.info('c');
    log.setContext(undefined);
    log.info('d');
    expect(lines.map((l) => Object.keys(parse(l)))).toEqual([
      ['level', 'service', 'message', 'timestamp', 'cold_start', 'function_request_id', 'n'],
      ['level', 'service', 'message', 'timestamp', 'cold_start', 'function_request_id'],
      ['level', 'service', 'message', 'timestamp', 'cold_start', 'function_request_id'],
      ['level', 'service', 'message', 'timestamp'],
    ]);
    expect(lines.map((l) => parse(l).function_request_id)).toEqual(['req-1', 'req-1', 'req-2', undefined]);
    // The documented override still wins over the envelope.
    expect(parse(lines[1] as string).level).toBe('x');
  });

  test('embedded members are appended as they are, and a line below the level writes nothing', () => {
    const log = createLogger('svc', 'warn');
    log.info('hidden', {}, EMBEDDED);
    log.warn('m', { reason: 'R' }, EMBEDDED);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /,"reason":"R","_aws":\{"Timestamp":1,"CloudWatchMetrics":\[\]\},"Allowed":1\}$/,
    );
    expect(parse(lines[0] as string)).toMatchObject({ message: 'm', Allowed: 1 });
  });

  test('a long line is cut to leave room for the embedded members, which are never cut, nor the context', () => {
    const log = createLogger('s'.repeat(200), 'info');
    const requestId = 'r'.repeat(100);
    log.setContext({ function_request_id: requestId });
    const embedded = `${EMBEDDED},"pad":"${'p'.repeat(400)}"`;
    log.info(
      'm',
      Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k, k.repeat(900)])),
      embedded,
    );
    const line = lines[0] as string;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(2048);
    expect(line.endsWith(`,${embedded}}`)).toBe(true);
    const parsed = parse(line);
    expect(parsed).toMatchObject({ service: 's'.repeat(200), function_request_id: requestId, Allowed: 1 });
    expect(parsed.a).toBe(`${'a'.repeat(128)}…(+772 chars)`);
  });

  test('a field that overrides service is cut like any other field', () => {
    createLogger('svc', 'info').info('m', {
      service: 'x'.repeat(3000),
      ...Object.fromEntries(['a', 'b', 'c'].map((k) => [k, k.repeat(900)])),
    });
    expect(parse(lines[0] as string).service).toBe(`${'x'.repeat(256)}…(+2744 chars)`);
  });

  test('writeLine writes whatever the level, to the sink and to every observer', () => {
    const seen: string[] = [];
    const stop = observeLogs((line) => seen.push(line));
    createLogger('svc', 'silent').error('not written');
    writeLine('{"_aws":{}}');
    stop();
    expect(lines).toEqual(['{"_aws":{}}']);
    expect(seen).toEqual(['{"_aws":{}}']);
  });
});
