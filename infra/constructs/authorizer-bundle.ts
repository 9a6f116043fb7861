// The prebuilt bundles the constructs deploy (the two authorizers, and RevocationList's admin function): found
// in an installed package's dist/bundles, built by `npm run build` for the package, and built on demand into a
// cache when the constructs run from sources.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { BuildOptions } from 'esbuild';

/** Which authorizer: without revocation, or with the DynamoDB revocation check. */
export type AuthorizerVariant = 'plain' | 'revocable';

export interface AuthorizerBundleSpec {
  /**
   * The bundle's entry source, relative to the package root. An authorizer's is an ES module (`.mts`) that
   * re-exports its handler module's handler and awaits the init warm-up at its top level.
   */
  readonly entry: string;
  /** The bundle's directory under `dist/bundles`. */
  readonly dir: string;
}

export const AUTHORIZER_BUNDLES: Readonly<Record<AuthorizerVariant, AuthorizerBundleSpec>> = Object.freeze({
  plain: { entry: 'lambda/authorizer/handler-entry.mts', dir: 'authorizer' },
  revocable: { entry: 'lambda/authorizer/revocable-handler-entry.mts', dir: 'revocable-authorizer' },
});

/** Every bundle the package ships: the authorizer variants and the revocation admin function. */
export type BundleName = AuthorizerVariant | 'revocation-admin';

export const PACKAGE_BUNDLES: Readonly<Record<BundleName, AuthorizerBundleSpec>> = Object.freeze({
  ...AUTHORIZER_BUNDLES,
  'revocation-admin': { entry: 'lambda/revocation/create.ts', dir: 'revocation-admin' },
});

/** The bundle's file in its directory; with its `handler` export, the Lambda handler is `index.handler`. */
export const AUTHORIZER_BUNDLE_FILE = 'index.mjs';

/** The Lambda handler string of every bundle. */
export const AUTHORIZER_HANDLER = 'index.handler';

/** The Node.js the bundles are compiled for: the construct deploys them on Lambda's nodejs24.x. */
export const AUTHORIZER_BUNDLE_TARGET = 'node24';

const PACKAGE_NAME = 'bearer-gate';

/**
 * The esbuild options of every authorizer bundle: the ones NodejsFunction used to get (OutputFormat.ESM,
 * minify, a linked source map without sourcesContent, mainFields module,main). The AWS SDK stays external:
 * the Lambda runtime ships it, and only the revocable bundle imports it, lazily.
 */
const BUNDLE_OPTIONS = Object.freeze({
  bundle: true,
  platform: 'node',
  target: AUTHORIZER_BUNDLE_TARGET,
  format: 'esm',
  minify: true,
  // Mappings only: the authorizer maps an INTERNAL failure's stack to the TypeScript file and line with it
  // (lambda/authorizer/stack-trace.ts), and reading it is a fraction of the work.
  sourcemap: 'linked',
  sourcesContent: false,
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  logLevel: 'silent',
} satisfies BuildOptions);

/**
 * Packages whose modules the bundles leave out when none of their exports is used, as if their package.json
 * said `"sideEffects": false`. aws-jwt-verify does not say so, and `aws-jwt-verify/jwk` (for
 * `assertIsSignatureJwk`) imports the package's HTTPS fetcher, whose top level calls a function: esbuild would
 * keep that module, and with it a static import of node:https that every cold start would load (TLS, HTTP
 * and sockets; the authorizer's own fetcher imports node:https only when it fetches).
 */
const SIDE_EFFECT_FREE_PACKAGES: readonly string[] = Object.freeze(['aws-jwt-verify']);

/**
 * Runs one build, with a plugin that treats SIDE_EFFECT_FREE_PACKAGES so. esbuild's buildSync takes no
 * plugins and a CDK app builds its constructs synchronously, so the build runs in a process of its own, as
 * buildSync itself runs esbuild's binary.
 */
const BUILD_PROGRAM = join(__dirname, 'authorizer-bundle-build.mjs');

/** The directory of the package.json named `bearer-gate` at or above `from`. */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME
    ) {
      return dir;
    }
    if (dirname(dir) === dir) {
      throw new Error(
        `${PACKAGE_NAME}: no package.json named "${PACKAGE_NAME}" at or above ${from}; reinstall the package.`,
      );
    }
  }
}

