// The structured logger: one JSON line per event, the level gate, and fields that never clobber the envelope.
import { createLogger, parseLogLevel, setLogSink } from '../../lambda/authorizer/log';

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
