// Structured JSON logging: one line per event, a level gate, and no place for raw tokens. The authorizer's
// log lines are part of what this package promises; apps may log with it too, through `bearer-gate/authorizer`.
import { writeSync } from 'node:fs';
import { truncate } from './truncate';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | undefined | null>;

/**
 * The methods' `embedded`: JSON members already rendered (`"_aws":{…},"Allowed":1`), appended to the line as
 * they are and never cut, so that the line is also a CloudWatch Embedded Metric Format document.
 */
export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  debug(message: string, fields?: LogFields, embedded?: string): void;
  info(message: string, fields?: LogFields, embedded?: string): void;
  warn(message: string, fields?: LogFields, embedded?: string): void;
  error(message: string, fields?: LogFields, embedded?: string): void;
  /**
   * Fields put on every line after `timestamp` until replaced (undefined: none), as Powertools' `addContext`
   * puts the Lambda request id and the cold-start flag. Never cut: they come from the runtime, not a token.
   */
  setContext(fields: LogFields | undefined): void;
}

export type LogSink = (line: string) => void;

/** Until a direct write fails or falls short: then process.stdout carries the rest and every later line. */
let direct = true;

/**
 * Each line goes to file descriptor 1 with one write(2), as Lambda's runtime writes its own log records with
 * fs.writeSync: creating `process.stdout` (a `net.Socket` when stdout is a pipe, as on Lambda) costs a cold
 * start one to two milliseconds, and nothing else in the function needs it. When the descriptor is
 * non-blocking (something made process.stdout) and full, the write fails (EAGAIN) or falls short; the rest of
 * that line and every later one then go through `process.stdout`, which queues them: no line is dropped,
 * split or reordered.
 */
const stdoutSink: LogSink = (line) => {
  const data = line + '\n';
  if (direct) {
    try {
      const written = writeSync(1, data);
      if (written === Buffer.byteLength(data, 'utf8')) return;
      direct = false;
      process.stdout.write(Buffer.from(data, 'utf8').subarray(written));
      return;
    } catch {
      direct = false;
    }
  }
  process.stdout.write(data);
};

let sink: LogSink = stdoutSink;
const observers: LogSink[] = [];

/** Writes a line that is not a log record (a metrics-only EMF document) whatever the level, to every observer. */
export function writeLine(line: string): void {
  sink(line);
  for (let i = 0; i < observers.length; i++) observers[i]!(line);
}

/** See every line, whatever the sink (the test suite checks that no token is ever logged). */
export function observeLogs(observer: LogSink): () => void {
  observers.push(observer);
  return () => {
    observers.splice(observers.indexOf(observer), 1);
  };
}

/** Redirect every logger's output, for tests. Returns a function that restores the previous sink. */
export function setLogSink(next: LogSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

export function parseLogLevel(value: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (v in RANK) return v as LogLevel;
  throw new Error(`LOG_LEVEL must be one of ${Object.keys(RANK).join(', ')}; got "${value}"`);
}

let lastMs = -1;
let lastIso = '';

/** ISO time, formatted at most once per millisecond: a busy authorizer logs many lines per millisecond. */
function timestamp(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function hasReservedKey(fields: LogFields): boolean {
  return 'level' in fields || 'service' in fields || 'message' in fields || 'timestamp' in fields;
}

/**
 * The longest string a field (or the message) keeps; longer ones end in `…(+N chars)`. Fields quote what
 * tokens, discovery documents and key sets say, and a log line is paid for on every request.
 */
export const MAX_LOG_FIELD_CHARS = 512;
/** The longest line, in UTF-8 bytes: a line that would be longer is cut further (see boundedLine). */
export const MAX_LOG_LINE_BYTES = 2048;

// A line of at most this many UTF-16 units can neither hold a longer field nor exceed the byte limit (a unit
// is at most 3 bytes in UTF-8), so it needs no further look.
const SHORT_LINE = Math.min(MAX_LOG_FIELD_CHARS, Math.floor(MAX_LOG_LINE_BYTES / 3));
const MIN_FIELD_CHARS = 16;

function withinFieldLimit(message: string, fields: LogFields | undefined): boolean {
  if (message.length > MAX_LOG_FIELD_CHARS) return false;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === 'string' && value.length > MAX_LOG_FIELD_CHARS) return false;
  }
  return true;
}