function bundleSpec(name: BundleName): AuthorizerBundleSpec {
  if (!Object.hasOwn(PACKAGE_BUNDLES, name)) {
    throw new Error(
      `${PACKAGE_NAME}: unknown bundle "${String(name)}"; use "plain", "revocable" or "revocation-admin".`,
    );
  }
  return PACKAGE_BUNDLES[name];
}

function resolveEsbuild(root: string, request: string): string {
  try {
    return require.resolve(request, { paths: [root] });
  } catch (cause) {
    throw new Error(
      `${PACKAGE_NAME}: building the authorizer bundle from sources needs esbuild (a devDependency), and it ` +
        `cannot be found from ${root}. Run \`npm ci\` in the repository, or install the built package.`,
      { cause },
    );
  }
}

/** The parts of esbuild's metafile read here: every file read, and each output's bytes from each of them. */
export interface BundleMetafile {
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<
    Record<string, { readonly inputs: Readonly<Record<string, { readonly bytesInOutput: number }>> }>
  >;
}

/**
 * Builds one bundle into `outdir` (`index.mjs` and `index.mjs.map`) with the esbuild installed under `root`,
 * which is used only here: an installed package never calls this, so its users need no esbuild. Returns the
 * build's metafile, its inputs relative to `root`.
 */
