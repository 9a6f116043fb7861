// Builds the authorizer exactly as the package's prebuilt bundles are built (the esbuild options of
// infra/constructs/authorizer-bundle.ts, reproduced here for the per-module composition), with revocation off
// and on (two entries), and measures what ships and what loads.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';

export const PROJECT_ROOT = resolve(__dirname, '..');
/** The bundles' entries (infra/constructs/authorizer-bundle.ts): without and with a revocation table. */
export const AUTHORIZER_ENTRY = 'lambda/authorizer/handler.ts';
export const REVOCABLE_AUTHORIZER_ENTRY = 'lambda/authorizer/revocable-handler.ts';

/**
 * As infra/constructs/authorizer-bundle.ts builds them: target node24 (Lambda's nodejs24.x), ESM (index.mjs),
 * minified, a linked source map without sourcesContent, mainFields module,main, no banner and the AWS SDK
 * external. test/bench checks that this build is byte for byte the bundle the construct deploys.
 */
export const DEPLOYED_TARGET = 'node24';
export const DEPLOYED_EXTERNALS = ['@aws-sdk/*'];

export interface ModuleShare {
  /** A project file, or a package name for everything under node_modules. */
  readonly module: string;
  readonly bytes: number;
}

export interface BundleReport {
  /** index.mjs of the authorizer without revocation, the file Lambda loads. */
  readonly bundleFile: string;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** index.mjs of the revocable authorizer, deployed when the construct is given a revocation table. */
  readonly revocableBundleBytes: number;
  /** Bytes of revocation code inside the revocable bundle (none is in the other). */
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

async function buildAsDeployed(
  entry: string,
  outDir: string,
): Promise<{ file: string; shares: ModuleShare[] }> {
  const file = join(outDir, 'index.mjs');
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    target: DEPLOYED_TARGET,
    platform: 'node',
    format: 'esm',
    outfile: file,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: DEPLOYED_EXTERNALS,
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'silent',
  });
  const outputKey = Object.keys(result.metafile.outputs).find((key) => key.endsWith('index.mjs'));
  return { file, shares: outputKey === undefined ? [] : composition(result.metafile, outputKey) };
}

export async function buildDeployedBundle(outDir: string): Promise<BundleReport> {
  const plain = await buildAsDeployed(AUTHORIZER_ENTRY, join(outDir, 'authorizer'));
  const revocable = await buildAsDeployed(REVOCABLE_AUTHORIZER_ENTRY, join(outDir, 'revocable-authorizer'));

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
    bundleFile: plain.file,
    bundleBytes: (await stat(plain.file)).size,
    sourceMapBytes: (await stat(`${plain.file}.map`)).size,
    revocableBundleBytes: (await stat(revocable.file)).size,
    revocationBytes: revocable.shares
      .filter((s) => /revocation|revocable/.test(s.module))
      .reduce((n, s) => n + s.bytes, 0),
    lazySdkBytes: sdk.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0),
    composition: plain.shares,
  };
}
