// Stack traces of unexpected errors, mapped to the TypeScript sources when they are logged. Node's
// --enable-source-maps reads and indexes the bundle's source map once per instance: while the bundle loads
// on Node 20 (4 ms of a seeded cold start), at the first stack trace formatted on Node 24 (about 10 ms, such
// as a 401's, which the Lambda runtime reports with its stack). The authorizer needs a mapped stack only on
// its rarest path, an INTERNAL failure, so it reads the map then, once per process, with Node's SourceMap.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as NodeModule from 'node:module';
import type * as NodeUrl from 'node:url';
import type { SourceMap, SourceMapping } from 'node:module';

/** `    at name (location:line:column)` or `    at location:line:column`, location a path or a file URL. */
const FRAME = /^(\s*at )(?:(.*) \()?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/;

/** Where a linked source map is named: the last line of the generated file. */
const MAP_COMMENT = /\/\/# sourceMappingURL=([^\s'"]+)\s*$/;

/** A minified bundle has a few lines: its last kilobyte holds the comment, and nothing more is read of it. */
const TAIL_BYTES = 1024;

/** Generated JavaScript only: a frame naming anything else is left as it is. */
const GENERATED = /\.[cm]?js$/;

/** A larger map is not read: the authorizer's is some 75 KB. */
const MAX_MAP_BYTES = 4 * 1024 * 1024;

/** Frames to map; Node records ten by default (Error.stackTraceLimit). */
const MAX_FRAMES = 50;

/** Each generated file's map, or null when it has none that can be read: looked up once per process. */
const maps = new Map<string, SourceMap | null>();

/** What mapping needs of Node beyond node:fs, loaded only when a stack is mapped. */
interface Mapping {
  readonly SourceMap: typeof NodeModule.SourceMap;
  readonly fileURLToPath: typeof NodeUrl.fileURLToPath;
}

/**
 * Up to `limit` bytes of a regular file: its last `limit` bytes with `tail`, else all of it, or null when it
 * is larger. Never anything else (a FIFO, a device): a frame's path comes from an error's stack.
 */
function readRegular(file: string, limit: number, tail: boolean): string | null {
  // Non-blocking, so that opening a FIFO returns at once (and is then refused) instead of waiting for a writer.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    const size = stat.size;
    if (!stat.isFile() || (!tail && size > limit)) return null;
    const length = Math.min(size, limit);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function mapOf({ SourceMap: SourceMapImpl, fileURLToPath }: Mapping, location: string): SourceMap | null {
  const cached = maps.get(location);
  if (cached !== undefined) return cached;
  let map: SourceMap | null = null;
  try {
    const file = location.startsWith('file://') ? fileURLToPath(location) : location;
    const name = GENERATED.test(file)
      ? MAP_COMMENT.exec(readRegular(file, TAIL_BYTES, true) ?? '')?.[1]
      : undefined;
    // Only a map file beside the bundle: an inline data: URL or a remote one is not followed.
    const text =
      name !== undefined && /^[\w.-]+\.map$/.test(name)
        ? readRegular(join(dirname(file), name), MAX_MAP_BYTES, false)
        : null;
    if (text !== null) map = new SourceMapImpl(JSON.parse(text));
  } catch {
    map = null;
  }
  maps.set(location, map);
  return map;
}

/**
 * A source named relative to the map's directory, shown from the package root: esbuild writes
 * `../../../lambda/authorizer/token.ts` from dist/bundles/authorizer, and the logged frame says
 * `lambda/authorizer/token.ts`.
 */
function displaySource(source: string): string {
  return source.replace(/^(?:\.\.\/)+/, '').replace(/^file:\/\/\//, '/');
}

/** One frame, pointed at its source when the file it names has a map that covers the position. */
function mapFrame(mapping: Mapping, frame: string): string {
  const match = FRAME.exec(frame);
  const [location, line, column] = [match?.[3], Number(match?.[4]), Number(match?.[5])];
  if (location === undefined) return frame.trim();
  const name = match?.[2];
  const map = mapOf(mapping, location);
  if (map === null) return frame.trim();
  // {} when the position is not covered.
  const entry: Partial<SourceMapping> = map.findEntry(line - 1, column - 1);
  if (typeof entry.originalSource !== 'string' || typeof entry.originalLine !== 'number') return frame.trim();
  const at = `${displaySource(entry.originalSource)}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  // The function name is the generated one (minified in a bundle); the source position is what says where.
  return name === undefined ? `at ${at}` : `at ${name} (${at})`;
}

/**
 * The frames of `error`'s stack (without its first line, the message, which the log line carries apart), each
 * mapped to its TypeScript source where the bundle's map covers it, one per line. Undefined when the error has
 * no stack. Never throws: an unreadable map leaves the frame as Node printed it.
 */
export async function sourceMappedStack(error: unknown): Promise<string | undefined> {
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== 'string') return undefined;
  // The stack starts with the error's name and message, which may hold lines of its own that look like
  // frames: only what follows them is mapped (a file a frame names is read), and only when that is certain.
  const header = error instanceof Error ? Error.prototype.toString.call(error) : undefined;
  const mappable = header !== undefined && stack.startsWith(`${header}\n`);
  const frames = (mappable ? stack.slice(header.length + 1) : stack)
    .split('\n')
    .filter((line) => /^\s*at /.test(line))
    .slice(0, MAX_FRAMES);
  if (frames.length === 0) return undefined;
  const asPrinted = (): string => frames.map((frame) => frame.trim()).join('\n');
  if (!mappable) return asPrinted();
  try {
    const [{ SourceMap }, { fileURLToPath }] = await Promise.all([import('node:module'), import('node:url')]);
    return frames.map((frame) => mapFrame({ SourceMap, fileURLToPath }, frame)).join('\n');
  } catch {
    return asPrinted();
  }
}