/**
 * The line for a record whose strings or total size are over the limits: every string (and key) cut to a
 * field limit that halves until the line fits in `maxBytes`; should even the smallest not do, the fields that
 * fit are kept in order and `droppedFields` counts the rest. The members in `kept` (where the record still
 * holds their value) are never cut: the logger's own and the context's, which the configuration and the runtime
 * bound, and among which are a metric's dimension values.
 */
function boundedLine(
  record: Record<string, unknown>,
  kept: Readonly<Record<string, unknown>>,
  maxBytes: number,
): string {
  const entries = Object.entries(record);
  const cutTo = (key: string, value: unknown, limit: number): unknown =>
    typeof value === 'string' && !(Object.hasOwn(kept, key) && kept[key] === value)
      ? truncate(value, limit)
      : value;
  for (let limit = MAX_LOG_FIELD_CHARS; limit >= MIN_FIELD_CHARS; limit >>= 1) {
    const cut: Record<string, unknown> = {};
    for (const [key, value] of entries) cut[truncate(key, limit)] = cutTo(key, value, limit);
    const line = JSON.stringify(cut);
    if (Buffer.byteLength(line) <= maxBytes) return line;
  }
  // Room for the count and the closing brace, whatever their digits.
  const budget = maxBytes - 32;
  let line = '{';
  let count = 0;
  for (const [key, value] of entries) {
    const member =
      JSON.stringify(truncate(key, MIN_FIELD_CHARS)) +
      ':' +
      (JSON.stringify(cutTo(key, value, MIN_FIELD_CHARS)) ?? 'null');
    if (Buffer.byteLength(line) + Buffer.byteLength(member) + 1 > budget) continue;
    line += (count === 0 ? '' : ',') + member;
    count++;
  }
  return `${line}${count === 0 ? '' : ','}"droppedFields":${entries.length - count}}`;
}

export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  const threshold = RANK[level];
  const service_ = JSON.stringify(service);
  let context: LogFields | undefined;
  /** The context's members as JSON, with a leading comma ('' for none). */
  let contextJson = '';
  const emit = (
    lvl: Exclude<LogLevel, 'silent'>,
    message: string,
    fields?: LogFields,
    embedded?: string,
  ): void => {
    if (RANK[lvl] < threshold) return;
    // The embedded members' share of the line is theirs: the rest is bounded to what is left.
    const maxBytes = embedded === undefined ? MAX_LOG_LINE_BYTES : MAX_LOG_LINE_BYTES - embedded.length - 1;
    let line: string;
    if (fields !== undefined && hasReservedKey(fields)) {
      line = JSON.stringify({ level: lvl, service, message, timestamp: timestamp(), ...context, ...fields });
    } else {
      // The same bytes and key order as stringifying the merged object, without building it.
      const rest = fields === undefined ? '{}' : JSON.stringify(fields);
      line = `{"level":"${lvl}","service":${service_},"message":${JSON.stringify(message)},"timestamp":"${timestamp()}"${contextJson}${
        rest === '{}' ? '}' : ',' + rest.slice(1)
      }`;
    }
    if (
      line.length > Math.min(SHORT_LINE, Math.floor(maxBytes / 3)) &&
      !(withinFieldLimit(message, fields) && Buffer.byteLength(line) <= maxBytes)
    ) {
      const envelope = { level: lvl, service, message, timestamp: timestamp(), ...context };
      line = boundedLine({ ...envelope, ...fields }, { ...envelope, message: undefined }, maxBytes);
    }
    // Embedded members are ASCII (names, numbers and codes), so their length is their size in bytes.
    if (embedded !== undefined) line = `${line.slice(0, -1)},${embedded}}`;
    writeLine(line);
  };
  return {
    level,
    enabled: (lvl) => RANK[lvl] >= threshold,
    debug: (m, f, e) => emit('debug', m, f, e),
    info: (m, f, e) => emit('info', m, f, e),
    warn: (m, f, e) => emit('warn', m, f, e),
    error: (m, f, e) => emit('error', m, f, e),
    setContext(fields) {
      context = fields;
      const json = fields === undefined ? '{}' : JSON.stringify(fields);
      contextJson = json === '{}' ? '' : ',' + json.slice(1, -1);
    },
  };
}