export function buildAuthorizerBundle(
  variant: BundleName,
  outdir: string,
  root: string = packageRoot(),
): BundleMetafile {
  const entry = bundleSpec(variant).entry;
  const build = spawnSync(process.execPath, [BUILD_PROGRAM], {
    input: JSON.stringify({
      esbuild: resolveEsbuild(root, 'esbuild'),
      options: {
        ...BUNDLE_OPTIONS,
        absWorkingDir: root,
        entryPoints: [entry],
        outfile: join(outdir, AUTHORIZER_BUNDLE_FILE),
      },
      sideEffectFree: SIDE_EFFECT_FREE_PACKAGES,
    }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (build.status !== 0) {
    throw new Error(
      `${PACKAGE_NAME}: esbuild could not build ${entry} (exit ${build.status ?? build.signal}): ` +
        (build.error?.message ?? build.stderr.trim()),
    );
  }
  return JSON.parse(build.stdout) as BundleMetafile;
}

/**
 * The directory holding the prebuilt bundle of `variant` (`index.mjs`, `index.mjs.map`, nothing else).
 *
 * In an installed package (this module compiled under `dist/`) it is `dist/bundles/<dir>`, made by `npm run
 * build`. Run from sources (a checkout of the repository, tests, `cdk synth` of the sample app) it is built
 * with esbuild into `node_modules/.cache/bearer-gate/` and built again whenever a file it was built from
 * changes; a stale `dist/` is never used from sources.
 */
export function authorizerBundleDir(variant: AuthorizerVariant): string {
  if (!Object.hasOwn(AUTHORIZER_BUNDLES, variant)) {
    throw new Error(
      `${PACKAGE_NAME}: unknown authorizer variant "${String(variant)}"; use "plain" or "revocable".`,
    );
  }
  return bundleDir(variant);
}

/** The directory of any bundle the package ships, found or built as authorizerBundleDir() says. */
export function bundleDir(name: BundleName): string {
  const spec = bundleSpec(name);
  const root = packageRoot();
  if (relative(root, __dirname).split(sep)[0] === 'dist') {
    const dir = join(root, 'dist', 'bundles', spec.dir);
    if (!existsSync(join(dir, AUTHORIZER_BUNDLE_FILE))) {
      const what = name === 'revocation-admin' ? 'revocation admin' : 'authorizer';
      throw new Error(
        `${PACKAGE_NAME}: the prebuilt ${what} bundle ${join(dir, AUTHORIZER_BUNDLE_FILE)} is missing; ` +
          'the package was packed without its build. Reinstall it, or run `npm run build` in its source.',
      );
    }
    return dir;
  }
  let dir = fromSources.get(name);
  if (dir === undefined) {
    dir = cachedAuthorizerBundleDir(name, root);
    fromSources.set(name, dir);
  }
  return dir;
}

/** Checked once per process: a synth does not change the sources it runs from. */
const fromSources = new Map<BundleName, string>();

/** What a cached bundle was built from: every input file's hash, the options and esbuild's version. */
interface CacheManifest {
  readonly dir: string;
  readonly fingerprint: string;
  readonly inputs: Readonly<Record<string, string>>;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function fileHash(root: string, file: string): string | undefined {
  try {
    return sha256(readFileSync(join(root, file)));
  } catch {
    return undefined;
  }
}

function optionsFingerprint(root: string): string {
  const esbuildVersion = (
    JSON.parse(readFileSync(resolveEsbuild(root, 'esbuild/package.json'), 'utf8')) as { version: string }
  ).version;
  return sha256(
    JSON.stringify({
      options: BUNDLE_OPTIONS,
      sideEffectFree: SIDE_EFFECT_FREE_PACKAGES,
      program: sha256(readFileSync(BUILD_PROGRAM)),
      esbuildVersion,
    }),
  );
}

function isFresh(root: string, cacheDir: string, manifest: CacheManifest, fingerprint: string): boolean {
  return (
    manifest.fingerprint === fingerprint &&
    existsSync(join(cacheDir, manifest.dir, AUTHORIZER_BUNDLE_FILE)) &&
    Object.entries(manifest.inputs).every(([file, hash]) => fileHash(root, file) === hash)
  );
}

function readManifest(file: string): CacheManifest | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CacheManifest;
  } catch {
    return undefined;
  }
}

/**
 * Where the bundles built from the sources under `root` are kept: a folder of
 * `root`/node_modules/.cache/bearer-gate named after the checkout's real path, so that checkouts sharing one
 * node_modules (git worktrees with a linked node_modules) neither reuse nor remove each other's builds.
 */
export function authorizerBundleCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', PACKAGE_NAME, sha256(realpathSync(root)).slice(0, 12));
}

/**
 * The bundle of `variant` built from the sources under `root`, in authorizerBundleCacheDir(root):
 * reused while every file it was built from (sources and node_modules alike), esbuild's version and the
 * options are unchanged, built again otherwise. A build goes to a fresh directory that is then renamed into
 * place under a name taken from its content, so jest workers and parallel synths that build the same bundle
 * at once never see a half-written one.
 */
export function cachedAuthorizerBundleDir(variant: BundleName, root: string): string {
  bundleSpec(variant);
  const cacheDir = authorizerBundleCacheDir(root);
  const manifestFile = join(cacheDir, `${variant}.json`);
  const fingerprint = optionsFingerprint(root);
  const previous = readManifest(manifestFile);
  if (previous !== undefined && isFresh(root, cacheDir, previous, fingerprint)) {
    return join(cacheDir, previous.dir);
  }

  mkdirSync(cacheDir, { recursive: true });
  const building = mkdtempSync(join(cacheDir, `.build-${variant}-`));
  try {
    const inputs: Record<string, string> = {};
    for (const input of Object.keys(buildAuthorizerBundle(variant, building, root).inputs)) {
      const hash = fileHash(root, input);
      if (hash === undefined) throw new Error(`${PACKAGE_NAME}: cannot read the bundle input ${input}`);
      inputs[input] = hash;
    }
    // The map too: a change to a comment leaves the minified code as it was, but moves its mappings.
    const contentHash = sha256(
      Buffer.concat(
        [AUTHORIZER_BUNDLE_FILE, `${AUTHORIZER_BUNDLE_FILE}.map`].map((file) =>
          readFileSync(join(building, file)),
        ),
      ),
    ).slice(0, 16);
    const name = `${variant}-${contentHash}`;
    try {
      renameSync(building, join(cacheDir, name));
    } catch (error) {
      // Another process built the same bundle first: its directory has the same content.
      if (!existsSync(join(cacheDir, name, AUTHORIZER_BUNDLE_FILE))) throw error;
    }
    const manifest: CacheManifest = { dir: name, fingerprint, inputs };
    const manifestTmp = `${manifestFile}.${process.pid}`;
    writeFileSync(manifestTmp, JSON.stringify(manifest, null, 2));
    renameSync(manifestTmp, manifestFile);
    for (const entry of readdirSync(cacheDir)) {
      if (entry.startsWith(`${variant}-`) && entry !== name)
        rmSync(join(cacheDir, entry), { recursive: true, force: true });
    }
    return join(cacheDir, name);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}
