// Builds the authorizer exactly as the CDK construct deploys it (NodejsFunction's esbuild options, reproduced
// with the esbuild API) and measures what ships and what loads, with revocation off and on.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';

export const PROJECT_ROOT = resolve(__dirname, '..');
export const AUTHORIZER_ENTRY = 'lambda/authorizer/handler.ts';

/**
 * infra/constructs/bundled-function.ts: runtime NODEJS_24_X (so --target=node24), OutputFormat.ESM (so the
 * file is index.mjs), minify, sourceMap (linked, without sourcesContent), mainFields module,main, the createRequire
 * banner and externalModules ['@aws-sdk/*']. test/bench checks this copy against that file.
 */
export const DEPLOYED_TARGET = 'node24';
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __bgCreateRequire } from 'node:module'; const require = __bgCreateRequire(import.meta.url);";
export const DEPLOYED_EXTERNALS = ['@aws-sdk/*'];

export interface ModuleShare {
  /** A project file, or a package name for everything under node_modules. */
  readonly module: string;
  readonly bytes: number;
}

export interface BundleReport {
  /** index.mjs, the file Lambda loads; the same file whether REVOCATION_TABLE is set or not. */
  readonly bundleFile: string;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** Bytes of revocation code inside the bundle: loaded at every cold start, used only when it is on. */
  readonly revocationBytes: number;
  /**
   * What revocation on loads lazily on top: @aws-sdk/client-dynamodb, external to the bundle (the runtime
   * ships it), measured as if it were bundled and minified with the same options.
   */
  readonly lazySdkBytes: number;
  readonly composition: readonly ModuleShare[];
}

function moduleOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at === -1) return input;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? input);
}

function composition(metafile: Metafile, output: string): ModuleShare[] {
  const inputs = metafile.outputs[output]?.inputs ?? {};
  const byModule = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const module = moduleOf(input);
    byModule.set(module, (byModule.get(module) ?? 0) + bytesInOutput);
  }
  return [...byModule].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export async function buildDeployedBundle(outDir: string): Promise<BundleReport> {
  const bundleFile = join(outDir, 'index.mjs');
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [AUTHORIZER_ENTRY],
    bundle: true,
    target: DEPLOYED_TARGET,
    platform: 'node',
    format: 'esm',
    outfile: bundleFile,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: DEPLOYED_EXTERNALS,
    banner: { js: ESM_REQUIRE_BANNER },
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'silent',
  });
  const outputKey = Object.keys(result.metafile.outputs).find((key) => key.endsWith('index.mjs'));
  const shares = outputKey === undefined ? [] : composition(result.metafile, outputKey);

  const sdk = await build({
    absWorkingDir: PROJECT_ROOT,
    stdin: {
      contents: "export { DynamoDBClient, BatchGetItemCommand } from '@aws-sdk/client-dynamodb';",
      resolveDir: PROJECT_ROOT,
      loader: 'ts',
    },
    bundle: true,
    target: DEPLOYED_TARGET,
    platform: 'node',
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });

  return {
    bundleFile,
    bundleBytes: (await stat(bundleFile)).size,
    sourceMapBytes: (await stat(`${bundleFile}.map`)).size,
    revocationBytes: shares.filter((s) => s.module.includes('revocation')).reduce((n, s) => n + s.bytes, 0),
    lazySdkBytes: sdk.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0),
    composition: shares,
  };
}
