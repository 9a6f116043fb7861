// Runs one esbuild build of an authorizer bundle in a process of its own, for authorizer-bundle.ts: the
// construct builds its bundle while a CDK app is synthesized, which is synchronous, and esbuild's buildSync
// takes no plugins. Reads { esbuild, options, sideEffectFree } as JSON on stdin (esbuild: the path of the
// esbuild package to use); writes the build's metafile as JSON on stdout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Marks a second resolution of the same import, made by the plugin itself, so that it is not intercepted. */
const RESOLVING = Symbol('resolving');

/**
 * Every module of these packages is treated as if its package.json said "sideEffects": false: esbuild then
 * drops a module none of whose exports the bundle uses, whatever its top level does.
 */
function sideEffectFree(packages) {
  const inPackage = new RegExp(
    `[\\\\/]node_modules[\\\\/](?:${packages.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})[\\\\/]`,
  );
  return {
    name: 'side-effect-free-packages',
    setup(build) {
      build.onResolve(
        { filter: /.*/ },
        async ({ path, importer, kind, namespace, resolveDir, pluginData }) => {
          if (pluginData === RESOLVING) return undefined;
          const resolved = await build.resolve(path, {
            importer,
            kind,
            namespace,
            resolveDir,
            pluginData: RESOLVING,
          });
          if (resolved.errors.length > 0 || resolved.external || !inPackage.test(resolved.path))
            return undefined;
          return {
            path: resolved.path,
            namespace: resolved.namespace,
            suffix: resolved.suffix,
            sideEffects: false,
          };
        },
      );
    },
  };
}

const { esbuild: esbuildPath, options, sideEffectFree: packages } = JSON.parse(readFileSync(0, 'utf8'));
const esbuild = createRequire(import.meta.url)(esbuildPath);
try {
  const result = await esbuild.build({
    ...options,
    metafile: true,
    plugins: packages.length === 0 ? [] : [sideEffectFree(packages)],
  });
  process.stdout.write(JSON.stringify(result.metafile));
} catch (error) {
  // esbuild's message names each file, line and error; the caller puts it in its own.
  process.stderr.write(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
