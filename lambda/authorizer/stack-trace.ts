// Stack traces of unexpected errors, mapped to the TypeScript sources when they are logged rather than at every
// cold start. Node's --enable-source-maps reads and indexes the bundle's source map while the bundle loads
// (about 2 ms of a 45 KB bundle's cold start on Node 20); the authorizer needs a mapped stack only on its
// rarest path, an INTERNAL failure, so it reads the map then, once per process, with Node's own SourceMap.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as NodeModule from 'node:module';
import type * as NodeUrl from 'node:url';
import type { SourceMap, SourceMapping } from 'node:module';

/** `    at name (location:line:column)` or `    at location:line:column`, location a path or a file URL. */
const FRAME = /^(\s*at )(?:(.*) \()?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/;

/** Where a linked source map is named: the last line of the generated file. */
const MAP_COMMENT = /\/\/# sourceMappingURL=([^\s'"]+)\s*$/;

/** A minified bundle has one line: reading its tail is enough to find the comment. */
const TAIL_BYTES = 1024;

/** Frames to map; Node records ten by default (Error.stackTraceLimit). */
const MAX_FRAMES = 50;

/** Each generated file's map, or null when it has none that can be read: looked up once per process. */
const maps = new Map<string, SourceMap | null>();

/** What mapping needs of Node beyond node:fs, loaded only when a stack is mapped. */
interface Mapping {
  readonly SourceMap: typeof NodeModule.SourceMap;
  readonly fileURLToPath: typeof NodeUrl.fileURLToPath;
}

function mapOf({ SourceMap: SourceMapImpl, fileURLToPath }: Mapping, location: string): SourceMap | null {
  const cached = maps.get(location);
  if (cached !== undefined) return cached;
  let map: SourceMap | null = null;
  try {
    const file = location.startsWith('file://') ? fileURLToPath(location) : location;
    const text = readFileSync(file, 'utf8');
    const name = MAP_COMMENT.exec(text.slice(-TAIL_BYTES))?.[1];
    // Only a map file beside the bundle: an inline data: URL or a remote one is not followed.
    if (name !== undefined && /^[\w.-]+$/.test(name)) {
      map = new SourceMapImpl(JSON.parse(readFileSync(join(dirname(file), name), 'utf8')));
    }
  } catch {
    map = null;
  }
  maps.set(location, map);
  return map;
}

/**
 * A source named relative to the map's directory, shown from the package root: esbuild writes
 * `../../lambda/authorizer/token.ts` from dist/bundles/authorizer, and the logged frame says
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
  const frames = stack
    .split('\n')
    .filter((line) => /^\s*at /.test(line))
    .slice(0, MAX_FRAMES);
  if (frames.length === 0) return undefined;
  try {
    const [{ SourceMap }, { fileURLToPath }] = await Promise.all([import('node:module'), import('node:url')]);
    return frames.map((frame) => mapFrame({ SourceMap, fileURLToPath }, frame)).join('\n');
  } catch {
    return frames.map((frame) => frame.trim()).join('\n');
  }
}
