// Variants of the deployed bundle for the cold-start levers the bench measures but the package does not ship:
// V8's compile cache made at build time and shipped beside the bundle, and the cost of code that a seeded cold
// start loads but never runs (what splitting it into lazily loaded chunks could save at most).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { AUTHORIZER_BUNDLE_TARGET, PLAIN_HANDLER_MODULE, PROJECT_ROOT } from './bundle';

/** The compile cache's directory beside the bundle, as a build step would ship it in the asset. */
export const COMPILE_CACHE_DIR = 'compile-cache';

/**
 * `dir`/index.mjs: a Lambda entry that turns on Node's module compile cache (portable: keyed by paths relative
 * to the cache, so the directory can move from the build machine to /var/task) and then imports the bundle,
 * copied as `dir`/authorizer.mjs. The cache is made the way a build step would make it: one run of a cold
 * start and a first decision (`prime`, given the entry), after which Node writes the code of every function
 * that ran. Node keys the cache by its exact version, V8's cache tag and the user id; any difference is a miss.
 */
export function compileCacheVariant(bundleFile: string, dir: string, prime: (entry: string) => void): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(bundleFile, join(dir, 'authorizer.mjs'));
  const entry = join(dir, 'index.mjs');
  writeFileSync(
    entry,
    "import { enableCompileCache } from 'node:module';\n" +
      `enableCompileCache({ directory: new URL('./${COMPILE_CACHE_DIR}', import.meta.url).pathname, portable: true });\n` +
      "export const { handler } = await import('./authorizer.mjs');\n",
  );
  prime(entry);
  const made = readdirSync(join(dir, COMPILE_CACHE_DIR), { recursive: true });
  if (made.length < 2) throw new Error(`no compile cache was written under ${join(dir, COMPILE_CACHE_DIR)}`);
  return entry;
}

/**
 * `dir`/index.mjs: the bundle followed by a function that is never called, holding the whole authorizer again
 * (an IIFE build of the handler module the entry re-exports): V8 pre-parses it at every cold start and compiles none of it. What it adds
 * is what as many bytes of never-run code cost; about a third of the bundle's function bytes never run at a
 * seeded cold start, so a third of it is what moving them into lazily loaded chunks could save at most.
 */
export function deadCodeVariant(bundleFile: string, dir: string): string {
  const iife = buildSync({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [PLAIN_HANDLER_MODULE],
    bundle: true,
    platform: 'node',
    target: AUTHORIZER_BUNDLE_TARGET,
    format: 'iife',
    minify: true,
    write: false,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  const dead = iife.outputFiles[0]?.text ?? '';
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'index.mjs');
  writeFileSync(entry, `${readFileSync(bundleFile, 'utf8')}\nfunction neverCalled(){${dead}}\n`);
  return entry;
}

/** Runs `node args` to completion with `env`; throws with its stderr if it fails. */
export function runOnce(args: readonly string[], env: NodeJS.ProcessEnv): void {
  const run = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
}
