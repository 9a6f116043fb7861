// A private temp directory for one jest run: every worker (and every process a test starts) inherits it as
// TMPDIR, so whatever a test writes to os.tmpdir() lands here, and the run fails if a test leaves anything.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;

/**
 * Caches that tools the tests run keep in the temp directory on purpose, shared by all their processes in the
 * run (tsx: tsx-<uid>; npm, tsc, ESLint and Prettier: node-compile-cache, where Node 22 and later keep the
 * compiled code of a tool that calls module.enableCompileCache()); they go when the directory does, and are
 * not a test's leftovers.
 */
const TOOL_CACHES: readonly RegExp[] = [/^tsx-\d+\/$/, /^node-compile-cache\/$/];

/** What tests left behind in `dir`, as names (directories end in `/`), tool caches excepted. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .filter((name) => !TOOL_CACHES.some((cache) => cache.test(name)))
    .sort();
}

export function startPrivateTempDir(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'bearer-gate-jest-'));
  const previous = TEMP_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of TEMP_VARIABLES) process.env[name] = dir;
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const left = leftovers(dir);
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(
        `Tests left ${left.length} entries in the temp directory: ${left.join(', ')}. ` +
          'Remove what a test creates in afterAll (for CDK apps, give the App an outdir and remove it).',
      );
    }
  };
}
