// Structured JSON logging: one line per event, a level gate, and no place for raw tokens. The authorizer's
// log lines are part of what this package promises; apps may log with it too, through `bearer-gate/authorizer`.
import { truncate } from './truncate';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + '\n');
};

let sink: LogSink = stdoutSink;
const observers: LogSink[] = [];

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
 * field limit that halves until the line fits; should even the smallest not do, the fields that fit are kept
 * in order and `droppedFields` counts the rest.
 */
function boundedLine(record: Record<string, unknown>): string {
  const entries = Object.entries(record);
  for (let limit = MAX_LOG_FIELD_CHARS; limit >= MIN_FIELD_CHARS; limit >>= 1) {
    const cut: Record<string, unknown> = {};
    for (const [key, value] of entries) {
      cut[truncate(key, limit)] = typeof value === 'string' ? truncate(value, limit) : value;
    }
    const line = JSON.stringify(cut);
    if (Buffer.byteLength(line) <= MAX_LOG_LINE_BYTES) return line;
  }
  // Room for the count and the closing brace, whatever their digits.
  const budget = MAX_LOG_LINE_BYTES - 32;
  let line = '{';
  let kept = 0;
  for (const [key, value] of entries) {
    const member =
      JSON.stringify(truncate(key, MIN_FIELD_CHARS)) +
      ':' +
      (JSON.stringify(typeof value === 'string' ? truncate(value, MIN_FIELD_CHARS) : value) ?? 'null');
    if (Buffer.byteLength(line) + Buffer.byteLength(member) + 1 > budget) continue;
    line += (kept === 0 ? '' : ',') + member;
    kept++;
  }
  return `${line}${kept === 0 ? '' : ','}"droppedFields":${entries.length - kept}}`;
}

export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  const threshold = RANK[level];
  const service_ = JSON.stringify(service);
  const emit = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
    if (RANK[lvl] < threshold) return;
    let line: string;
    if (fields !== undefined && hasReservedKey(fields)) {
      line = JSON.stringify({ level: lvl, service, message, timestamp: timestamp(), ...fields });
    } else {
      // The same bytes and key order as stringifying the merged object, without building it.
      const rest = fields === undefined ? '{}' : JSON.stringify(fields);
      line = `{"level":"${lvl}","service":${service_},"message":${JSON.stringify(message)},"timestamp":"${timestamp()}"${
        rest === '{}' ? '}' : ',' + rest.slice(1)
      }`;
    }
    if (
      line.length > SHORT_LINE &&
      !(withinFieldLimit(message, fields) && Buffer.byteLength(line) <= MAX_LOG_LINE_BYTES)
    ) {
      line = boundedLine({ level: lvl, service, message, timestamp: timestamp(), ...fields });
    }
    sink(line);
    for (let i = 0; i < observers.length; i++) observers[i]!(line);
  };
  return {
    level,
    enabled: (lvl) => RANK[lvl] >= threshold,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
