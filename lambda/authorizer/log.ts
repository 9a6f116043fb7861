// Structured JSON logging: one line per event, a level gate, and no place for raw tokens. The authorizer's
// log lines are part of what this package promises; apps may log with it too, through `bearer-gate/authorizer`.

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
