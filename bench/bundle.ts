// Builds the authorizer with the very function that builds the package's prebuilt bundles and the construct's
// (infra/constructs/authorizer-bundle.ts: one esbuild configuration), with revocation off and on (two
// entries), and measures what ships and what loads.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import {
  AUTHORIZER_BUNDLE_FILE,
  AUTHORIZER_BUNDLE_TARGET,
  buildAuthorizerBundle,
  type AuthorizerVariant,
  type BundleMetafile,
} from '../infra/constructs/authorizer-bundle';

export const PROJECT_ROOT = resolve(__dirname, '..');

/**
 * The handler module the Lambda bundle's entry (revocation off) re-exports: the whole authorizer without the
 * entry's top-level await, which an IIFE build cannot hold. And the Node.js the bundle targets, for bench variants.
 */
export const PLAIN_HANDLER_MODULE = 'lambda/authorizer/handler.ts';
export { AUTHORIZER_BUNDLE_TARGET };

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

function composition(metafile: BundleMetafile, output: string): ModuleShare[] {
  const inputs = metafile.outputs[output]?.inputs ?? {};
  const byModule = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const module = moduleOf(input);
    byModule.set(module, (byModule.get(module) ?? 0) + bytesInOutput);
  }
  return [...byModule].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** test/bench checks that this build is byte for byte the bundle the construct deploys. */
function buildAsDeployed(
  variant: AuthorizerVariant,
  outDir: string,
): { file: string; shares: ModuleShare[] } {
  const file = join(outDir, AUTHORIZER_BUNDLE_FILE);
  const metafile = buildAuthorizerBundle(variant, outDir, PROJECT_ROOT);
  const outputKey = Object.keys(metafile.outputs).find((key) => key.endsWith(AUTHORIZER_BUNDLE_FILE));
  return { file, shares: outputKey === undefined ? [] : composition(metafile, outputKey) };
}

export async function buildDeployedBundle(outDir: string): Promise<BundleReport> {
  const plain = buildAsDeployed('plain', join(outDir, 'authorizer'));
  const revocable = buildAsDeployed('revocable', join(outDir, 'revocable-authorizer'));

  const sdk = await build({
    absWorkingDir: PROJECT_ROOT,
    stdin: {
      contents: "export { DynamoDBClient, BatchGetItemCommand } from '@aws-sdk/client-dynamodb';",
      resolveDir: PROJECT_ROOT,
      loader: 'ts',
    },
    bundle: true,
    target: AUTHORIZER_BUNDLE_TARGET,
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
